// Fails when src/api/schema.d.ts differs from what `npm run gen:api` would write, i.e. when
// openapi/openapi.json changed without the types being regenerated.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const committed = join(root, "src/api/schema.d.ts");
const scratch = mkdtempSync(join(tmpdir(), "lsphub-schema-"));
const fresh = join(scratch, "schema.d.ts");

try {
  execFileSync(
    join(root, "node_modules/.bin/openapi-typescript"),
    ["../openapi/openapi.json", "-o", fresh],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  );
  if (readFileSync(fresh, "utf8") !== readFileSync(committed, "utf8")) {
    console.error(
      "src/api/schema.d.ts is stale: openapi/openapi.json has changed.\n" +
        "Run `npm run gen:api` in frontend/ and commit the result.",
    );
    process.exitCode = 1;
  } else {
    console.log("src/api/schema.d.ts matches openapi/openapi.json");
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
