import { httpApiHandler } from "../shared/http-api";
import { createLogger, readLogLevel } from "../shared/log";
import { handleCdnSessionRequest, loadCdnSessionConfig } from "./core";

// Read once per cold start: a missing setting fails the init, not every request.
const config = loadCdnSessionConfig(process.env);
const log = createLogger("cdn-session", readLogLevel(process.env));

export const handler = httpApiHandler(log, (request) => handleCdnSessionRequest(request, config));
