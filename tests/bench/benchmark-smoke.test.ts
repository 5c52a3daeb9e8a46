/**
 * A small run of the performance benchmark (a reduced S at a high time factor) through the real CLI
 * and both emulators, so `npm test` keeps the benchmark working. It asserts structure, never speed:
 * the machine is shared and timings are noisy.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EventPathResult, removeEventWorkDir, runEventPathBenchmark } from "../../bench/event-path.js";
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
      revocationLeavers: 3,
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
      "scpLeaver",
      "scpLeavers",
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

  it("writes one leaver's deny into a new SCP and packs three more into it, the deny answered before the last removal", () => {
    const one = scenario("scpLeaver");
    expect(one.changesByKind.revokeSessions).toBe(1);
    expect(one.changesByKind.createRevocationPolicy).toBe(1);
    expect(one.calls["organizations:CreatePolicy"]).toBe(1);
    expect(one.calls["organizations:AttachPolicy"]).toBe(1);
    const three = scenario("scpLeavers");
    expect(three.changesByKind.revokeSessions).toBe(3);
    expect(three.changesByKind.updateRevocationPolicy).toBe(1);
    expect(three.calls["organizations:UpdatePolicy"]).toBe(1);
    expect(three.calls["organizations:CreatePolicy"]).toBeUndefined();
    expect(three.calls["google:users.get"]).toBe(3);
    for (const entry of [one, three]) {
      const times = entry.revocation;
      if (!times) throw new Error(`${entry.scenario} has no revocation times`);
      expect(Object.keys(times.organizationsCalls).length, entry.scenario).toBeGreaterThan(0);
      expect(times.denyInForceSeconds, entry.scenario).toBeGreaterThan(0);
      expect(times.lastRemovalSeconds, entry.scenario).toBeGreaterThanOrEqual(
        times.denyInForceSeconds ?? Infinity,
      );
      expect(times.organizationsSecondsAtRealLimits, entry.scenario).toBeGreaterThan(0);
    }
    expect(scenario("targetedLeaver").revocation).toBeUndefined();
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

describe("the event path's benchmark on a small organisation", () => {
  let result: EventPathResult;

  beforeAll(async () => {
    result = await runEventPathBenchmark({
      sizeName: "smoke",
      size: { users: 150, googleGroups: 8, accounts: 10, permissionSets: 3 },
      timeFactor: 25,
      leavers: 3,
      burst: 20,
    });
  }, 240_000);
  afterAll(async () => {
    if (result) await removeEventWorkDir(result);
  });

  it("takes every suspended leaver's access away, one at a time and in a burst, within 15 calls a leaver", () => {
    for (const entry of [result.oneAtATime, result.burst]) {
      if (!entry) throw new Error("no leaver measurement in the result");
      expect(entry.noAccessLeft).toBe(true);
      expect(entry.latency.count).toBe(3);
      expect(entry.latency.p50).toBeGreaterThan(0);
      expect(entry.latency.p95).toBeGreaterThanOrEqual(entry.latency.p50);
      // A suspension is two notifications: a Directory update and a Reports SUSPEND_USER.
      expect(entry.notifications).toBe(6);
      expect(entry.runs).toBeGreaterThan(0);
    }
    const single = result.oneAtATime;
    expect(single?.removingRunCalls).toHaveLength(3);
    // Retries of throttled requests aside (how many depends on the machine's timing).
    (single?.removingRunCalls ?? []).forEach((calls, i) => {
      expect(calls - (single?.removingRunThrottled[i] ?? 0)).toBeLessThanOrEqual(15);
    });
  });

  it("coalesces a burst of notifications about one person: one run per batch of ten, one of them writing", () => {
    // Waiting on the queue while the consumer is busy: the FIFO batch of 10 sets the count exactly.
    expect(result.coalescingWhileBusy).toMatchObject({
      notifications: 20,
      enqueued: 20,
      runs: 2,
      runsThatWrote: 1,
      noAccessLeft: true,
    });
    // As they come, a batch is whatever waits when the poller receives: how many depends on timing.
    expect(result.coalescing).toMatchObject({
      notifications: 20,
      enqueued: 20,
      runsThatWrote: 1,
      noAccessLeft: true,
    });
    expect(result.coalescing?.runs).toBeGreaterThanOrEqual(2);
    expect(result.coalescing?.runs).toBeLessThanOrEqual(20);
  });

  it("undoes a membership added by hand in a targeted run for the member and posts one Slack alert about it", () => {
    const drift = result.drift;
    expect(drift?.undone).toBe(true);
    expect(drift?.slackMessages).toBe(1);
    expect(drift?.slackText).toContain("idc-sync undid it (enforce mode)");
    expect(drift?.runs.map((run) => run.ranAs)).toEqual(["targeted"]);
    expect(drift?.callsByOperation["identitystore:DeleteGroupMembership"]).toBe(1);
    expect(drift?.secondsToSlack).toBeGreaterThanOrEqual(drift?.secondsToUndo ?? Number.NaN);
  });
});
