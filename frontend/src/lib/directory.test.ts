import { describe, expect, it } from "vitest";
import { listAll } from "./directory";

describe("listAll", () => {
  it("follows offsets until the total is reached", async () => {
    const rows = Array.from({ length: 7 }, (_, i) => i);
    const offsets: number[] = [];
    const all = await listAll(async (offset) => {
      offsets.push(offset);
      return { items: rows.slice(offset, offset + 3), total: rows.length };
    });
    expect(all).toEqual(rows);
    expect(offsets).toEqual([0, 3, 6]);
  });

  it("stops on an empty page even if the total grew", async () => {
    expect(await listAll(async () => ({ items: [], total: 5 }))).toEqual([]);
  });
});
