import { describe, expect, it } from "vitest";
import { isMonitoredJob, jobModeFor, runJob } from "../../../src/app/job.js";
import { defaultNotificationSettings } from "../../../src/notify/decide.js";
import { SyncError } from "../../../src/sync/errors.js";
import {
  aClockAt,
  developersPorts,
  developersRules,
  InMemoryStateStore,
  RecordingNotifier,
} from "../../builders/ports.js";

const monitor = {
  run: { runId: "run-1", trigger: "manual" as const },
  settings: defaultNotificationSettings,
};

describe("the job's mode", () => {
  it("reads apply as enforce, or as the rules' sync.mode when the rules decide", () => {
    const reporting = developersRules({ sync: { mode: "report" } });

    expect(jobModeFor("apply", reporting, { followRules: false })).toBe("enforce");
    expect(jobModeFor("apply", reporting, { followRules: true })).toBe("report");
    expect(jobModeFor("apply", developersRules(), { followRules: true })).toBe("enforce");
    expect(jobModeFor("plan", reporting, { followRules: true })).toBe("plan");
    expect(jobModeFor("report", developersRules(), { followRules: false })).toBe("report");
  });

  it("is monitored when it may change or report with a state store", () => {
    const store = new InMemoryStateStore();

    expect(isMonitoredJob("plan", store)).toBe(false);
    expect(isMonitoredJob("enforce", undefined)).toBe(false);
    expect(isMonitoredJob("enforce", store)).toBe(true);
    expect(isMonitoredJob("report", store)).toBe(true);
  });
});

describe("runJob", () => {
  it("plans with the state it reads, and never writes it", async () => {
    const { ports, identityCenter } = developersPorts();
    const stateStore = new InMemoryStateStore();

    const job = await runJob({
      rules: developersRules(),
      ports,
      mode: "plan",
      stateStore,
      clock: aClockAt(),
    });

    expect(job.result.status).toBe("planned");
    expect(identityCenter.appliedChanges()).toEqual([]);
    expect(stateStore.saves).toBe(0);
    expect(stateStore.runs).toEqual([]);
  });

  it("plans on without a state it cannot read, and says why", async () => {
    const { ports } = developersPorts();
    const stateStore = new InMemoryStateStore();
    stateStore.failLoad = new Error("table not found");
    const told: unknown[] = [];

    const job = await runJob({
      rules: developersRules(),
      ports,
      mode: "plan",
      stateStore,
      onStateUnreadable: (error) => told.push(error),
    });

    expect(job.result.status).toBe("planned");
    expect(told).toEqual([stateStore.failLoad]);
  });

  it("enforces as a monitored run when there is a state store: state saved, run recorded", async () => {
    const { ports } = developersPorts();
    const stateStore = new InMemoryStateStore();
    const notifier = new RecordingNotifier();

    const job = await runJob({
      rules: developersRules(),
      ports,
      mode: "enforce",
      stateStore,
      monitor: { ...monitor, notifier },
      clock: aClockAt(),
    });

    expect(job.result.status).toBe("applied");
    expect(stateStore.runs.map((record) => record.mode)).toEqual(["enforce"]);
  });

  it("enforces and reports without a state store as plain runs", async () => {
    const enforce = developersPorts();
    const report = developersPorts();

    const enforced = await runJob({ rules: developersRules(), ports: enforce.ports, mode: "enforce" });
    const reported = await runJob({ rules: developersRules(), ports: report.ports, mode: "report" });

    expect(enforced.result.status).toBe("applied");
    expect(reported.result.status).toBe("planned");
    expect(report.identityCenter.appliedChanges()).toEqual([]);
    expect([enforced.notices, reported.notices]).toEqual([[], []]);
  });

  it("refuses a targeted scope until targeted runs exist, before reading anything", async () => {
    const { ports } = developersPorts();

    await expect(
      runJob({
        rules: developersRules(),
        ports,
        mode: "plan",
        scope: { kind: "targeted", subjects: [{ kind: "person", email: "ann@example.com" }] },
      }),
    ).rejects.toThrow(SyncError);
  });
});
