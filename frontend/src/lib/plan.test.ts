import { describe, expect, it } from "vitest";
import { changedFields, filtersFrom, nextPosition, NO_FILTERS, searchOf, taskQuery, toCsv } from "./plan";

describe("filters in the address", () => {
  it("round-trips every filter", () => {
    const filters = { rag: "red", lead: "12", overdue: true, stale: true, from: "2026-01-01", to: "2026-12-31" };
    const search = searchOf(filters);
    const query = Object.fromEntries(new URLSearchParams(search.slice(1)));
    expect(filtersFrom(query)).toEqual(filters);
  });

  it("ignores what it does not understand", () => {
    expect(filtersFrom({ rag: "purple", lead: "x", from: "yesterday", overdue: "yes" })).toEqual(NO_FILTERS);
    expect(searchOf(NO_FILTERS)).toBe("");
  });

  it("asks the API for not-rated tasks with not_rated", () => {
    expect(taskQuery({ ...NO_FILTERS, rag: "not_rated" })).toEqual({ not_rated: true });
    expect(taskQuery({ ...NO_FILTERS, rag: "red", from: "2026-02-01" })).toEqual({
      rag: "red",
      deadline_after: "2026-02-01",
    });
  });
});

describe("CSV", () => {
  it("quotes, doubles quotes and defuses formulas", () => {
    const text = toCsv(["a", "b"], [["=SUM(A1)", 'say "hi", then'], [null, 3]]);
    expect(text).toBe('\ufeffa,b\r\n\'=SUM(A1),"say ""hi"", then"\r\n,3\r\n');
  });
});

describe("changedFields", () => {
  it("sends only what the user changed, so another's saved change survives a retry", () => {
    const opened = { title: "A", target: "T", deadline: null };
    expect(changedFields(opened, { title: "B", target: "T", deadline: null })).toEqual({ title: "B" });
    expect(changedFields(undefined, { title: "B" })).toEqual({ title: "B" });
  });
});

describe("nextPosition", () => {
  it("puts a new line after the highest number, not after the count", () => {
    expect(nextPosition([])).toBe(1);
    expect(nextPosition([{ position: 1 }, { position: 4 }, { position: 2 }])).toBe(5);
  });
});
