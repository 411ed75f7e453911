import { describe, expect, it } from "vitest";
import { countyOnly, homePath } from "./access";

describe("homePath", () => {
  it("sends the county to the LAA screen", () => {
    expect(homePath("county")).toBe("/laa");
    expect(countyOnly("county")).toBe(true);
  });

  it("starts everyone else on the dashboard", () => {
    for (const role of ["admin", "officer", "member", "partner"] as const) {
      expect(homePath(role)).toBe("/");
      expect(countyOnly(role)).toBe(false);
    }
  });
});
