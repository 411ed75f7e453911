import { describe, expect, it } from "vitest";
import type { LaaTarget, Measurement } from "../api/types";
import {
  comparePeriods,
  countLaaRag,
  headlineRows,
  latestMeasurement,
  measuredPoints,
  parseExport,
  periodLabel,
  quarterAxis,
  quarterOf,
  targetPoints,
  trajectorySegments,
  type ExportRow,
} from "./laa";

const stamp = { version: 1, created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z" };
let nextId = 1;
const measurement = (period: string, value: number, reported_on: string, area = "E06000099"): Measurement => ({
  ...stamp,
  id: nextId++,
  indicator_id: 6,
  area,
  period,
  value,
  reported_on,
  source: null,
  note: null,
});
const target = (period: string, baseline: number, value: number): LaaTarget => ({
  ...stamp,
  id: nextId++,
  indicator_id: 6,
  area: "E06000099",
  period,
  baseline,
  target: value,
  stretch: null,
});
const row = (period: string, latest_value: number | null, extra: Partial<ExportRow> = {}): ExportRow => ({
  code: "NI 6",
  title: "Participation in regular volunteering",
  area: "E06000099",
  period,
  baseline: 20,
  target: 28,
  latest_value,
  reported_on: latest_value === null ? null : "2026-01-10",
  rag: latest_value === null ? "no_data" : "green",
  outcome_codes: "1.2",
  lead_partnership: "Stronger Communities",
  stretch: null,
  updated_at: "2026-01-10T00:00:00Z",
  ...extra,
});

describe("parseExport", () => {
  it("reads JSON Lines and leaves out tombstones", () => {
    const text = [
      JSON.stringify({ deleted: true, code: "NI 1", area: "E06000099", period: "2024-25" }),
      JSON.stringify({ ...row("2025-26", 24), deleted: false }),
      "",
    ].join("\n");
    const rows = parseExport(text);
    expect(rows.map((r) => [r.code, r.period, r.latest_value])).toEqual([["NI 6", "2025-26", 24]]);
  });

  it("refuses what is not an export row", () => {
    expect(() => parseExport('{"hello": 1}\n')).toThrow(/Not an LAA export row/);
  });
});

describe("periods and quarters", () => {
  it("puts a year after its quarters", () => {
    expect(["2026-27", "2025-26", "2025-26-Q4", "2025-26-Q1", "2026-27-Q1"].sort(comparePeriods)).toEqual([
      "2025-26-Q1",
      "2025-26-Q4",
      "2025-26",
      "2026-27-Q1",
      "2026-27",
    ]);
  });

  it("places a year at its last quarter and labels quarters clearly", () => {
    expect(quarterOf("2025-26")).toBe("2025-26-Q4");
    expect(quarterOf("2025-26-Q2")).toBe("2025-26-Q2");
    expect(periodLabel("2025-26-Q2")).toBe("Q2 2025-26");
    expect(periodLabel("2025-26")).toBe("2025-26 (year)");
  });

  it("lays every quarter between the first and the last on the axis", () => {
    expect(quarterAxis(["2025-26", "2024-25-Q3", "2025-26-Q1"])).toEqual([
      "2024-25-Q3",
      "2024-25-Q4",
      "2025-26-Q1",
      "2025-26-Q2",
      "2025-26-Q3",
      "2025-26-Q4",
    ]);
    expect(quarterAxis(["2099-00-Q4", "2100-01-Q1"])).toEqual(["2099-00-Q4", "2100-01-Q1"]);
    expect(quarterAxis([])).toEqual([]);
  });
});

describe("chart series", () => {
  it("keeps the latest report for each quarter", () => {
    const points = measuredPoints([
      measurement("2025-26-Q2", 24, "2025-10-01"),
      measurement("2024-25", 21, "2025-05-01"),
      measurement("2025-26-Q2", 25, "2025-11-01"),
    ]);
    expect(points).toEqual([
      { label: "2024-25-Q4", value: 21 },
      { label: "2025-26-Q2", value: 25 },
    ]);
  });

  it("runs a year's trajectory from the baseline to the target by quarter", () => {
    expect(trajectorySegments([target("2025-26", 20, 28), target("2024-25-Q2", 10, 12)])).toEqual([
      [{ label: "2024-25-Q2", value: 12 }],
      [
        { label: "2025-26-Q1", value: 22 },
        { label: "2025-26-Q2", value: 24 },
        { label: "2025-26-Q3", value: 26 },
        { label: "2025-26-Q4", value: 28 },
      ],
    ]);
    expect(targetPoints([target("2025-26", 20, 28)])).toEqual([{ label: "2025-26-Q4", value: 28 }]);
  });
});

describe("headlineRows", () => {
  it("takes the latest period with a value for each indicator and area", () => {
    const rows = [row("2024-25", 21), row("2025-26", 24), row("2026-27", null), row("2025-26", null, { area: "E06000100" })];
    expect(headlineRows(rows).map((r) => [r.area, r.period])).toEqual([
      ["E06000099", "2025-26"],
      ["E06000100", "2025-26"],
    ]);
  });

  it("counts them by RAG", () => {
    expect(countLaaRag([row("2025-26", 24), row("2026-27", null)])).toEqual({ green: 1, amber: 0, red: 0, no_data: 1 });
  });

  it("finds the measurement behind a latest value", () => {
    const found = latestMeasurement(
      [
        measurement("2025-26-Q1", 22, "2025-07-01"),
        measurement("2025-26-Q2", 24, "2025-10-01"),
        measurement("2026-27-Q1", 30, "2026-07-01"),
        measurement("2025-26-Q3", 99, "2026-01-01", "E06000100"),
      ],
      row("2025-26", 24),
    );
    expect(found?.period).toBe("2025-26-Q2");
  });
});
