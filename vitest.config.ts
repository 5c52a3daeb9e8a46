import { configDefaults, defineConfig } from "vitest/config";

// `npm test` runs every fast test; `npm run test:faults` runs the whole fault suite in tests/faults,
// the slow cases (`*.slow.test.ts`: real CLI processes against stalled peers, racing applies) included.
const slowFaults = process.env.IDC_SYNC_SLOW_FAULTS === "1";

export default defineConfig({
  test: {
    include: slowFaults ? ["tests/faults/**/*.test.ts"] : ["tests/**/*.test.ts"],
    exclude: slowFaults ? configDefaults.exclude : [...configDefaults.exclude, "tests/**/*.slow.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
