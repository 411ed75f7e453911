import preact from "@preact/preset-vite";
import { defineConfig } from "vitest/config";

// `npm run dev` proxies the API to a local `lsphub serve` on port 8000.
export default defineConfig({
  plugins: [preact()],
  server: {
    proxy: { "/api": "http://127.0.0.1:8000" },
  },
  build: {
    outDir: "dist",
    sourcemap: true,
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
