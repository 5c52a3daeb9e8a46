/**
 * npm run bench -- --size S|M|L [--json] [--time-factor F] [--scenarios initial,noop,churn,accountMoves,targetedLeaver]
 *                   [--revocation-leavers N] (leavers in the scpLeavers scenario, default 20)
 *                   [--heap-mb N] (cap the idc-sync process's heap as a Lambda of that size would)
 *
 * Prints a table per scenario (or the whole result as JSON) on stdout; progress goes to stderr.
 */
import { parseArgs } from "node:util";
import { renderResult } from "./render.js";
import {
  type BenchmarkResult,
  removeWorkDir,
  runBenchmark,
  type ScenarioName,
  scenarioNames,
} from "./run-benchmark.js";
import { orgSizes, type SizeName } from "./synthetic-org.js";

/** Default time factors: large enough that L finishes in tens of minutes, small enough for 2 cores. */
export const defaultTimeFactors: Record<SizeName, number> = { S: 5, M: 10, L: 20 };

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: "string", default: "S" },
      json: { type: "boolean", default: false },
      "time-factor": { type: "string" },
      scenarios: { type: "string" },
      keep: { type: "boolean", default: false },
      "heap-mb": { type: "string" },
      "revocation-leavers": { type: "string" },
    },
  });
  const sizeName = (values.size ?? "S").toUpperCase();
  if (!(sizeName in orgSizes)) {
    process.stderr.write(`--size must be S, M or L, got '${values.size}'\n`);
    process.exit(64);
  }
  const size = orgSizes[sizeName as SizeName];
  const timeFactor = values["time-factor"]
    ? Number(values["time-factor"])
    : defaultTimeFactors[sizeName as SizeName];
  if (!Number.isFinite(timeFactor) || timeFactor <= 0) {
    process.stderr.write(`--time-factor must be a positive number, got '${values["time-factor"]}'\n`);
    process.exit(64);
  }
  const scenarios = values.scenarios ? values.scenarios.split(",") : [...scenarioNames];
  const unknown = scenarios.filter((name) => !(scenarioNames as readonly string[]).includes(name));
  if (unknown.length > 0) {
    process.stderr.write(
      `unknown scenario(s) ${unknown.join(", ")}; choose from ${scenarioNames.join(", ")}\n`,
    );
    process.exit(64);
  }

  const childHeapMb = values["heap-mb"] === undefined ? undefined : Number(values["heap-mb"]);
  if (childHeapMb !== undefined && !(Number.isInteger(childHeapMb) && childHeapMb > 0)) {
    process.stderr.write(`--heap-mb must be a whole number of megabytes, got '${values["heap-mb"]}'\n`);
    process.exit(64);
  }

  const revocationLeavers =
    values["revocation-leavers"] === undefined ? undefined : Number(values["revocation-leavers"]);
  if (revocationLeavers !== undefined && !(Number.isInteger(revocationLeavers) && revocationLeavers > 0)) {
    process.stderr.write(
      `--revocation-leavers must be a whole number, got '${values["revocation-leavers"]}'\n`,
    );
    process.exit(64);
  }

  const result: BenchmarkResult = await runBenchmark({
    childHeapMb,
    sizeName,
    size,
    timeFactor,
    scenarios: scenarios as ScenarioName[],
    ...(revocationLeavers === undefined ? {} : { revocationLeavers }),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  if (!values.keep) await removeWorkDir(result);
  process.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : renderResult(result));
  const failed = result.scenarios.some((scenario) => scenario.failed > 0 || !scenario.converged);
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
