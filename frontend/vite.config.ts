import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

// Node's environment, typed here rather than through @types/node for one variable.
declare const process: { env: Record<string, string | undefined> };

// `npm run dev` proxies the API to a local `lsphub serve` on port 8000.
export default defineConfig({
  plugins: [preact()],
  server: {
    proxy: { "/api": "http://127.0.0.1:8000", "/public": "http://127.0.0.1:8000" },
  },
  build: {
    outDir: "dist",
    // Production builds ship no source maps; LSPHUB_SOURCEMAP=1 npm run build asks for them.
    sourcemap: process.env.LSPHUB_SOURCEMAP === "1",
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
