import { OBJECTS_ROUTES } from "@mobile-s3/contract";
import { defineHttpFunction } from "../shared/runtime";
import { loadObjectsConfig } from "./config";
import { handleObjectsRequest } from "./core";

/** The objects function: listing, presigned reads and deletes of the caller's objects. */
export const objectsFunction = defineHttpFunction({
  name: "objects",
  routes: OBJECTS_ROUTES,
  loadConfig: loadObjectsConfig,
  handle: handleObjectsRequest,
});

/** The objects function as Lambda runs it, built once per cold start from `env`. */
export const createObjectsHandler = objectsFunction.createHandler;
