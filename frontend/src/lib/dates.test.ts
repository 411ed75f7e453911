import { describe, expect, it } from "vitest";
import { formatDate, formatDateTime, formatLongDate, isOverdue, todayIso } from "./dates";

describe("dates", () => {
  it("formats dates the British way", () => {
    expect(formatDate("2026-03-02")).toBe("2 Mar 2026");
    expect(formatDate(null)).toBe("—");
    expect(formatLongDate("2026-03-02")).toBe("2 March 2026");
  });

  it("shows meeting times in London time", () => {
    expect(formatDateTime("2026-07-01T09:30:00Z")).toContain("10:30");
  });

  it("takes today from London, not UTC", () => {
    expect(todayIso(new Date("2026-06-30T23:30:00Z"))).toBe("2026-07-01");
  });

  it("treats past deadlines as overdue unless complete", () => {
    expect(isOverdue({ deadline: "2026-01-31", rag: "amber" }, "2026-02-01")).toBe(true);
    expect(isOverdue({ deadline: "2026-01-31", rag: "complete" }, "2026-02-01")).toBe(false);
    expect(isOverdue({ deadline: "2026-02-01", rag: null }, "2026-02-01")).toBe(false);
    expect(isOverdue({ deadline: null, rag: "red" }, "2026-02-01")).toBe(false);
  });
});
