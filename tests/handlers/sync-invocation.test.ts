import { copyFile, cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FileDirectorySource } from "../../src/adapters/file/file-directory-source.js";
import { FileIdentityCenter } from "../../src/adapters/file/file-identity-center.js";
import { loadStateFile } from "../../src/adapters/file/state-file.js";
import { StrictInMemoryIdentityCenter } from "../../src/adapters/file/strict-in-memory-identity-center.js";
import {
  handleSyncInvocation,
  type SyncHandlerDependencies,
  type SyncInvocationResult,
  type SyncLogger,
} from "../../src/handlers/sync-invocation.js";
import type { IdentityCenterChange, IdentityCenterState, Scope } from "../../src/sync/model.js";
import type { IdentityCenter } from "../../src/sync/ports.js";
import scheduledEvent from "../fixtures/events/scheduled.json" with { type: "json" };

const root = resolve(import.meta.dirname, "../..");
const rulesPath = join(root, "examples/rules.yaml");
const directoryPath = join(root, "examples/directory.yaml");
const nextDirectoryPath = join(root, "examples/directory-next.yaml");

/** A logger that keeps every line, as Powertools would print it, for assertions. */
class RecordingLogger implements SyncLogger {
  readonly lines: { level: string; message: string; [key: string]: unknown }[] = [];
  private keys: Record<string, unknown> = {};
  info(message: string, ...attributes: Record<string, unknown>[]) {
    this.push("INFO", message, attributes);
  }
  warn(message: string, ...attributes: Record<string, unknown>[]) {
    this.push("WARN", message, attributes);
  }
  error(message: string, ...attributes: Record<string, unknown>[]) {
    this.push("ERROR", message, attributes);
  }
  appendKeys(keys: Record<string, unknown>) {
    this.keys = { ...this.keys, ...keys };
  }
  messages(level?: string): string[] {
    return this.lines.filter((line) => !level || line.level === level).map((line) => line.message);
  }
  private push(level: string, message: string, attributes: Record<string, unknown>[]) {
    this.lines.push({ ...this.keys, ...Object.assign({}, ...attributes), level, message });
  }
}

/** Lambda time that only moves when the test says so. */
class FakeLambdaClock {
  constructor(public remainingMs: number) {}
  getRemainingTimeInMillis = () => this.remainingMs;
}

/** Identity Center where every change takes `costMs` of Lambda time (the in-memory one does the work). */
class SlowIdentityCenter implements IdentityCenter {
  constructor(
    private readonly inner: IdentityCenter,
    private readonly clock: FakeLambdaClock,
    private readonly costMs: number,
  ) {}
  readState(scope: Scope): Promise<IdentityCenterState> {
    return this.inner.readState(scope);
  }
  async applyChange(change: IdentityCenterChange): Promise<void> {
    await this.inner.applyChange(change);
    this.clock.remainingMs -= this.costMs;
  }
}

