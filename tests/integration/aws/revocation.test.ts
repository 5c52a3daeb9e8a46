/**
 * The leaver kill switch (issue #20) through the real AWS SDK clients against the emulator: the
 * Identity Center adapter, the Organizations account directory and the SCP adapter, driven by `runSync`
 * (and the monitored run, for the alert) as the CLI and the Lambda drive them. Organizations enforces
 * the documented SCP quotas and who may call it; `policiesInForce` says which SCPs restrict an account.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AttachPolicyCommand, CreatePolicyCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsRevocationPolicies } from "../../../src/adapters/aws/aws-revocation-policies.js";
import { adapterClientConfig } from "../../../src/adapters/aws/client-config.js";
import type { SnapshotOrganization } from "../../../src/adapters/file/directory-snapshot.js";
import { FileStateStore } from "../../../src/adapters/state/file-state-store.js";
import { runMonitoredRun } from "../../../src/app/monitored-run.js";
import type { Directory } from "../../../src/sync/model.js";
import type { Notice } from "../../../src/sync/notices.js";
import { renderPlanText } from "../../../src/sync/render.js";
import { scpContent } from "../../../src/sync/revocation/deny-statements.js";
import type { RunSyncResult, SyncPorts } from "../../../src/sync/run-sync.js";
import { runSync } from "../../../src/sync/run-sync.js";
import { aDirectory, aDirectoryUser, aGoogleGroup, someRules } from "../../builders/rules.js";
import { type Harness, quickSleep, startHarness } from "./harness.js";

const management = "111111111111";
const members = ["222222222222", "333333333333", "555555555555"];

/** A management account and three member accounts, two of them in nested OUs. */
const organization: SnapshotOrganization = {
  rootId: "r-ab12",
  organizationalUnits: [
    { id: "ou-ab12-11111111", name: "Workloads", parentId: "r-ab12" },
    { id: "ou-ab12-22222222", name: "Production", parentId: "ou-ab12-11111111" },
  ],
  accounts: [
    { id: management, name: "management", status: "ACTIVE", parentId: "r-ab12", tags: {} },
    { id: "222222222222", name: "dev", status: "ACTIVE", parentId: "ou-ab12-11111111", tags: {} },
    { id: "333333333333", name: "prod", status: "ACTIVE", parentId: "ou-ab12-22222222", tags: {} },
    { id: "555555555555", name: "data", status: "ACTIVE", parentId: "r-ab12", tags: {} },
  ],
};

const rules = (leavers: Record<string, unknown> = { revokeSessions: "scp" }) =>
  someRules({ ...rulesParts(), leavers });

const mei = aDirectoryUser({ primaryEmail: "mei.tanaka@example.com" });
const ken = aDirectoryUser({ primaryEmail: "ken.sato@example.com" });
const directoryWith = (meiSuspended: boolean): Directory =>
  aDirectory({
    users: [ken, { ...mei, suspended: meiSuspended }],
    groups: [
      aGoogleGroup(
        "developers@example.com",
        meiSuspended ? [ken.primaryEmail] : [ken.primaryEmail, mei.primaryEmail],
      ),
    ],
  });

let harness: Harness;

beforeEach(async () => {
  harness = await startHarness({
    organization,
    organizationPolicies: { managementAccountId: management, scpEnabled: true },
  });
});

const clients: OrganizationsClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await harness.close();
});

/** The run's ports; `scpAccessKey` signs the SCP adapter's requests (the emulator maps keys to accounts). */
function portsFor(directory: Directory, scpAccessKey = "AKIDEXAMPLE"): SyncPorts {
  const organizations = new OrganizationsClient({
    endpoint: harness.emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: scpAccessKey, secretAccessKey: "emulator-secret" },
    ...adapterClientConfig({ deadlineMs: 2_000 }),
  });
  clients.push(organizations);
  return {
    directory: { readDirectory: async () => directory },
    accounts: harness.accounts,
    identityCenter: harness.newIdentityCenter(),
    revocation: new AwsRevocationPolicies({
      organizations,
      limits: { organizationsPerSecond: 10_000 },
      sleep: quickSleep,
      onCall: (_service, operation) => scpCalls.set(operation, (scpCalls.get(operation) ?? 0) + 1),
    }),
  };
}

async function apply(
  directory: Directory,
  now: string,
  leavers?: Record<string, unknown>,
): Promise<Extract<RunSyncResult, { status: "applied" }>> {
  const result = await runSync({
    rules: rules(leavers),
    ports: portsFor(directory),
    mode: "apply",
    allowDeletions: 100,
    clock: { now: () => new Date(now) },
  });
  if (result.status !== "applied") throw new Error(`expected an apply, got ${result.status}`);
  const failed = result.report.outcomes.filter((outcome) => outcome.status !== "applied");
  expect(failed).toEqual([]);
  return result;
}

/** The SCP adapter's requests since `scpCalls.clear()`, per operation. */
const scpCalls = new Map<string, number>();
const organizationsPolicyCalls = () => Object.fromEntries([...scpCalls].sort(([a], [b]) => (a < b ? -1 : 1)));

