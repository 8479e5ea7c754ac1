export { fileSource } from "./file-source";
export { FileStore } from "./file-store";
