import { httpApiHandler } from "../shared/http-api";
import { createLogger, readLogLevel } from "../shared/log";
import { handleUploadsRequest, loadUploadsConfig } from "./core";

// Read once per cold start: a missing setting fails the init, not every request.
const config = loadUploadsConfig(process.env);
const log = createLogger("uploads", readLogLevel(process.env));

export const handler = httpApiHandler(log, (request) => handleUploadsRequest(request, config));
