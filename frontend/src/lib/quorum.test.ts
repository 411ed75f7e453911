import { describe, expect, it } from "vitest";
import type { AttendanceStatus } from "../api/types";
import { computeQuorum } from "./quorum";

const members = [
  { id: 1, voting: true },
  { id: 2, voting: true },
  { id: 3, voting: true },
  { id: 4, voting: false },
];

describe("computeQuorum", () => {
  it("counts present voting members and voting substitutes", () => {
    const attendance = new Map<number, AttendanceStatus>([
      [1, "present"],
      [2, "substitute"],
      [3, "apologies"],
      [4, "present"],
    ]);
    expect(computeQuorum(members, attendance, 3)).toEqual({
      required: 3,
      presentVoting: 2,
      quorate: false,
      short: 1,
    });
  });

  it("is quorate once enough voting members are present", () => {
    const attendance = new Map<number, AttendanceStatus>([
      [1, "present"],
      [2, "present"],
    ]);
    expect(computeQuorum(members, attendance, 2).quorate).toBe(true);
  });
});
