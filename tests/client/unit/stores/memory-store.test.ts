import { MemoryStore } from "../../../../client/src/stores/memory-store";
import { keyValueStoreContract } from "./key-value-store-contract";

describe("client/stores/memory-store MemoryStore", () => {
  keyValueStoreContract(() => new MemoryStore());
});
