import { describe, expect, it } from "vitest";
import { countRag, parseRag, ragKey } from "./rag";

describe("countRag", () => {
  it("counts each rating and the unrated", () => {
    const counts = countRag([{ rag: "green" }, { rag: "red" }, { rag: "red" }, { rag: null }]);
    expect(counts).toEqual({ green: 1, amber: 0, red: 2, complete: 0, not_rated: 1, total: 4 });
  });
});

describe("parseRag", () => {
  it("maps the empty choice to not rated", () => {
    expect(parseRag("amber")).toBe("amber");
    expect(parseRag("")).toBeNull();
    expect(ragKey(parseRag(""))).toBe("not_rated");
  });
});
