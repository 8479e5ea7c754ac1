import { type KeyValueStore } from "./key-value-store";

/** Keeps state for the life of the app process: uploads resume after a pause or a network loss, not a restart. */
export class MemoryStore implements KeyValueStore {
  private readonly items = new Map<string, string>();

  async getItem(key: string): Promise<string | null> {
    return this.items.get(key) ?? null;
  }

  async setItem(key: string, value: string): Promise<void> {
    this.items.set(key, value);
  }

  async removeItem(key: string): Promise<void> {
    this.items.delete(key);
  }

  async getAllKeys(): Promise<readonly string[]> {
    return [...this.items.keys()];
  }
}
