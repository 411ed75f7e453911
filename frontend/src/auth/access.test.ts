import { describe, expect, it } from "vitest";
import { countyOnly, grantedBy, homePath, mayUse } from "./access";

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

describe("mayUse", () => {
  it("keeps administration to administrators", () => {
    for (const screen of ["users", "webhooks"] as const) {
      expect(mayUse("admin", screen)).toBe(true);
      for (const role of ["officer", "member", "partner", "county"] as const) expect(mayUse(role, screen)).toBe(false);
      expect(grantedBy(screen)).toBe("admin");
    }
  });

  it("gives the county the LAA dashboard and reports, nothing else", () => {
    const county = (["dashboard", "partnership", "task", "meeting", "import", "keys", "users", "webhooks"] as const).filter(
      (screen) => mayUse("county", screen),
    );
    expect(county).toEqual([]);
    for (const screen of ["laa", "reports", "report", "strategy"] as const) expect(mayUse("county", screen)).toBe(true);
  });

  it("lets officers import and issue keys, not members", () => {
    expect(mayUse("officer", "import")).toBe(true);
    expect(mayUse("member", "import")).toBe(false);
    expect(grantedBy("import")).toBe("officer");
  });
});
