import { describe, expect, it } from "vitest";
import { linearScale, niceTicks, paddedExtent, polyline, stackSegments } from "./chart";

describe("stackSegments", () => {
  it("lays non-zero values end to end", () => {
    const segments = stackSegments(["a", "b", "c"], { a: 1, b: 0, c: 3 }, 100);
    expect(segments).toEqual([
      { key: "a", value: 1, x: 0, width: 25 },
      { key: "c", value: 3, x: 25, width: 75 },
    ]);
  });

  it("draws nothing for all zeros", () => {
    expect(stackSegments(["a"], { a: 0 }, 100)).toEqual([]);
  });
});

describe("scales", () => {
  it("maps a domain onto a range, inverted for SVG y", () => {
    const y = linearScale([0, 10], [100, 0]);
    expect(y(0)).toBe(100);
    expect(y(5)).toBe(50);
    expect(linearScale([3, 3], [0, 10])(3)).toBe(5);
  });

  it("pads the extent", () => {
    expect(paddedExtent([10, 20])).toEqual([9, 21]);
    expect(paddedExtent([5])).toEqual([4.5, 5.5]);
    expect(polyline([[1, 2.25]])).toBe("1.0,2.3");
  });
});

describe("niceTicks", () => {
  it("picks round steps inside the range", () => {
    expect(niceTicks(17.3, 31.8)).toEqual([20, 25, 30]);
    expect(niceTicks(0, 1)).toEqual([0, 0.5, 1]);
    expect(niceTicks(0, 100, 6)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(5, 5)).toEqual([5]);
  });
});
