import { httpApiHandler } from "../shared/http-api";
import { createLogger, readLogLevel } from "../shared/log";
import { handleProxyRequest, loadProxyConfig } from "./core";

// Read once per cold start: a missing setting fails the init, not every request.
const config = loadProxyConfig(process.env);
const log = createLogger("proxy", readLogLevel(process.env));

export const handler = httpApiHandler(log, (request) => handleProxyRequest(request, config));