const userIdOf = (userName: string) =>
  harness.emulator.state().users.find((user) => user.userName === userName)?.id;
const deniesIn = (account: string) =>
  harness.emulator.organizationPolicies
    .policiesInForce(account)
    .filter((document) => document.includes("IdcSyncRevokeUntil"));

describe("the leaver kill switch against the emulated AWS", () => {
  it("denies a leaver with assignments in three member accounts in the same run, and the management account through its permission set", async () => {
    await apply(directoryWith(false), "2026-12-02T14:00:00Z");
    const meiId = userIdOf("mei.tanaka@example.com")!;
    scpCalls.clear();

    const left = await apply(directoryWith(true), "2026-12-02T15:10:00Z");
    const policyCalls = organizationsPolicyCalls();

    const text = renderPlanText(left.plan);
    expect(text).toContain(
      "+ revoke sessions of mei.tanaka@example.com until 2026-12-03T04:10Z (longest session PT12H, 4 accounts)",
    );
    expect(text).toContain("+ SCP idc-sync-revoke-sessions-1 (1 user");
    for (const account of members) {
      expect(deniesIn(account), account).toEqual([expect.stringContaining(`"${meiId}"`)]);
    }
    // SCPs do not reach the management account; the Admin permission set provisioned there does.
    expect(harness.emulator.organizationPolicies.policiesInForce(management)).toEqual([]);
    const admin = harness.emulator.state().permissionSets.find((set) => set.name === "Admin");
    expect(admin?.inlinePolicy).toContain(meiId);
    expect(harness.emulator.state().users.map((user) => user.userName)).toEqual(["ken.sato@example.com"]);

    // What the deny cost: one policy created and attached; reading the root and idc-sync's policies.
    expect(policyCalls).toEqual({
      AttachPolicy: 1,
      CreatePolicy: 1,
      ListPolicies: 1,
      ListPoliciesForTarget: 1,
      ListRoots: 1,
    });

    // A second run changes nothing: the deny is in force and in step.
    scpCalls.clear();
    const again = await apply(directoryWith(true), "2026-12-02T15:30:00Z");
    expect(again.plan.changes).toEqual([]);
    expect(organizationsPolicyCalls()).toEqual({
      DescribePolicy: 1,
      ListPolicies: 1,
      ListPoliciesForTarget: 1,
      ListRoots: 1,
      ListTagsForResource: 1,
    });
  });

  it("removes the deny once it has expired, found from the policies themselves (no run state kept)", async () => {
    await apply(directoryWith(false), "2026-12-02T14:00:00Z");
    const meiId = userIdOf("mei.tanaka@example.com")!;
    await apply(directoryWith(true), "2026-12-02T15:10:00Z");

    const expired = await apply(directoryWith(true), "2026-12-03T04:10:00Z");

    expect(renderPlanText(expired.plan)).toContain(
      `- revoke sessions of user ${meiId} until 2026-12-03T04:10Z`,
    );
    for (const account of members) expect(deniesIn(account)).toEqual([]);
    expect(
      harness.emulator.state().permissionSets.find((set) => set.name === "Admin")?.inlinePolicy,
    ).toBeUndefined();
    expect((await apply(directoryWith(true), "2026-12-03T05:00:00Z")).plan.changes).toEqual([]);
  });

  it("ends the deny at once when the leaver is back before it expires (users kept with leavers: strip)", async () => {
    const stripRules = (directory: Directory, now: string) =>
      runSync({
        rules: someRules({ ...rulesParts(), users: { leavers: "strip" } }),
        ports: portsFor(directory),
        mode: "apply",
        allowDeletions: 100,
        clock: { now: () => new Date(now) },
      });
    await stripRules(directoryWith(false), "2026-12-02T14:00:00Z");
    await stripRules(directoryWith(true), "2026-12-02T15:10:00Z");
    expect(deniesIn("222222222222")).toHaveLength(1);

    const back = await stripRules(directoryWith(false), "2026-12-02T16:00:00Z");

    expect(back.status).toBe("applied");
    expect("plan" in back && renderPlanText(back.plan)).toContain(
      "- revoke sessions of mei.tanaka@example.com until 2026-12-03T04:10Z",
    );
    for (const account of members) expect(deniesIn(account)).toEqual([]);
  });

  it("opens a second SCP when the first is full to its last character, and AWS's limits accept both", async () => {
    await apply(directoryWith(false), "2026-12-02T14:00:00Z");
    const organizations = new OrganizationsClient({
      endpoint: harness.emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator-secret" },
    });
    clients.push(organizations);
    // 98 denies of people who left earlier: 5,079 of 5,120 characters, no room for one more id.
    const earlier = Array.from({ length: 98 }, (_, index) => ({
      userId: `${String(index).padStart(10, "0")}-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901`,
      until: "2026-12-03T06:00Z",
    }));
    const full = await organizations.send(
      new CreatePolicyCommand({
        Name: "idc-sync-revoke-sessions-1",
        Description: "written by an earlier run",
        Type: "SERVICE_CONTROL_POLICY",
        Content: scpContent(earlier),
        Tags: [{ Key: "managed-by", Value: "idc-sync" }],
      }),
    );
    await organizations.send(
      new AttachPolicyCommand({ PolicyId: full.Policy!.PolicySummary!.Id!, TargetId: organization.rootId }),
    );

    const left = await apply(directoryWith(true), "2026-12-02T15:10:00Z");

    expect(renderPlanText(left.plan)).toContain(
      "+ SCP idc-sync-revoke-sessions-2 (1 user, 229 of 5,120 characters, attached to root r-ab12)",
    );
    expect(left.plan.changes.find((change) => change.kind === "createRevocationPolicy")?.reason).toBe(
      "the denies do not all fit in idc-sync-revoke-sessions-1 (5,120 characters each)",
    );
    expect(deniesIn("333333333333")).toHaveLength(2);
  });

  it("tells Slack when the deny ends, in the leaver notice of an enforce run, and never calls the deny drift", async () => {
    const dir = await mkdtemp(join(tmpdir(), "idc-sync-revocation-"));
    const told: Notice[] = [];
    const enforce = (directory: Directory, now: string, runId: string) =>
      runMonitoredRun({
        rules: rules(),
        ports: portsFor(directory),
        mode: "enforce",
        allowDeletions: 100,
        run: { runId, trigger: "schedule" },
        clock: { now: () => new Date(now) },
        stateStore: new FileStateStore(join(dir, "state.json")),
        notifier: {
          notify: async (notice) => {
            told.push(notice);
            return { delivered: true };
          },
        },
        settings: { on: ["drift", "failure", "changes"], remindEveryMs: 86_400_000 },
      });
    try {
      await enforce(directoryWith(false), "2026-12-02T14:00:00Z", "run-1");
      told.length = 0;
      await enforce(directoryWith(true), "2026-12-02T15:10:00Z", "run-2");
      const tellsOfTheDeny = told.splice(0);
      await enforce(directoryWith(true), "2026-12-03T04:10:00Z", "run-3");

      const changes = tellsOfTheDeny.find((notice) => notice.kind === "changes");
      const lines = changes?.kind === "changes" ? changes.changes : [];
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            summary:
              "+ revoke sessions of mei.tanaka@example.com until 2026-12-03T04:10Z (longest session PT12H, 4 accounts)",
            cause: "leaver",
          }),
          expect.objectContaining({
            summary: "- user mei.tanaka@example.com",
            reason: "suspended in Google; sessions denied until 2026-12-03T04:10Z",
          }),
        ]),
      );
      const expired = told.find((notice) => notice.kind === "changes");
      expect(expired?.kind === "changes" && expired.changes.map((line) => line.summary)).toContain(
        "- revoke sessions of mei.tanaka@example.com until 2026-12-03T04:10Z",
      );
      expect([...tellsOfTheDeny, ...told].map((notice) => notice.kind)).not.toContain("drift");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("still removes the leaver when the deny cannot be written, and alerts the failure", async () => {
    await apply(directoryWith(false), "2026-12-02T14:00:00Z");
    // The SCP adapter's credentials belong to a member account that may not manage policies.
    harness.emulator.organizationPolicies.setCaller("AKIDMEMBER", "222222222222");
    const dir = await mkdtemp(join(tmpdir(), "idc-sync-revocation-"));
    const told: Notice[] = [];
    try {
      const run = await runMonitoredRun({
        rules: rules(),
        ports: portsFor(directoryWith(true), "AKIDMEMBER"),
        mode: "enforce",
        allowDeletions: 100,
        run: { runId: "run-1", trigger: "schedule" },
        clock: { now: () => new Date("2026-12-02T15:10:00Z") },
        stateStore: new FileStateStore(join(dir, "state.json")),
        notifier: {
          notify: async (notice) => {
            told.push(notice);
            return { delivered: true };
          },
        },
        settings: { on: ["failure"], remindEveryMs: 86_400_000 },
      });

      expect(run.result.status).toBe("applied");
      expect(harness.emulator.state().users.map((user) => user.userName)).toEqual(["ken.sato@example.com"]);
      const failure = told.find((notice) => notice.kind === "failure");
      expect(failure).toMatchObject({ kind: "failure", problem: "changesFailed" });
      expect(failure?.kind === "failure" && failure.details.join("\n")).toContain(
        "+ revoke sessions of mei.tanaka@example.com until 2026-12-03T04:10Z",
      );
      expect(failure?.kind === "failure" && failure.details.join("\n")).toContain("AccessDeniedException");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function rulesParts() {
  return {
    groups: [{ name: "developers", members: [{ googleGroup: "developers@example.com" }] }],
    permissionSets: [
      { name: "Developer", sessionDuration: "PT8H" },
      { name: "Admin", sessionDuration: "PT12H" },
    ],
    accounts: { members, management: [management] },
    assignments: [
      { groups: ["developers"], permissionSets: ["Developer"], accounts: ["members"] },
      { groups: ["developers"], permissionSets: ["Admin"], accounts: ["management"] },
    ],
    leavers: { revokeSessions: "scp" },
  };
}
