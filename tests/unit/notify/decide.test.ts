import { describe, expect, it } from "vitest";
import {
  decideNotices,
  defaultNotificationSettings,
  forgetUndeliveredForeignUsers,
  rememberUndelivered,
} from "../../../src/notify/decide.js";
import type { Change, Plan } from "../../../src/sync/model.js";
import type { NoticeRun } from "../../../src/sync/notices.js";
import { initialRunState, type RunState } from "../../../src/sync/run-state.js";

const at = (iso: string) => new Date(iso);
const run: NoticeRun = {
  runId: "run-1",
  trigger: "schedule",
  mode: "report",
  at: "2026-05-04T09:00:00.000Z",
};
const drift: Change = {
  kind: "removeMember",
  key: "member:developers:mallory@example.com",
  reason: "no longer matched by the rules for developers",
  groupName: "developers",
  userName: "mallory@example.com",
  cause: "drift",
};
const planOf = (...changes: Change[]): Plan => ({ changes, notes: [], managedObjectCount: 10 });
const decide = (previous: RunState, now: string, plan = planOf(drift)) =>
  decideNotices({
    now: at(now),
    run,
    previous,
    outcome: { kind: "reported", plan },
    settings: defaultNotificationSettings,
  });
const kinds = (decision: ReturnType<typeof decide>) => decision.notices.map((notice) => notice.kind);

describe("deciding what a run tells", () => {
  it("tells about users another provisioner owns once, when first seen, and again only about new ones", () => {
    const seen = (...users: string[]): Plan => ({ ...planOf(), externallyProvisionedUsers: users });

    const first = decide(initialRunState(), "2026-05-04T09:00:00.000Z", seen("dave@example.com"));
    expect(first.notices).toEqual([
      { kind: "externallyProvisioned", run, users: ["dave@example.com"], total: 1 },
    ]);
    const told = { ...initialRunState(), externallyProvisionedReported: first.externallyProvisionedReported };

    expect(kinds(decide(told, "2026-05-04T09:15:00.000Z", seen("dave@example.com")))).toEqual([]);
    const more = decide(told, "2026-05-04T09:30:00.000Z", seen("dave@example.com", "erin@example.com"));
    expect(more.notices).toEqual([
      { kind: "externallyProvisioned", run, users: ["erin@example.com"], total: 2 },
    ]);
  });

  it("tells again about users another provisioner owns when the notice was not delivered", () => {
    const plan: Plan = { ...planOf(), externallyProvisionedUsers: ["dave@example.com"] };
    const first = decide(initialRunState(), "2026-05-04T09:00:00.000Z", plan);
    const notice = first.notices[0];
    if (!notice) throw new Error("expected a notice");

    expect(
      forgetUndeliveredForeignUsers(first.externallyProvisionedReported, notice, undefined),
    ).toBeUndefined();
  });

  it("alerts on new drift once, reminds after the interval, and resolves when it is gone", () => {
    const first = decide(initialRunState(), "2026-05-04T09:00:00.000Z");
    expect(kinds(first)).toEqual(["drift"]);
    const afterFirst = { ...initialRunState(), drift: first.drift };

    expect(kinds(decide(afterFirst, "2026-05-05T08:59:59.000Z"))).toEqual([]);
    const reminded = decide(afterFirst, "2026-05-05T09:00:00.000Z");
    expect(kinds(reminded)).toEqual(["driftReminder"]);

    const resolved = decide(
      { ...initialRunState(), drift: reminded.drift },
      "2026-05-05T10:00:00.000Z",
      planOf(),
    );
    expect(kinds(resolved)).toEqual(["driftResolved"]);
    expect(resolved.drift).toEqual({});
  });

  it("alerts again about drift whose alert was not delivered", () => {
    const first = decide(initialRunState(), "2026-05-04T09:00:00.000Z");
    const notice = first.notices[0];
    if (!notice) throw new Error("expected a drift notice");
    const kept = rememberUndelivered({ drift: first.drift, pendingDriftAlerts: [] }, notice, { drift: {} });

    expect(kinds(decide({ ...initialRunState(), ...kept }, "2026-05-04T09:15:00.000Z"))).toEqual(["drift"]);
  });

  it("alerts on every failing run, counts them, and posts one recovery", () => {
    const failure = (previous: RunState) =>
      decideNotices({
        now: at("2026-05-04T09:00:00.000Z"),
        run,
        previous,
        outcome: { kind: "error", message: "DirectoryReadError: Google answered 503" },
        settings: defaultNotificationSettings,
      });
    const once = failure(initialRunState());
    const twice = failure({ ...initialRunState(), health: once.health });
    expect(kinds(once)).toEqual(["failure"]);
    expect(twice.health.failedRuns).toBe(2);

    const recovered = decide(
      { ...initialRunState(), health: twice.health },
      "2026-05-04T10:00:00.000Z",
      planOf(),
    );
    expect(kinds(recovered)).toEqual(["recovered"]);
  });

  it("stays quiet about topics the rules did not ask for", () => {
    const decision = decideNotices({
      now: at("2026-05-04T09:00:00.000Z"),
      run,
      previous: initialRunState(),
      outcome: { kind: "reported", plan: planOf(drift) },
      settings: { ...defaultNotificationSettings, on: ["failure"] },
    });
    expect(decision.notices).toEqual([]);
    expect(decision.drift[drift.key]?.lastAlertAt).toBeUndefined();
  });
});
