import { configDefaults, defineConfig } from "vitest/config";

// `npm test` runs every fast test; `npm run test:faults` runs the whole fault suite in tests/faults,
// the slow cases (`*.slow.test.ts`: real CLI processes against stalled peers, racing applies) included.
const slowFaults = process.env.IDC_SYNC_SLOW_FAULTS === "1";

export default defineConfig({
  test: {
    include: slowFaults ? ["tests/faults/**/*.test.ts"] : ["tests/**/*.test.ts"],
    exclude: slowFaults ? configDefaults.exclude : [...configDefaults.exclude, "tests/**/*.slow.test.ts"],
    // Generous: these machines are shared and noisy (a CLI subprocess test took over 30 s at load 20 on two
    // cores). Timeouts catch hangs; speed is measured in `npm run bench`, never asserted here.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The command's tests run bin/idc-sync.mjs, i.e. dist/: compile it first (tests/build-once.ts).
    globalSetup: ["tests/build-once.ts"],
  },
});
