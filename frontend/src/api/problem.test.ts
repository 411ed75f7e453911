import { describe, expect, it } from "vitest";
import { ApiError, asProblem, fieldError, fieldMessages, problemMessage, toProblem } from "./problem";

describe("toProblem", () => {
  it("reads problem+json", () => {
    const problem = toProblem(
      {
        type: "/problems/precondition-failed",
        title: "Precondition failed",
        status: 412,
        detail: "The task has changed since you read it",
      },
      412,
    );
    expect(problem.type).toBe("/problems/precondition-failed");
    expect(problemMessage(problem)).toBe("The task has changed since you read it");
  });

  it("lists field errors without the body prefix", () => {
    const problem = toProblem(
      {
        title: "Validation error",
        status: 422,
        errors: [{ loc: ["body", "rag"], msg: "Input should be 'green'" }, { bad: true }],
      },
      422,
    );
    expect(fieldMessages(problem)).toEqual(["rag: Input should be 'green'"]);
    expect(problemMessage(problem)).toBe("Validation error");
  });

  it("falls back to the status line or plain text", () => {
    expect(toProblem(undefined, 502, "Bad Gateway").title).toBe("Bad Gateway");
    expect(toProblem("upstream down", 502).detail).toBe("upstream down");
  });
});

describe("asProblem", () => {
  it("unwraps API errors and describes network failures", () => {
    const problem = toProblem({ title: "Not found", status: 404 }, 404);
    expect(asProblem(new ApiError(problem))).toBe(problem);
    expect(asProblem(new TypeError("Failed to fetch"))).toMatchObject({
      status: 0,
      detail: "Failed to fetch",
    });
  });
});

describe("fieldError", () => {
  it("finds the message for one body field", () => {
    const problem = toProblem(
      { title: "Validation error", status: 422, errors: [{ loc: ["body", "url", 0], msg: "a loopback address" }] },
      422,
    );
    expect(fieldError(problem, "url")).toBe("a loopback address");
    expect(fieldError(problem, "events")).toBeNull();
    expect(fieldError(null, "url")).toBeNull();
  });
});
