import { httpApiHandler } from "../shared/http-api";
import { createLogger, readLogLevel } from "../shared/log";
import { handleObjectsRequest, loadObjectsConfig } from "./core";

// Read once per cold start: a missing setting fails the init, not every request.
const config = loadObjectsConfig(process.env);
const log = createLogger("objects", readLogLevel(process.env));

export const handler = httpApiHandler(log, (request) => handleObjectsRequest(request, config));
