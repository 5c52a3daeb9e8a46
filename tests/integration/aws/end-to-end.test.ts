import { MoveAccountCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { afterEach, describe, expect, it } from "vitest";
import type { AwsIdentityCenter } from "../../../src/adapters/aws/aws-identity-center.js";
import { applyPlan } from "../../../src/sync/apply.js";
import type {
  AwsAccount,
  DesiredAssignment,
  DesiredGroup,
  DesiredState,
  DesiredUser,
  IdentityCenterState,
  Scope,
} from "../../../src/sync/model.js";
import { computePlan } from "../../../src/sync/plan.js";
import {
  anIdentityCenter,
  anOrganization,
  aPermissionSet,
  aScope,
  aUser,
  type Harness,
  startHarness,
  userAttributes,
} from "./harness.js";

const people = ["alice", "bob", "carol", "dave"] as const;

function aDesiredUser(localPart: string): DesiredUser {
  return { ...userAttributes(aUser(localPart)), previousUserNames: [], reason: "in a mapped group" };
}

function aDesiredGroup(displayName: string, members: string[], description?: string): DesiredGroup {
  return {
    displayName,
    ...(description ? { description } : {}),
    previousNames: [],
    members: members.map((localPart) => ({
      userName: `${localPart}@example.com`,
      reason: "orgUnit /Engineering",
    })),
  };
}

function anAssignment(group: string, permissionSetName: string, accountId: string): DesiredAssignment {
  return {
    principalType: "GROUP",
    principalName: group,
    permissionSetName,
    accountId,
    reason: "assignments[0]",
  };
}

const developerPolicy =
  '{"Statement":[{"Action":"iam:*","Effect":"Deny","Resource":"*"}],"Version":"2012-10-17"}';

function desiredState(overrides: Partial<DesiredState> = {}): DesiredState {
  return {
    users: people.map(aDesiredUser),
    groups: [
      aDesiredGroup("developers", ["alice", "bob", "carol"], "Developers"),
      aDesiredGroup("admins", ["dave"]),
    ],
    permissionSets: [
      aPermissionSet("Developer", {
        description: "Build things",
        managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
        inlinePolicy: developerPolicy,
        tags: { team: "platform" },
      }),
      aPermissionSet("Admin", { managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }),
    ],
    assignments: [
      anAssignment("developers", "Developer", "222222222222"),
      anAssignment("developers", "Developer", "333333333333"),
      anAssignment("admins", "Admin", "111111111111"),
    ],
    absentReasons: {},
    ...overrides,
  };
}

const scope: Scope = aScope({
  groupNames: ["developers", "admins"],
  permissionSetNames: ["Developer", "Admin"],
  protectedUserNames: ["breakglass@example.com"],
  protectedGroupNames: ["AWSControlTowerAdmins"],
});

/** One run as the CLI does it: read, plan, apply, through a fresh adapter. */
async function sync(
  harness: Harness,
  desired: DesiredState,
  adapter: AwsIdentityCenter = harness.newIdentityCenter(),
) {
  const actual = await adapter.readState(scope);
  const plan = computePlan(desired, actual, scope);
  const report = await applyPlan(plan, adapter);
  return { plan, report };
}

function withoutIds(state: IdentityCenterState) {
  return {
    users: state.users
      .map(({ id: _id, ...user }) => user)
      .sort((a, b) => a.userName.localeCompare(b.userName)),
    groups: state.groups
      .map(({ id: _id, ...group }) => group)
      .sort((a, b) => a.displayName.localeCompare(b.displayName)),
    assignments: [...state.assignments].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  };
}

describe("plan and apply against the AWS emulator, end to end", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  it("creates everything on an empty Identity Center, then a re-run plans nothing and writes nothing", async () => {
    harness = await startHarness();

    const first = await sync(harness, desiredState());
    harness.emulator.resetCounts();
    const second = await sync(harness, desiredState());

    expect(first.report).toMatchObject({ failed: 0, skipped: 0, notStarted: 0 });
    expect(first.report.applied).toBe(first.plan.changes.length);
    expect(withoutIds(harness.emulator.state())).toEqual({
      users: people.map((localPart) => userAttributes(aUser(localPart))),
      groups: [
        { displayName: "admins", members: ["dave@example.com"] },
        {
          displayName: "developers",
          description: "Developers",
          members: ["alice@example.com", "bob@example.com", "carol@example.com"],
        },
      ],
      assignments: [
        {
          principalType: "GROUP",
          principalName: "admins",
          permissionSetName: "Admin",
          accountId: "111111111111",
        },
        {
          principalType: "GROUP",
          principalName: "developers",
          permissionSetName: "Developer",
          accountId: "222222222222",
        },
        {
          principalType: "GROUP",
          principalName: "developers",
          permissionSetName: "Developer",
          accountId: "333333333333",
        },
      ],
    });
    expect(harness.emulator.state().permissionSets.map((set) => set.tags["managed-by"])).toEqual([
      "idc-sync",
      "idc-sync",
    ]);
    expect(second.plan.changes).toEqual([]);
    expect(harness.emulator.counts().writes).toBe(0);
  });

  it("removes a leaver's memberships and assignments before deleting the user, leaving nothing behind", async () => {
    harness = await startHarness();
    const withDirectGrant = desiredState({
      assignments: [
        ...desiredState().assignments,
        {
          principalType: "USER",
          principalName: "carol@example.com",
          permissionSetName: "Admin",
          accountId: "222222222222",
          reason: "r",
        },
      ],
    });
    await sync(harness, withDirectGrant);

    const leaverGone = desiredState({
      users: ["alice", "bob", "dave"].map(aDesiredUser),
      groups: [
        aDesiredGroup("developers", ["alice", "bob"], "Developers"),
        aDesiredGroup("admins", ["dave"]),
      ],
      absentReasons: { "carol@example.com": "suspended in Google" },
    });
    const { plan, report } = await sync(harness, leaverGone);

    expect(plan.changes.map((change) => change.kind)).toEqual([
      "deleteAssignment",
      "removeMember",
      "deleteUser",
    ]);
    expect(report.failed).toBe(0);
    const state = harness.emulator.state();
    expect(state.users.map((user) => user.userName)).not.toContain("carol@example.com");
    expect(harness.emulator.leftovers()).toEqual({ memberships: [], assignments: [] });
  });

  it("swaps a mover's memberships from one group to the other", async () => {
    harness = await startHarness();
    await sync(harness, desiredState());

    const moved = desiredState({
      groups: [
        aDesiredGroup("developers", ["alice", "bob"], "Developers"),
        aDesiredGroup("admins", ["carol", "dave"]),
      ],
    });
    const { plan } = await sync(harness, moved);

    expect(plan.changes.map((change) => change.key)).toEqual([
      "member:admins:carol@example.com",
      "member:developers:carol@example.com",
    ]);
    const groups = withoutIds(harness.emulator.state()).groups;
    expect(groups.map((group) => group.members)).toEqual([
      ["carol@example.com", "dave@example.com"],
      ["alice@example.com", "bob@example.com"],
    ]);
  });

  it("assigns an account moved into a targeted OU on the next run", async () => {
    harness = await startHarness({ organization: anOrganization() });
    const productionOu = "ou-ab12-22222222";
    const desiredFor = (accounts: AwsAccount[]) =>
      desiredState({
        assignments: accounts
          .filter((account) => account.status === "ACTIVE" && account.ancestorIds.includes(productionOu))
          .map((account) => anAssignment("developers", "Developer", account.id)),
      });
    await sync(harness, desiredFor(await harness.accounts.listAccounts()));
    const organizations = new OrganizationsClient({
      endpoint: harness.emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator-secret" },
    });
    await organizations.send(
      new MoveAccountCommand({
        AccountId: "111111111111",
        SourceParentId: "r-ab12",
        DestinationParentId: productionOu,
      }),
    );
    organizations.destroy();

    const { plan } = await sync(harness, desiredFor(await harness.accounts.listAccounts()));

    expect(plan.changes.map((change) => change.key)).toEqual([
      "assignment:GROUP:developers:Developer:111111111111",
    ]);
    expect(
      harness.emulator
        .state()
        .assignments.map((assignment) => assignment.accountId)
        .sort(),
    ).toEqual(["111111111111", "333333333333"]);
  });

  it("updates a changed permission set policy and provisions it to the accounts using it", async () => {
    harness = await startHarness();
    await sync(harness, desiredState());
    const stricter =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["iam:*","organizations:*"],"Resource":"*"}]}';
    const changed = desiredState();
    changed.permissionSets[0] = { ...changed.permissionSets[0]!, inlinePolicy: stricter };
    harness.emulator.resetCounts();

    const { plan, report } = await sync(harness, changed);

    expect(plan.changes.map((change) => change.kind)).toEqual([
      "updatePermissionSet",
      "provisionPermissionSet",
    ]);
    expect(report.applied).toBe(2);
    const developer = harness.emulator.state().permissionSets.find((set) => set.name === "Developer");
    expect(JSON.parse(developer?.inlinePolicy ?? "")).toEqual(JSON.parse(stricter));
    expect(harness.emulator.count("sso-admin", "PutInlinePolicyToPermissionSet")).toBe(1);
    // One request per account using it (222… and 333…), never ALL_PROVISIONED_ACCOUNTS.
    expect(harness.emulator.count("sso-admin", "ProvisionPermissionSet")).toBe(2);
    expect((await sync(harness, changed)).plan.changes).toEqual([]);
  });

  it("reports an assignment AWS FAILED, applies the rest, and converges once AWS recovers", async () => {
    harness = await startHarness();
    harness.emulator.faults.failAssignment = (request) =>
      request.accountId === "333333333333" ? "Account 333333333333 is being closed" : undefined;

    const { report } = await sync(harness, desiredState());

    expect(report.failed).toBe(1);
    expect(report.outcomes.find((outcome) => outcome.status === "failed")).toEqual({
      key: "assignment:GROUP:developers:Developer:333333333333",
      kind: "createAssignment",
      status: "failed",
      error: expect.stringContaining("Account 333333333333 is being closed"),
    });
    harness.emulator.faults.failAssignment = undefined;
    const retry = await sync(harness, desiredState());
    expect(retry.plan.changes.map((change) => change.key)).toEqual([
      "assignment:GROUP:developers:Developer:333333333333",
    ]);
    expect((await sync(harness, desiredState())).plan.changes).toEqual([]);
  });

  it("converges when an apply is interrupted halfway and run again", async () => {
    harness = await startHarness();
    const adapter = harness.newIdentityCenter();
    const plan = computePlan(desiredState(), await adapter.readState(scope), scope);
    let started = 0;

    const interrupted = await applyPlan(plan, adapter, {
      concurrency: 1,
      shouldContinue: () => started++ < 5,
    });
    const resumed = await sync(harness, desiredState());

    expect(interrupted.notStarted).toBeGreaterThan(0);
    expect(resumed.plan.changes.length).toBe(interrupted.notStarted);
    expect(resumed.report.failed).toBe(0);
    expect((await sync(harness, desiredState())).plan.changes).toEqual([]);
  });

  it("never touches principals outside scope or protected ones", async () => {
    const breakglass = aUser("breakglass");
    const partner = aUser("erin", { userName: "erin@partner.example", email: "erin@partner.example" });
    harness = await startHarness({
      state: anIdentityCenter({
        users: [breakglass, partner, aUser("frank")],
        groups: [
          {
            id: "g-ct",
            displayName: "AWSControlTowerAdmins",
            members: ["breakglass@example.com", "frank@example.com"],
          },
          {
            id: "g-hand",
            displayName: "handmade",
            description: "kept by hand",
            members: ["erin@partner.example"],
          },
        ],
        permissionSets: [
          {
            ...aPermissionSet("Legacy", {
              managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
            }),
            arn: "arn:aws:sso:::permissionSet/ssoins-72230000a1b2c3d4/ps-legacy0000000000",
            provisionedAccountIds: ["111111111111"],
          },
        ],
        assignments: [
          {
            principalType: "USER",
            principalName: "breakglass@example.com",
            permissionSetName: "Legacy",
            accountId: "111111111111",
          },
          {
            principalType: "GROUP",
            principalName: "AWSControlTowerAdmins",
            permissionSetName: "Legacy",
            accountId: "111111111111",
          },
          {
            principalType: "GROUP",
            principalName: "handmade",
            permissionSetName: "Legacy",
            accountId: "222222222222",
          },
        ],
      }),
    });
    const before = harness.emulator.state();
    const untouched = (state: IdentityCenterState) => ({
      users: state.users.filter((user) =>
        ["breakglass@example.com", "erin@partner.example"].includes(user.userName),
      ),
      groups: state.groups.filter((group) =>
        ["AWSControlTowerAdmins", "handmade"].includes(group.displayName),
      ),
      permissionSets: state.permissionSets.filter((set) => set.name === "Legacy"),
      assignments: state.assignments.filter((assignment) => assignment.permissionSetName === "Legacy"),
    });

    await sync(harness, desiredState());

    const after = harness.emulator.state();
    // frank@example.com is managed (example.com) and wanted by no rule: a leaver, even inside a protected group.
    expect(after.users.map((user) => user.userName)).not.toContain("frank@example.com");
    expect(untouched(after)).toEqual({
      ...untouched(before),
      groups: [
        { id: "g-ct", displayName: "AWSControlTowerAdmins", members: ["breakglass@example.com"] },
        {
          id: "g-hand",
          displayName: "handmade",
          description: "kept by hand",
          members: ["erin@partner.example"],
        },
      ],
    });
  });
});
