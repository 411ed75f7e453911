import { describe, expect, it } from "vitest";
import type { Me } from "../api/types";
import { managesPartnership } from "./manage";

const me = (role: Me["role"], memberships: Me["memberships"]): Me => ({
  kind: "user",
  id: 1,
  name: "Ann Example",
  email: "ann@example.org",
  role,
  organisation_id: null,
  person_id: 1,
  memberships,
});
const brief = (partnership_id: number, role: string) => ({
  id: partnership_id * 10,
  partnership_id,
  partnership_name: `P${partnership_id}`,
  role,
});

describe("managesPartnership", () => {
  it("lets administrators manage every partnership", () => {
    expect(managesPartnership(me("admin", []), 7)).toBe(true);
  });
  it("lets officers manage what they chair, vice-chair or officer", () => {
    const officer = me("officer", [brief(1, "officer"), brief(2, "member"), brief(3, "vice_chair")]);
    expect([1, 2, 3, 4].map((id) => managesPartnership(officer, id))).toEqual([true, false, true, false]);
  });
  it("never lets members or signed-out visitors", () => {
    expect(managesPartnership(me("member", [brief(1, "chair")]), 1)).toBe(false);
    expect(managesPartnership(null, 1)).toBe(false);
  });
});
