import { describe, expect, it } from "vitest";
import { dropped, formatBytes, formatMinutes, moved } from "./agenda";

describe("moved", () => {
  it("moves an item up and down one place", () => {
    expect(moved([1, 2, 3], 1, -1)).toEqual([2, 1, 3]);
    expect(moved([1, 2, 3], 1, 1)).toEqual([1, 3, 2]);
  });
  it("stays inside the list at either end", () => {
    expect(moved([1, 2, 3], 0, -1)).toEqual([1, 2, 3]);
    expect(moved([1, 2, 3], 2, 1)).toEqual([1, 2, 3]);
  });
});

describe("dropped", () => {
  it("puts the dragged item where it was dropped", () => {
    expect(dropped(["a", "b", "c", "d"], 0, 2)).toEqual(["b", "c", "a", "d"]);
    expect(dropped(["a", "b", "c", "d"], 3, 0)).toEqual(["d", "a", "b", "c"]);
  });
});

describe("formatting", () => {
  it("says sizes and times plainly", () => {
    expect(formatBytes(500)).toBe("500 bytes");
    expect(formatBytes(2048)).toBe("2 KB");
    expect(formatBytes(3 * 1024 * 1024)).toBe("3.0 MB");
    expect(formatMinutes(85)).toBe("1 hour 25 minutes");
    expect(formatMinutes(0)).toBe("0 minutes");
    expect(formatMinutes(120)).toBe("2 hours");
  });
});
