/**
 * A small run of the performance benchmark (a reduced S at a high time factor) through the real CLI
 * and both emulators, so `npm test` keeps the benchmark working. It asserts structure, never speed:
 * the machine is shared and timings are noisy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BenchmarkResult,
  removeWorkDir,
  runBenchmark,
  type ScenarioResult,
} from "../../bench/run-benchmark.js";

describe("the benchmark on a small organisation", () => {
  let result: BenchmarkResult;
  const scenario = (name: ScenarioResult["scenario"]) => {
    const found = result.scenarios.find((entry) => entry.scenario === name);
    if (!found) throw new Error(`no ${name} scenario in the result`);
    return found;
  };

  beforeAll(async () => {
    result = await runBenchmark({
      sizeName: "smoke",
      size: { users: 150, googleGroups: 8, accounts: 10, permissionSets: 3 },
      timeFactor: 25,
    });
  }, 240_000);
  afterAll(async () => {
    if (result) await removeWorkDir(result);
  });

  it("runs every scenario with no failed change, and each one converges", () => {
    expect(result.scenarios.map((entry) => entry.scenario)).toEqual([
      "initial",
      "noop",
      "churn",
      "accountMoves",
      "targetedLeaver",
    ]);
    for (const entry of result.scenarios) {
      expect(entry.failed, entry.scenario).toBe(0);
      expect(entry.exitCode, entry.scenario).toBe(0);
      expect(entry.converged, `${entry.scenario}: ${entry.residualChanges.join("; ")}`).toBe(true);
    }
  });

  it("writes nothing on a no-op re-sync", () => {
    const noop = scenario("noop");
    expect(noop.changes).toBe(0);
    expect(noop.totals.writeCalls).toBe(0);
    expect(noop.totals.readCalls).toBeGreaterThanOrEqual(noop.totals.readLowerBound);
  });

  it("makes exactly one write per change for churn and account moves", () => {
    for (const name of ["churn", "accountMoves"] as const) {
      const entry = scenario(name);
      expect(entry.changes, name).toBeGreaterThan(0);
      expect(entry.totals.writeCalls, name).toBe(entry.changes);
      expect(entry.totals.writeLowerBound, name).toBe(entry.changes);
    }
    const moves = scenario("accountMoves").changesByKind;
    expect((moves.createAssignment ?? 0) + (moves.deleteAssignment ?? 0)).toBeGreaterThan(0);
  });

  it("removes a targeted leaver with one write per change and a handful of reads, whatever the size", () => {
    const leaver = scenario("targetedLeaver");
    expect(leaver.changes).toBeGreaterThan(0);
    expect(Object.keys(leaver.changesByKind).sort()).toEqual(
      leaver.changesByKind.deleteAssignment
        ? ["deleteAssignment", "deleteUser", "removeMember"]
        : ["deleteUser", "removeMember"],
    );
    expect(leaver.totals.writeCalls).toBe(leaver.changes);
    expect(leaver.calls["google:users.get"]).toBe(1);
    expect(leaver.totals.readCalls).toBe(leaver.totals.readLowerBound);
    expect(leaver.totals.readCalls).toBeLessThanOrEqual(8);
  });

  it("computes the ratio to the lower bound, the time model and the peak RSS of the CLI process", () => {
    const initial = scenario("initial");
    expect(initial.changes).toBe(initial.applied);
    expect(initial.calls["identitystore:CreateUser"]).toBeGreaterThanOrEqual(
      initial.changesByKind.createUser ?? 0,
    );
    for (const entry of result.scenarios) {
      expect(entry.totals.lowerBound, entry.scenario).toBeGreaterThan(0);
      expect(entry.totals.ratio, entry.scenario).toBeCloseTo(
        entry.totals.calls / entry.totals.lowerBound,
        10,
      );
      // Retries of throttled calls count, so a run never spends less than the bound.
      expect(entry.totals.calls, entry.scenario).toBeGreaterThanOrEqual(entry.totals.lowerBound);
      expect(entry.time.apiSeconds, entry.scenario).toBeGreaterThan(0);
      expect(entry.time.lowerBoundSeconds, entry.scenario).toBeGreaterThan(0);
      expect(entry.peakRssMb, entry.scenario).toBeGreaterThan(20);
      expect(entry.realLimits.totalSeconds, entry.scenario).toBeCloseTo(
        entry.realLimits.readSeconds + entry.realLimits.applySeconds,
        6,
      );
      expect(entry.realLimits.readSeconds, entry.scenario).toBeGreaterThan(0);
      expect(entry.realLimits.invocations, entry.scenario).toBe(1);
    }
  });
});
