import { OBJECTS_ROUTES } from "@mobile-s3/contract";
import { indexFrom, type IndexPorts } from "../shared/index-port";
import { defineHttpFunction } from "../shared/runtime";
import { loadObjectsConfig, type ObjectsConfig } from "./config";
import { handleObjectsRequest, type ObjectsAnswer, type ObjectsDeps } from "./core";

/** The objects function: listing, presigned reads and deletes of the caller's objects. */
export const objectsFunction = defineHttpFunction<ObjectsConfig, ObjectsDeps, IndexPorts, ObjectsAnswer>({
  name: "objects",
  routes: OBJECTS_ROUTES,
  loadConfig: loadObjectsConfig,
  deps: (parts, ports) => ({ store: parts.store, index: indexFrom(parts, ports) }),
  handle: handleObjectsRequest,
});

/** The objects function as Lambda runs it, built once per cold start from `env`. */
export const createObjectsHandler = objectsFunction.createHandler;
