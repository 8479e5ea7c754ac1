export { fileSource } from "./file-source";
export { FileStore } from "./file-store";
export { createNodeFetch, type NodeFetchOptions } from "./node-fetch";
