import type { KeyValueStore } from "../../src/client/outbox";

/** sessionStorage for a ChatClient outside a browser; `data` is open so tests can look inside. */
export class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, string>();
  getItem = (key: string) => this.data.get(key) ?? null;
  setItem = (key: string, value: string) => void this.data.set(key, value);
  removeItem = (key: string) => void this.data.delete(key);
}
