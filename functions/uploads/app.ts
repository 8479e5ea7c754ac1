import { UPLOADS_ROUTES } from "@mobile-s3/contract";
import { defineHttpFunction } from "../shared/runtime";
import { loadUploadsConfig } from "./config";
import { handleUploadsRequest } from "./core";


/** The uploads function: presigned single and multipart uploads. */
export const uploadsFunction = defineHttpFunction({
  name: "uploads",
  routes: UPLOADS_ROUTES,
  loadConfig: loadUploadsConfig,
  handle: handleUploadsRequest,
});

/** The uploads function as Lambda runs it, built once per cold start from `env`. */
export const createUploadsHandler = uploadsFunction.createHandler;
