/**
 * A targeted leaver run (issue #14) through the real Google client and the real AWS SDK clients,
 * against both emulators: what it costs in API calls, and (issue #20) that the deny on the leaver's
 * sessions is written before any access is removed.
 */
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { afterEach, describe, expect, it } from "vitest";
import { AwsRevocationPolicies } from "../../src/adapters/aws/aws-revocation-policies.js";
import { adapterClientConfig } from "../../src/adapters/aws/client-config.js";
import { parseDirectorySnapshot } from "../../src/adapters/file/directory-snapshot.js";
import type { IdentityCenterState } from "../../src/sync/model.js";
import { type RunSyncResult, runSync } from "../../src/sync/run-sync.js";
import { someRules } from "../builders/rules.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../emulators/google-directory/emulator.js";
import { aStoredPermissionSet, aUser, type Harness, quickSleep, startHarness } from "./aws/harness.js";
import { sourceFor } from "./google/google-test-kit.js";

const accounts = ["222222222222", "333333333333", "555555555555"];
const management = "111111111111";

const mei = aUser("mei");
const ken = aUser("ken");

/** Google: mei is suspended; ken is active; both were in the AWS admins group. */
const snapshot = parseDirectorySnapshot(
  JSON.stringify({
    version: 1,
    users: [
      {
        id: "100000000000000000001",
        primaryEmail: "mei@example.com",
        givenName: "Mei",
        familyName: "Example",
        suspended: true,
      },
      {
        id: "100000000000000000002",
        primaryEmail: "ken@example.com",
        givenName: "Ken",
        familyName: "Example",
      },
    ],
    groups: [
      { email: "aws-admins@example.com", name: "AWS admins", members: ["ken@example.com"] },
      { email: "dev@example.com", name: "Developers", members: ["ken@example.com"] },
    ],
    orgUnits: [],
  }),
  "targeted-leaver.json",
);

const rules = (leavers: Record<string, unknown> = {}) =>
  someRules({
    groups: [
      { name: "aws-admins", members: [{ googleGroup: "aws-admins@example.com" }] },
      { name: "developers", members: [{ googleGroup: "dev@example.com" }] },
    ],
    permissionSets: [{ name: "Admin", sessionDuration: "PT4H", managedPolicies: ["AdministratorAccess"] }],
    ...(Object.keys(leavers).length > 0 ? { leavers } : {}),
  });

/** Identity Center before: mei in two groups with three direct assignments, like ken. */
function identityCenterBefore(): IdentityCenterState {
  const admin = aStoredPermissionSet("Admin", {
    managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
    sessionDuration: "PT4H",
    provisionedAccountIds: [...accounts],
  });
  return {
    users: [mei, ken],
    groups: [
      {
        id: "a1b2c3d4-0000-4000-8000-000000000001",
        displayName: "aws-admins",
        members: [mei.userName, ken.userName],
      },
      {
        id: "a1b2c3d4-0000-4000-8000-000000000002",
        displayName: "developers",
        members: [mei.userName, ken.userName],
      },
    ],
    permissionSets: [admin],
    assignments: [mei, ken].flatMap((user) =>
      accounts.map((accountId) => ({
        principalType: "USER" as const,
        principalName: user.userName,
        permissionSetName: "Admin",
        accountId,
      })),
    ),
  };
}

let harness: Harness | undefined;
let google: GoogleDirectoryEmulator | undefined;
const clients: OrganizationsClient[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await harness?.close();
  await google?.close();
  harness = undefined;
  google = undefined;
});

function applied(result: RunSyncResult) {
  if (result.status !== "applied") throw new Error(`expected an apply, got ${result.status}`);
  expect(result.report.outcomes.filter((outcome) => outcome.status !== "applied")).toEqual([]);
  return result;
}

