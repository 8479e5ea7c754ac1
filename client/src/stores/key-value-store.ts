/**
 * Where the client keeps multipart upload state between app launches. The interface is
 * AsyncStorage's (`@react-native-async-storage/async-storage` passes as is); `MemoryStore` and the
 * Node `FileStore` are included, and a web app can wrap `localStorage` or IndexedDB.
 */
export interface KeyValueStore {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
  /** Lets `pendingUploads()` find what a killed app left; without it only known paths resume. */
  getAllKeys?(): Promise<readonly string[]>;
}
