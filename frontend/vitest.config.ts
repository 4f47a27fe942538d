import { fileURLToPath } from "node:url";

import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["./src/test/setup.ts"],
    restoreMocks: true,
    // A cap, not a wait: `make test` runs this suite beside the backend's on two cores,
    // where a test that types key by key took over the default 5 s (docs/how-to/testing.md).
    testTimeout: 20_000,
  },
});
