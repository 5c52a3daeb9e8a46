import { describe, expect, it } from "vitest";
import { type MonitorContext, runMonitoredRun } from "../../../src/app/monitored-run.js";
import { defaultNotificationSettings } from "../../../src/notify/decide.js";
import { DirectoryReadError } from "../../../src/sync/errors.js";
import {
  aClockAt,
  developersPorts,
  developersRules,
  InMemoryStateStore,
  RecordingNotifier,
} from "../../builders/ports.js";

const monitor = (
  stateStore: InMemoryStateStore,
  notifier: RecordingNotifier,
  mode: MonitorContext["mode"],
) => ({
  run: { runId: "run-1", trigger: "cli" as const },
  mode,
  clock: aClockAt(),
  stateStore,
  notifier,
  settings: defaultNotificationSettings,
});

describe("the monitored run", () => {
  it("applies in enforce mode, saves what it left in step and records the run", async () => {
    const { ports } = developersPorts();
    const stateStore = new InMemoryStateStore();
    const notifier = new RecordingNotifier();

    const run = await runMonitoredRun({
      rules: developersRules(),
      ports,
      ...monitor(stateStore, notifier, "enforce"),
    });

    expect(run.result.status).toBe("applied");
    expect(stateStore.state?.applied?.runId).toBe("run-1");
    expect(stateStore.state?.health.status).toBe("ok");
    expect(stateStore.runs.map((record) => [record.runId, record.mode, record.status])).toEqual([
      ["run-1", "enforce", "applied"],
    ]);
    expect(run.warnings).toEqual([]);
  });

  it("in report mode changes nothing and records a reported run", async () => {
    const { ports, identityCenter } = developersPorts();
    const stateStore = new InMemoryStateStore();

    const run = await runMonitoredRun({
      rules: developersRules(),
      ports,
      ...monitor(stateStore, new RecordingNotifier(), "report"),
    });

    expect(run.result.status).toBe("planned");
    expect(identityCenter.appliedChanges()).toEqual([]);
    expect(stateStore.runs[0]?.status).toBe("reported");
  });

  it("alerts and records a read that fails, then throws it again so the caller fails", async () => {
    const { ports } = developersPorts();
    const failing = {
      ...ports,
      directory: {
        readDirectory: async () => {
          throw new DirectoryReadError("Google did not answer");
        },
      },
    };
    const stateStore = new InMemoryStateStore();
    const notifier = new RecordingNotifier();

    await expect(
      runMonitoredRun({
        rules: developersRules(),
        ports: failing,
        ...monitor(stateStore, notifier, "enforce"),
      }),
    ).rejects.toThrow(DirectoryReadError);

    expect(notifier.sent.map((notice) => notice.kind)).toEqual(["failure"]);
    expect(stateStore.state?.health).toMatchObject({ status: "failing", failedRuns: 1 });
    expect(stateStore.runs[0]).toMatchObject({
      status: "failed",
      message: expect.stringMatching(/Google did not answer/),
    });
  });

  it("records nothing for a run declined at the prompt", async () => {
    const { ports } = developersPorts();
    const stateStore = new InMemoryStateStore();

    const run = await runMonitoredRun({
      rules: developersRules(),
      ports,
      confirm: async () => false,
      ...monitor(stateStore, new RecordingNotifier(), "enforce"),
    });

    expect(run.result.status).toBe("declined");
    expect(stateStore.runs).toEqual([]);
    expect(stateStore.saves).toBe(0);
  });
});
