import { describe, expect, it } from "vitest";
import { previewVote } from "./votes";

const vote = (method: "consensus" | "simple_majority" | "two_thirds", yes: number, no: number) => ({
  method,
  votes_for: yes,
  votes_against: no,
  chair_casting_vote: null,
});

describe("previewVote", () => {
  it("decides a simple majority of those voting", () => {
    expect(previewVote(vote("simple_majority", 5, 4))).toBe("carried");
    expect(previewVote(vote("simple_majority", 4, 5))).toBe("lost");
  });

  it("needs the chair's casting vote on a tie", () => {
    expect(previewVote(vote("simple_majority", 4, 4))).toBe("tie");
    expect(previewVote({ ...vote("simple_majority", 4, 4), chair_casting_vote: "for" })).toBe(
      "carried",
    );
  });

  it("needs two thirds for expulsion", () => {
    expect(previewVote(vote("two_thirds", 6, 3))).toBe("carried");
    expect(previewVote(vote("two_thirds", 5, 3))).toBe("lost");
  });

  it("carries by consensus only when nobody objects", () => {
    expect(previewVote(vote("consensus", 0, 0))).toBe("carried");
    expect(previewVote(vote("consensus", 8, 1))).toBe("lost");
  });
});
