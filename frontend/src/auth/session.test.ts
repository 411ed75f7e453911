import { describe, expect, it } from "vitest";
import { SessionStore } from "./session";

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const T0 = Date.parse("2026-03-02T09:00:00Z");

describe("SessionStore", () => {
  it("keeps the token in memory and in storage until it expires", () => {
    const storage = new MemoryStorage();
    let now = T0;
    const store = new SessionStore(storage, () => now);
    store.save("tok", "2026-03-02T10:00:00Z");
    expect(store.token()).toBe("tok");
    expect(new SessionStore(storage, () => now).token()).toBe("tok");
    expect(store.remaining()).toBe(3_600_000);

    now = Date.parse("2026-03-02T10:00:00Z");
    expect(store.token()).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it("ignores a corrupt or expired stored session", () => {
    const storage = new MemoryStorage();
    storage.setItem("lsphub.session", "{not json");
    expect(new SessionStore(storage, () => T0).get()).toBeNull();
    storage.setItem("lsphub.session", JSON.stringify({ token: "old", expiresAt: T0 - 1 }));
    expect(new SessionStore(storage, () => T0).get()).toBeNull();
  });

  it("works without storage", () => {
    const store = new SessionStore(null, () => T0);
    store.save("tok", "2026-03-02T09:30:00Z");
    expect(store.token()).toBe("tok");
    store.clear();
    expect(store.remaining()).toBe(0);
  });
});