describe("the sync handler", () => {
  let dir: string;
  let statePath: string;
  let logger: RecordingLogger;

  const deps = (overrides: Partial<SyncHandlerDependencies> = {}): SyncHandlerDependencies => ({
    rulesPath,
    logger,
    deadlineMarginMs: 60_000,
    newRunId: () => "run-1",
    buildPorts: async () => {
      const source = new FileDirectorySource(directoryPath);
      return {
        directory: source,
        accounts: source,
        identityCenter: await FileIdentityCenter.open(statePath),
      };
    },
    ...overrides,
  });
  const plenty = () => new FakeLambdaClock(900_000);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "idc-sync-handler-"));
    statePath = join(dir, "identity-center.json");
    await copyFile(join(root, "examples/identity-center.json"), statePath);
    logger = new RecordingLogger();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("applies the plan on a scheduled event, logs every change with the run id, and converges", async () => {
    const result = await handleSyncInvocation(scheduledEvent, plenty(), deps());

    expect(result).toMatchObject({
      runId: "run-1",
      ok: true,
      status: "applied",
      trigger: "schedule",
      mode: "apply",
    });
    const applied = assertStatus(result, "applied");
    const planned = applied.plan.add + applied.plan.change + applied.plan.remove;
    expect(planned).toBeGreaterThan(10);
    expect(applied.apply).toMatchObject({
      applied: planned,
      failed: 0,
      notStarted: 0,
      stoppedByDeadline: false,
    });
    const changeLines = logger.lines.filter((line) => line.message === "change applied");
    expect(changeLines).toHaveLength(planned);
    expect(changeLines.every((line) => line.runId === "run-1" && typeof line.key === "string")).toBe(true);
    // The plan is logged before the first change, so the log reads like the CLI's output.
    expect(logger.messages().indexOf("plan")).toBeLessThan(logger.messages().indexOf("change applied"));

    const again = await handleSyncInvocation({ mode: "plan" }, plenty(), deps());
    expect(assertStatus(again, "planned").plan).toMatchObject({ add: 0, change: 0, remove: 0 });
  });

  it("plans without changing anything on a manual plan payload, and returns the plan text", async () => {
    const before = await loadStateFile(statePath);

    const result = await handleSyncInvocation({ mode: "plan" }, plenty(), deps());

    const planned = assertStatus(result, "planned");
    expect(planned).toMatchObject({ ok: true, trigger: "manual", mode: "plan", guard: { ok: true } });
    expect(planned.planText).toContain("Plan: ");
    expect(planned.planText).toContain("+ developers");
    expect(logger.messages()).toContain("planned change");
    expect(await loadStateFile(statePath)).toEqual(before);
  });

  it("plans a targeted run for the subjects a manual payload names, and nobody else", async () => {
    const full = assertStatus(await handleSyncInvocation({ mode: "plan" }, plenty(), deps()), "planned");
    const result = await handleSyncInvocation(
      { mode: "plan", subjects: ["person:hanako.suzuki@example.com"] },
      plenty(),
      deps(),
    );

    const planned = assertStatus(result, "planned");
    const lines = planned.planText.split("\n").filter((line) => /^\s+[-+~] /.test(line));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(full.planText).toContain(line);
    expect(lines.filter((line) => line.includes("@")).every((line) => line.includes("hanako.suzuki"))).toBe(
      true,
    );
  });

  it("rejects a payload whose subject is mistyped, saying what a subject looks like", async () => {
    const result = await handleSyncInvocation({ mode: "apply", subjects: ["hanako"] }, plenty(), deps());
    expect(assertStatus(result, "rejected").problems).toEqual([
      expect.stringContaining("subjects: 'hanako' is not a subject: use person:EMAIL, group:EMAIL"),
    ]);
  });

  it("rejects a bad payload with every problem listed, and builds nothing", async () => {
    let built = false;
    const result = await handleSyncInvocation(
      { mode: "aply", allowDeletions: -2, dryRun: true },
      plenty(),
      deps({
        buildPorts: async () => {
          built = true;
          throw new Error("must not be called");
        },
      }),
    );

    expect(result).toMatchObject({ ok: false, status: "rejected" });
    const rejected = assertStatus(result, "rejected");
    expect(rejected.problems).toEqual([
      'mode must be "plan", "apply" or "report", got "aply"',
      "allowDeletions must be 0 or more, got -2",
      'unknown field "dryRun": only "mode", "allowDeletions" and "subjects" are read',
    ]);
    expect(rejected.hint).toContain('{"mode":"plan"}');
    expect(built).toBe(false);
  });

  it.each([
    ["an empty object", {}, ['mode is required: "plan", "apply" or "report"']],
    ["a bare string", "apply", [expect.stringContaining("the event must be a JSON object")]],
    ["a string count", { mode: "apply", allowDeletions: "3" }, ['allowDeletions must be a number, got "3"']],
    [
      "a fractional count",
      { mode: "apply", allowDeletions: 1.5 },
      ["allowDeletions must be a whole number, got 1.5"],
    ],
  ])("rejects %s", async (_name, event, problems) => {
    const result = await handleSyncInvocation(event, plenty(), deps());
    expect(assertStatus(result, "rejected").problems).toEqual(problems);
  });

  it("stops applying before the deadline, reports what is left, and the next run converges", async () => {
    const clock = new FakeLambdaClock(200_000);
    const memory = new StrictInMemoryIdentityCenter(await loadStateFile(statePath));
    const source = new FileDirectorySource(directoryPath);
    // Each change costs 10 s; with a 60 s margin, about 14 changes fit before the run must stop.
    const slow = deps({
      buildPorts: async () => ({
        directory: source,
        accounts: source,
        identityCenter: new SlowIdentityCenter(memory, clock, 10_000),
      }),
    });

    const first = assertStatus(await handleSyncInvocation(scheduledEvent, clock, slow), "applied");

    expect(first.apply.stoppedByDeadline).toBe(true);
    expect(first.apply.applied).toBeGreaterThan(0);
    expect(first.apply.notStarted).toBeGreaterThan(0);
    expect(first.apply.failed).toBe(0);
    expect(first.apply.left).toHaveLength(first.apply.notStarted);
    expect(clock.remainingMs).toBeGreaterThan(0);
    expect(logger.messages("WARN")).toContain(
      "deadline near: no new change starts; the next run picks up the rest",
    );

    clock.remainingMs = 900_000;
    const second = assertStatus(await handleSyncInvocation(scheduledEvent, clock, slow), "applied");
    expect(second.apply).toMatchObject({ failed: 0, notStarted: 0, stoppedByDeadline: false });
    expect(second.apply.applied).toBeGreaterThanOrEqual(first.apply.notStarted);

    const third = assertStatus(await handleSyncInvocation({ mode: "plan" }, clock, slow), "planned");
    expect(third.plan).toMatchObject({ add: 0, change: 0, remove: 0 });
  });

  it("stops at the maxDeletions guard unless the payload allows the deletions", async () => {
    await handleSyncInvocation(scheduledEvent, plenty(), deps());
    // directory-next has one leaver; a rules file that allows no deletion at all makes the guard trip.
    const strictRules = join(dir, "rules.yaml");
    const { readFile } = await import("node:fs/promises");
    const text = (await readFile(rulesPath, "utf8")).replace("maxDeletions: 10%", "maxDeletions: 0");
    await writeFile(strictRules, text);
    await cp(join(root, "examples/policies"), join(dir, "policies"), { recursive: true });
    const next = deps({
      rulesPath: strictRules,
      buildPorts: async () => {
        const source = new FileDirectorySource(nextDirectoryPath);
        return {
          directory: source,
          accounts: source,
          identityCenter: await FileIdentityCenter.open(statePath),
        };
      },
    });

    const blocked = assertStatus(await handleSyncInvocation(scheduledEvent, plenty(), next), "blocked");
    expect(blocked.ok).toBe(false);
    expect(blocked.guard.violations[0]?.guard).toBe("maxDeletions");
    expect(logger.messages("ERROR")).toContain("stopped by a safety guard, nothing was applied");

    const allowed = await handleSyncInvocation({ mode: "apply", allowDeletions: 5 }, plenty(), next);
    expect(assertStatus(allowed, "applied").apply).toMatchObject({ failed: 0, notStarted: 0 });
  });

  it("reports a broken rules file with its location and changes nothing", async () => {
    const broken = join(dir, "broken.yaml");
    await writeFile(broken, "version: 1\ngoogle:\n  domains: [example.com]\ngroups:\n  - nam: x\n");

    const result = await handleSyncInvocation(scheduledEvent, plenty(), deps({ rulesPath: broken }));

    const invalid = assertStatus(result, "invalid");
    expect(invalid.ok).toBe(false);
    expect(invalid.problems.length).toBeGreaterThan(0);
    expect(invalid.problems.every((problem) => problem.startsWith(`${broken}:`))).toBe(true);
  });

  it("logs an infrastructure failure with the run id and fails the invocation", async () => {
    const failing = deps({
      buildPorts: async () => {
        const source = new FileDirectorySource(join(dir, "missing-directory.yaml"));
        return {
          directory: source,
          accounts: source,
          identityCenter: await FileIdentityCenter.open(statePath),
        };
      },
    });

    await expect(handleSyncInvocation(scheduledEvent, plenty(), failing)).rejects.toThrow(
      /missing-directory/,
    );
    const failure = logger.lines.find((line) => line.message === "sync failed");
    expect(failure).toMatchObject({ level: "ERROR", runId: "run-1", trigger: "schedule" });
  });
});

function assertStatus<S extends SyncInvocationResult["status"]>(
  result: SyncInvocationResult,
  status: S,
): Extract<SyncInvocationResult, { status: S }> {
  expect(result.status, JSON.stringify(result, null, 2)).toBe(status);
  return result as Extract<SyncInvocationResult, { status: S }>;
}
