import { describe, expect, it } from "vitest";
import type { LaaTarget, Measurement } from "../api/types";
import { comparePeriods, measuredPoints, periodAxis, trajectoryPoints } from "./laa";

const stamp = { id: 0, version: 1, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" };
const measurement = (period: string, value: number, reported_on: string): Measurement => ({
  ...stamp,
  indicator_id: 6,
  area: "E06000099",
  period,
  value,
  reported_on,
  source: null,
  note: null,
});
const target = (period: string, baseline: number, value: number): LaaTarget => ({
  ...stamp,
  indicator_id: 6,
  area: "E06000099",
  period,
  baseline,
  target: value,
  stretch: null,
});

describe("measuredPoints", () => {
  it("keeps the latest report for each period, in period order", () => {
    const points = measuredPoints([
      measurement("2009-10", 24, "2010-05-01"),
      measurement("2008-09", 21, "2009-05-01"),
      measurement("2009-10", 25, "2010-06-01"),
    ]);
    expect(points).toEqual([
      { label: "2008-09", value: 21 },
      { label: "2009-10", value: 25 },
    ]);
  });
});

describe("trajectoryPoints", () => {
  it("runs from the baseline through each target", () => {
    const measured = [{ label: "2008-09", value: 21 }];
    expect(trajectoryPoints([target("2010-11", 20, 27), target("2009-10", 20, 24)], measured)).toEqual([
      { label: "2008-09", value: 20 },
      { label: "2009-10", value: 24 },
      { label: "2010-11", value: 27 },
    ]);
  });

  it("is empty without targets", () => {
    expect(trajectoryPoints([], [])).toEqual([]);
  });
});

describe("periods", () => {
  it("puts a year after its quarters", () => {
    expect(["2026-27", "2025-26", "2025-26-Q4", "2025-26-Q1", "2026-27-Q1"].sort(comparePeriods)).toEqual([
      "2025-26-Q1",
      "2025-26-Q4",
      "2025-26",
      "2026-27-Q1",
      "2026-27",
    ]);
  });

  it("builds one axis from several series", () => {
    expect(periodAxis([{ label: "2025-26", value: 1 }], [{ label: "2025-26-Q2", value: 2 }])).toEqual([
      "2025-26-Q2",
      "2025-26",
    ]);
  });
});
