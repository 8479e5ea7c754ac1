import { UPLOADS_ROUTES } from "@mobile-s3/contract";
import { indexFrom, type IndexPorts } from "../shared/index-port";
import { defineHttpFunction } from "../shared/runtime";
import { loadUploadsConfig, type UploadsConfig } from "./config";
import { handleUploadsRequest, type UploadsAnswer, type UploadsDeps } from "./core";


/** The uploads function: presigned single and multipart uploads. */
export const uploadsFunction = defineHttpFunction<UploadsConfig, UploadsDeps, IndexPorts, UploadsAnswer>({
  name: "uploads",
  routes: UPLOADS_ROUTES,
  loadConfig: loadUploadsConfig,
  deps: (parts, ports) => ({ store: parts.store, index: indexFrom(parts, ports) }),
  handle: handleUploadsRequest,
});

/** The uploads function as Lambda runs it, built once per cold start from `env`. */
export const createUploadsHandler = uploadsFunction.createHandler;
