import { describe, expect, it } from "vitest";
import { toProblem } from "../api/problem";
import { describeChanges, describeKey, rowErrors, summarise } from "./imports";

describe("rowErrors", () => {
  it("reads row errors from a rejected import", () => {
    const problem = toProblem(
      {
        type: "/problems/import-rejected",
        title: "Unprocessable",
        status: 422,
        errors: [
          { loc: ["file", 3, "rag"], msg: "not a RAG", row: 3, column: "rag", value: "BLUE", message: "not a RAG" },
          { loc: ["body"], msg: "not a row error" },
        ],
      },
      422,
    );
    expect(rowErrors(problem)).toEqual([
      { loc: ["file", 3, "rag"], msg: "not a RAG", row: 3, column: "rag", value: "BLUE", message: "not a RAG" },
    ]);
  });
});

describe("describing changes", () => {
  it("joins the natural key", () => {
    expect(describeKey({ partnership: "safer", outcome_code: "2.1", action_ref: "1", task_ref: "a" })).toBe(
      "safer / 2.1 / 1 / a",
    );
  });

  it("lists only the fields that change", () => {
    const change = {
      before: { rag: "amber", position: null, title: "Survey" },
      after: { rag: "green", position: "On track", title: "Survey" },
    };
    expect(describeChanges(change)).toEqual(["rag: amber → green", "position: (blank) → On track"]);
  });

  it("counts the rows", () => {
    expect(summarise({ created: 1, updated: 2, unchanged: 3 })).toBe("1 to create, 2 to update, 3 unchanged");
  });
});
