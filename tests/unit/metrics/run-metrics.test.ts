/**
 * The run's metric values, from real handler answers: the example company applied through the file
 * adapters, a guard stop, invalid rules, a rejected payload and a thrown error.
 */
import { copyFile, cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ApiCallCounts } from "../../../src/adapters/api-calls.js";
import { FileDirectorySource } from "../../../src/adapters/file/file-directory-source.js";
import { FileIdentityCenter } from "../../../src/adapters/file/file-identity-center.js";
import {
  handleSyncInvocation,
  type SyncHandlerDependencies,
  type SyncInvocationResult,
} from "../../../src/handlers/sync-invocation.js";
import { type MetricValue, RunMetric, runMetrics } from "../../../src/metrics/run-metrics.js";

const root = resolve(import.meta.dirname, "../../..");
const silent = { info() {}, warn() {}, error() {}, appendKeys() {} };

let dir: string;
let statePath: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "idc-sync-metrics-"));
  statePath = join(dir, "identity-center.json");
  await copyFile(join(root, "examples/identity-center.json"), statePath);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function deps(overrides: Partial<SyncHandlerDependencies> = {}): SyncHandlerDependencies {
  return {
    rulesPath: join(root, "examples/rules.yaml"),
    logger: silent,
    deadlineMarginMs: 60_000,
    buildPorts: async () => {
      const source = new FileDirectorySource(join(root, "examples/directory.yaml"));
      return {
        directory: source,
        accounts: source,
        identityCenter: await FileIdentityCenter.open(statePath),
      };
    },
    ...overrides,
  };
}

const invoke = (event: unknown, overrides: Partial<SyncHandlerDependencies> = {}) =>
  handleSyncInvocation(event, { getRemainingTimeInMillis: () => 900_000 }, deps(overrides));

/** name → value, for the metrics without an extra dimension. */
function plain(values: MetricValue[]): Record<string, number> {
  return Object.fromEntries(values.filter((v) => v.dimensions === undefined).map((v) => [v.name, v.value]));
}

function withDimension(values: MetricValue[], name: string): Record<string, number> {
  return Object.fromEntries(
    values
      .filter((v) => v.name === name && v.dimensions !== undefined)
      .map((v) => [Object.values(v.dimensions ?? {})[0], v.value]),
  );
}

describe("the metrics of one run", () => {
  it("count an apply's changes in total and by kind, and mark the run a success", async () => {
    const result = await invoke({ mode: "apply" });
    const applied = result as Extract<SyncInvocationResult, { status: "applied" }>;
    expect(applied.status).toBe("applied");

    const values = runMetrics({ result });

    expect(plain(values)).toEqual({
      RunSucceeded: 1,
      RunFailed: 0,
      GuardStops: 0,
      ChangesPlanned: applied.apply.applied,
      ChangesApplied: applied.apply.applied,
      ChangesFailed: 0,
      ChangesSkipped: 0,
      ChangesNotStarted: 0,
    });
    const byKind = withDimension(values, RunMetric.changesApplied);
    expect(byKind).toEqual(
      Object.fromEntries(Object.entries(applied.plan.byKind).filter(([, count]) => count > 0)),
    );
    expect(values.every((value) => value.unit === "Count")).toBe(true);
    expect(withDimension(values, RunMetric.changesFailed)).toEqual({});
  });

  it("count a failed change as a failed run, by its kind", async () => {
    const failing = await FileIdentityCenter.open(statePath);
    const result = await invoke(
      { mode: "apply" },
      {
        buildPorts: async () => {
          const source = new FileDirectorySource(join(root, "examples/directory.yaml"));
          return {
            directory: source,
            accounts: source,
            identityCenter: {
              readState: (scope) => failing.readState(scope),
              applyChange: async (change) => {
                if (change.kind === "createUser" && change.user.userName.startsWith("a"))
                  throw new Error("refused");
                return failing.applyChange(change);
              },
            },
          };
        },
      },
    );

    const values = runMetrics({ result });

    expect(plain(values)).toMatchObject({ RunSucceeded: 0, RunFailed: 1, GuardStops: 0 });
    expect(plain(values).ChangesFailed).toBeGreaterThan(0);
    expect(withDimension(values, RunMetric.changesFailed)).toEqual({
      createUser: plain(values).ChangesFailed,
    });
  });

  it("count a guard stop, which is neither a success nor a failure", async () => {
    await invoke({ mode: "apply" });
    // directory-next has one leaver; rules that allow no deletion at all make the guard trip.
    const strictRules = join(dir, "rules.yaml");
    const text = await readFile(join(root, "examples/rules.yaml"), "utf8");
    await writeFile(strictRules, text.replace("maxDeletions: 10%", "maxDeletions: 0"));
    await cp(join(root, "examples/policies"), join(dir, "policies"), { recursive: true });
    const result = await invoke(
      { mode: "apply" },
      {
        rulesPath: strictRules,
        buildPorts: async () => {
          const source = new FileDirectorySource(join(root, "examples/directory-next.yaml"));
          return {
            directory: source,
            accounts: source,
            identityCenter: await FileIdentityCenter.open(statePath),
          };
        },
      },
    );
    expect(result.status).toBe("blocked");

    expect(plain(runMetrics({ result }))).toMatchObject({ RunSucceeded: 0, RunFailed: 0, GuardStops: 1 });
    expect(plain(runMetrics({ result })).ChangesPlanned).toBeGreaterThan(0);
  });

  it("count invalid rules and a thrown error as failed runs, and a rejected payload as neither", async () => {
    const rules = join(dir, "broken.yaml");
    await writeFile(rules, "version: 1\ngroups: [\n");
    const invalid = await invoke({ mode: "apply" }, { rulesPath: rules });
    const rejected = await invoke({ mode: "aply" });

    expect(invalid.status).toBe("invalid");
    expect(plain(runMetrics({ result: invalid }))).toEqual({ RunSucceeded: 0, RunFailed: 1, GuardStops: 0 });
    expect(plain(runMetrics({ error: new Error("Google said no") }))).toEqual({
      RunSucceeded: 0,
      RunFailed: 1,
      GuardStops: 0,
    });
    expect(rejected.status).toBe("rejected");
    expect(plain(runMetrics({ result: rejected }))).toEqual({ RunSucceeded: 0, RunFailed: 0, GuardStops: 0 });
  });

  it("report the read time in milliseconds and the calls and throttles in total and per service", async () => {
    const calls: ApiCallCounts = {
      calls: { google: 4, identitystore: 20, "sso-admin": 7, organizations: 0 },
      throttled: { google: 1, identitystore: 0, "sso-admin": 2, organizations: 0 },
    };

    const values = runMetrics({ error: new Error("x") }, { readMs: 1234.4, calls });

    expect(values).toContainEqual({ name: "ReadTime", unit: "Milliseconds", value: 1234 });
    expect(plain(values)).toMatchObject({ ApiCalls: 31, Throttles: 3 });
    expect(withDimension(values, RunMetric.apiCalls)).toEqual({
      google: 4,
      identitystore: 20,
      "sso-admin": 7,
    });
    expect(withDimension(values, RunMetric.throttles)).toEqual({ google: 1, "sso-admin": 2 });
  });
});
