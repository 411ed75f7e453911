import { describe, expect, it } from "vitest";
import { auditHref, auditQuery, changedFields, filtersFromQuery, londonMidnight, NO_FILTERS, showValue } from "./audit";

describe("audit filters", () => {
  it("round-trip through the address", () => {
    const filters = filtersFromQuery({ resource: "task", resource_id: "12", principal: "user:3", page: "2" });
    expect(filters).toEqual({ ...NO_FILTERS, resource: "task", resource_id: "12", principal: "user:3", page: 2 });
    expect(auditHref(filters)).toBe("/audit?resource=task&resource_id=12&principal=user%3A3&page=2");
    expect(auditHref({ resource: "meeting", resource_id: "4" })).toBe("/audit?resource=meeting&resource_id=4");
    expect(auditHref(NO_FILTERS)).toBe("/audit");
  });

  it("ignore malformed dates and pages", () => {
    const filters = filtersFromQuery({ from: "yesterday", to: "2026-02-30x", page: "-1", other: "x" });
    expect(filters).toEqual(NO_FILTERS);
  });

  it("ask the API for whole London days", () => {
    const winter = auditQuery({ ...NO_FILTERS, from: "2026-01-10", to: "2026-01-10" });
    expect(winter.at_after).toBe("2026-01-10T00:00:00.000Z");
    expect(winter.at_before).toBe("2026-01-10T23:59:59.999Z");
    const summer = auditQuery({ ...NO_FILTERS, from: "2026-07-01", to: "2026-07-31", page: 3 });
    expect(summer.at_after).toBe("2026-06-30T23:00:00.000Z");
    expect(summer.at_before).toBe("2026-07-31T22:59:59.999Z");
    expect(summer).toMatchObject({ limit: 20, offset: 40 });
    expect(auditQuery(NO_FILTERS)).toEqual({ limit: 20, offset: 0 });
  });

  it("find midnight on the days the clocks change", () => {
    expect(londonMidnight("2026-03-29")).toBe("2026-03-29T00:00:00.000Z");
    expect(londonMidnight("2026-10-25")).toBe("2026-10-24T23:00:00.000Z");
  });
});

describe("audit diff", () => {
  it("lists what an update changed, bookkeeping last", () => {
    const before = { id: 3, version: 1, updated_at: "a", rag: "amber", position: "On track", note: null };
    const after = { id: 3, version: 2, updated_at: "b", rag: "red", position: "On track", note: "Late" };
    expect(changedFields(before, after)).toEqual([
      { field: "rag", before: "amber", after: "red" },
      { field: "note", before: null, after: "Late" },
      { field: "version", before: 1, after: 2 },
      { field: "updated_at", before: "a", after: "b" },
    ]);
  });

  it("lists every field a create set and a delete removed", () => {
    expect(changedFields(null, { name: "Trust", website: null })).toEqual([
      { field: "name", before: null, after: "Trust" },
    ]);
    expect(changedFields({ name: "Trust" }, null)).toEqual([{ field: "name", before: "Trust", after: null }]);
    expect(changedFields(null, null)).toEqual([]);
  });

  it("compares lists and objects by value", () => {
    expect(changedFields({ ids: [1, 2] }, { ids: [1, 2] })).toEqual([]);
    expect(changedFields({ ids: [1, 2] }, { ids: [2] })).toHaveLength(1);
  });

  it("shows values as text", () => {
    expect(showValue(null)).toBe("");
    expect(showValue(true)).toBe("yes");
    expect(showValue(12)).toBe("12");
    expect(showValue({ a: [1] })).toBe('{"a":[1]}');
    expect(showValue("On track")).toBe("On track");
  });

  it("shows dates and times as people read them, in London", () => {
    expect(showValue("2026-11-03")).toBe("3 Nov 2026");
    expect(showValue("2026-07-02T08:12:07.028259+00:00")).toBe("2 Jul 2026, 09:12:07");
    expect(showValue("2026-12-02T00:12:07Z")).toBe("2 Dec 2026, 00:12:07");
  });
});