/** mei leaves with SCP denies on; she also reaches a fourth account through the aws-admins group. */
async function scpWorld() {
  const before = identityCenterBefore();
  const viaGroup = "666666666666";
  before.permissionSets[0]!.provisionedAccountIds.push(viaGroup);
  before.assignments.push({
    principalType: "GROUP",
    principalName: "aws-admins",
    permissionSetName: "Admin",
    accountId: viaGroup,
  });
  const started = await startHarness({
    state: before,
    organization: {
      rootId: "r-ab12",
      organizationalUnits: [],
      accounts: [management, ...accounts, viaGroup].map((id) => ({
        id,
        name: `account-${id.slice(0, 3)}`,
        status: "ACTIVE" as const,
        parentId: "r-ab12",
        tags: {},
      })),
    },
    organizationPolicies: { managementAccountId: management, scpEnabled: true },
  });
  harness = started;
  google = await startGoogleDirectoryEmulator({ snapshot });
  const writes: string[] = [];
  const isWrite = (operation: string) => !/^(List|Describe|Get)/.test(operation);
  const organizations = new OrganizationsClient({
    endpoint: started.emulator.url,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator-secret" },
    ...adapterClientConfig({ deadlineMs: 2_000 }),
  });
  clients.push(organizations);

  const record = (_service: string, operation: string) => {
    if (isWrite(operation)) writes.push(operation);
  };
  const ports = {
    directory: sourceFor(google).source,
    accounts: started.accounts,
    identityCenter: started.newIdentityCenter({ onCall: record }),
    revocation: new AwsRevocationPolicies({
      organizations,
      limits: { organizationsPerSecond: 10_000 },
      sleep: quickSleep,
      onCall: record,
    }),
  };
  return { ports, writes, viaGroup, emulator: started.emulator };
}

