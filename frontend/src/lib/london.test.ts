import { describe, expect, it } from "vitest";
import { isoToLondon, londonToIso, minutesBetween } from "./london";

describe("London wall-clock time", () => {
  it("is UTC in winter", () => {
    expect(londonToIso("2026-01-15T14:00")).toBe("2026-01-15T14:00:00.000Z");
  });
  it("is an hour ahead in summer", () => {
    expect(londonToIso("2026-07-01T14:00")).toBe("2026-07-01T13:00:00.000Z");
  });
  it("round-trips across the clock change", () => {
    for (const local of ["2026-03-29T09:30", "2026-10-25T09:30", "2026-12-24T18:45"]) {
      expect(isoToLondon(londonToIso(local))).toBe(local);
    }
  });
  it("measures a meeting's length", () => {
    expect(minutesBetween("2026-07-01T13:00:00Z", "2026-07-01T15:30:00Z")).toBe(150);
  });
});