describe("a targeted leaver run against the emulated Google and AWS", () => {
  it("removes a suspended person's memberships, assignments and user in 7 reads and 12 writes and polls, and nobody else's", async () => {
    harness = await startHarness({ state: identityCenterBefore() });
    google = await startGoogleDirectoryEmulator({ snapshot });
    harness.emulator.resetCounts();
    google.resetCounts();

    const result = applied(
      await runSync({
        rules: rules(),
        ports: {
          directory: sourceFor(google).source,
          accounts: harness.accounts,
          identityCenter: harness.newIdentityCenter(),
        },
        mode: "apply",
        scope: { kind: "targeted", subjects: [{ kind: "person", email: "mei@example.com" }] },
      }),
    );

    expect(result.plan.changes.map((change) => change.key)).toEqual([
      ...accounts.map((account) => `assignment:USER:mei@example.com:Admin:${account}`),
      "member:aws-admins:mei@example.com",
      "member:developers:mei@example.com",
      "user:mei@example.com",
    ]);
    const after = harness.emulator.state();
    expect(after.users.map((user) => user.userName)).toEqual(["ken@example.com"]);
    expect(after.groups.map((group) => group.members)).toEqual([["ken@example.com"], ["ken@example.com"]]);
    expect(after.assignments.map((a) => a.principalName)).toEqual(accounts.map(() => "ken@example.com"));
    expect(harness.emulator.leftovers()).toEqual({ memberships: [], assignments: [] });

    const aws = harness.emulator.counts().byOperation;
    const googleCalls = Object.values(google.requestCounts()).reduce((sum, count) => sum + count, 0);
    expect({ google: google.requestCounts(), aws }).toEqual({
      google: { "/admin/directory/v1/users/mei@example.com": 1 },
      aws: {
        // Reading: who mei is in Identity Center, her groups and her assignments.
        "identitystore:ListGroups": 1,
        "identitystore:GetUserId": 1,
        "identitystore:DescribeUser": 1,
        "identitystore:ListGroupMembershipsForMember": 1,
        "sso-admin:ListAccountAssignmentsForPrincipal": 1,
        "sso-admin:DescribePermissionSet": 1,
        // Removing: each assignment deletion is asynchronous; the emulator answers IN_PROGRESS to the
        // request and the first poll (its default), SUCCEEDED to the second.
        "sso-admin:DeleteAccountAssignment": 3,
        "sso-admin:DescribeAccountAssignmentDeletionStatus": 6,
        "identitystore:DeleteGroupMembership": 2,
        "identitystore:DeleteUser": 1,
      },
    });
    // One leaver with two memberships and three assignments: 19 calls; 16 where each deletion is done
    // by its first poll. Reading costs 7 whatever the organisation's size.
    expect(googleCalls + Object.values(aws).reduce((sum, count) => sum + count, 0)).toBe(19);
  });

  it("names the leaver's groups by the groups the last full run listed: no ListGroups, DescribeGroup only for a group made since", async () => {
    harness = await startHarness({ state: identityCenterBefore() });
    google = await startGoogleDirectoryEmulator({ snapshot });
    // As the run state keeps them: the last full run saw aws-admins; developers was made after it.
    const [admins, developers] = harness.emulator.state().groups;
    const knownGroups = [{ id: admins!.id, displayName: admins!.displayName }];
    harness.emulator.resetCounts();

    const result = applied(
      await runSync({
        rules: rules(),
        ports: {
          directory: sourceFor(google).source,
          accounts: harness.accounts,
          identityCenter: harness.newIdentityCenter(),
        },
        mode: "apply",
        scope: { kind: "targeted", subjects: [{ kind: "person", email: "mei@example.com" }] },
        knownGroups,
      }),
    );

    expect(result.plan.changes.map((change) => change.key)).toEqual([
      ...accounts.map((account) => `assignment:USER:mei@example.com:Admin:${account}`),
      "member:aws-admins:mei@example.com",
      "member:developers:mei@example.com",
      "user:mei@example.com",
    ]);
    expect(harness.emulator.state().groups.map((group) => [group.id, group.members])).toEqual([
      [admins!.id, ["ken@example.com"]],
      [developers!.id, ["ken@example.com"]],
    ]);
    const aws = harness.emulator.counts().byOperation;
    expect(aws["identitystore:ListGroups"]).toBeUndefined();
    expect(aws["identitystore:DescribeGroup"]).toBe(1);
  });

  it("reads the manager an active person names, so their unchanged user is not updated", async () => {
    const boss = aUser("boss");
    const before = identityCenterBefore();
    before.users = [mei, { ...ken, enterprise: { manager: boss.userName } }, boss];
    before.assignments = [];
    harness = await startHarness({ state: before });
    const withManager = parseDirectorySnapshot(
      JSON.stringify({
        version: 1,
        users: [
          {
            id: "1",
            primaryEmail: "ken@example.com",
            givenName: "Ken",
            familyName: "Example",
            manager: "boss@example.com",
          },
          { id: "2", primaryEmail: "boss@example.com", givenName: "Boss", familyName: "Example" },
        ],
        groups: [
          {
            email: "aws-admins@example.com",
            name: "AWS admins",
            members: ["ken@example.com", "boss@example.com"],
          },
          { email: "dev@example.com", name: "Developers", members: ["ken@example.com"] },
        ],
        orgUnits: [],
      }),
      "manager.json",
    );
    google = await startGoogleDirectoryEmulator({ snapshot: withManager });
    harness.emulator.resetCounts();

    const result = await runSync({
      rules: someRules({
        groups: [
          { name: "aws-admins", members: [{ googleGroup: "aws-admins@example.com" }] },
          { name: "developers", members: [{ googleGroup: "dev@example.com" }] },
        ],
      }),
      ports: {
        directory: sourceFor(google).source,
        accounts: harness.accounts,
        identityCenter: harness.newIdentityCenter(),
      },
      mode: "plan",
      scope: { kind: "targeted", subjects: [{ kind: "person", email: "ken@example.com" }] },
    });

    if (result.status !== "planned") throw new Error(result.status);
    expect(result.plan.changes.map((change) => change.key)).toEqual([]);
    expect(harness.emulator.counts().byOperation["identitystore:DescribeUser"]).toBe(2);
  });

  it("skips GetUserId when the run state recorded which Identity Center user the person is", async () => {
    harness = await startHarness({ state: identityCenterBefore() });
    google = await startGoogleDirectoryEmulator({ snapshot });
    const meiId = harness.emulator.state().users.find((user) => user.userName === mei.userName)?.id ?? "";
    harness.emulator.resetCounts();

    applied(
      await runSync({
        rules: rules(),
        ports: {
          directory: sourceFor(google).source,
          accounts: harness.accounts,
          identityCenter: harness.newIdentityCenter(),
        },
        mode: "apply",
        ownership: {
          record: {
            groups: {},
            permissionSets: {},
            users: { "100000000000000000001": { userId: meiId, userName: mei.userName } },
          },
        },
        scope: { kind: "targeted", subjects: [{ kind: "person", email: "mei@example.com" }] },
      }),
    );

    const aws = harness.emulator.counts().byOperation;
    expect(aws["identitystore:GetUserId"]).toBeUndefined();
    expect(harness.emulator.state().users.map((user) => user.userName)).toEqual(["ken@example.com"]);
    // 18 calls; 15 where each deletion is done by its first poll.
    expect(1 + Object.values(aws).reduce((sum, count) => sum + count, 0)).toBe(18);
  });

  it("writes the deny on the leaver's sessions before removing any access (leavers.revokeSessions: scp)", async () => {
    const { ports, writes, viaGroup, emulator } = await scpWorld();

    const result = applied(
      await runSync({
        rules: rules({ revokeSessions: "scp" }),
        ports,
        mode: "apply",
        clock: { now: () => new Date("2026-12-02T15:10:00Z") },
        scope: { kind: "targeted", subjects: [{ kind: "person", email: "mei@example.com" }] },
      }),
    );

    expect(result.plan.changes.map((change) => change.kind)).toEqual([
      "createRevocationPolicy",
      "revokeSessions",
      "deleteAssignment",
      "deleteAssignment",
      "deleteAssignment",
      "removeMember",
      "removeMember",
      "deleteUser",
    ]);
    // The deny is in force in every member account before the first removal went out.
    expect(writes.slice(0, 2)).toEqual(["CreatePolicy", "AttachPolicy"]);
    expect(writes.slice(2)).toEqual([
      "DeleteAccountAssignment",
      "DeleteAccountAssignment",
      "DeleteAccountAssignment",
      "DeleteGroupMembership",
      "DeleteGroupMembership",
      "DeleteUser",
    ]);
    for (const account of [...accounts, viaGroup]) {
      expect(emulator.organizationPolicies.policiesInForce(account).join()).toContain(mei.id);
    }
    // The group keeps its assignment: a targeted run changes no group's access.
    expect(emulator.state().assignments.filter((a) => a.principalType === "GROUP")).toHaveLength(1);
    const revoke = result.plan.changes.find((change) => change.kind === "revokeSessions");
    expect(revoke && "accountIds" in revoke ? revoke.accountIds : []).toEqual([...accounts, viaGroup]);
  });

  it("writes the deny first in a full run too: every SCP write before the first removal", async () => {
    const { ports, writes } = await scpWorld();

    const result = applied(
      await runSync({
        rules: rules({ revokeSessions: "scp" }),
        ports,
        mode: "apply",
        allowDeletions: 100,
        clock: { now: () => new Date("2026-12-02T15:10:00Z") },
      }),
    );

    expect(result.plan.changes.filter((change) => change.kind === "deleteUser")).toHaveLength(1);
    const firstRemoval = writes.findIndex((operation) => operation.startsWith("Delete"));
    const policyWrites = writes.flatMap((operation, index) => (/Policy$/.test(operation) ? [index] : []));
    expect(policyWrites.length).toBeGreaterThan(0);
    expect(firstRemoval).toBeGreaterThan(Math.max(...policyWrites));
  });
});
