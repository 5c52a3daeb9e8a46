import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IdentityCenterState } from "../../../src/sync/model.js";
import {
  anIdentityCenter,
  aScope,
  aStoredPermissionSet,
  aUser,
  type Harness,
  startHarness,
} from "./harness.js";

const alice = aUser("alice", {
  title: "Engineer",
  enterprise: { department: "Platform", employeeNumber: "42", manager: "bob@example.com" },
});
const bob = aUser("bob");
const outsider = aUser("carol", { userName: "carol@partner.example", email: "carol@partner.example" });
const breakglass = aUser("breakglass");
const crowd = Array.from({ length: 130 }, (_, index) => aUser(`person${index}`));

const developer = aStoredPermissionSet("Developer", {
  description: "Developers",
  managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess", "arn:aws:iam::aws:policy/ReadOnlyAccess"],
  customerManagedPolicies: [{ name: "deny-billing", path: "/idc/" }],
  inlinePolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}',
  permissionsBoundary: { kind: "managed", managedPolicyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
  tags: { team: "platform", "managed-by": "idc-sync" },
});
const legacy = aStoredPermissionSet("Legacy", {
  managedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"],
});

const seed: IdentityCenterState = anIdentityCenter({
  users: [alice, bob, outsider, breakglass, ...crowd],
  groups: [
    {
      id: "g-developers",
      displayName: "developers",
      description: "Developers",
      members: ["alice@example.com", "bob@example.com"],
    },
    { id: "g-admins", displayName: "admins", members: crowd.slice(0, 120).map((user) => user.userName) },
    { id: "g-handmade", displayName: "handmade", members: ["carol@partner.example"] },
    { id: "g-ct", displayName: "AWSControlTowerAdmins", members: ["breakglass@example.com"] },
  ],
  permissionSets: [developer, legacy],
  assignments: [
    {
      principalType: "GROUP",
      principalName: "developers",
      permissionSetName: "Developer",
      accountId: "222222222222",
    },
    {
      principalType: "GROUP",
      principalName: "developers",
      permissionSetName: "Legacy",
      accountId: "333333333333",
    },
    {
      principalType: "USER",
      principalName: "alice@example.com",
      permissionSetName: "Developer",
      accountId: "333333333333",
    },
    {
      principalType: "GROUP",
      principalName: "handmade",
      permissionSetName: "Legacy",
      accountId: "222222222222",
    },
    {
      principalType: "USER",
      principalName: "breakglass@example.com",
      permissionSetName: "Legacy",
      accountId: "111111111111",
    },
  ],
});

const scope = aScope({
  groupNames: ["developers", "admins", "AWSControlTowerAdmins"],
  permissionSetNames: ["Developer"],
  protectedUserNames: ["breakglass@example.com"],
  protectedGroupNames: ["AWSControlTowerAdmins"],
});

describe("reading Identity Center state through the AWS APIs", () => {
  let harness: Harness;
  let state: IdentityCenterState;
  const phases = new Set<string>();

  beforeAll(async () => {
    harness = await startHarness({ state: seed });
    state = await harness.identityCenter.readState(scope, (event) => phases.add(event.phase));
  });
  afterAll(async () => {
    await harness.close();
  });

  it("reads every user, paging 100 at a time, with the enterprise extension and the manager by userName", () => {
    expect(state.users).toHaveLength(134);
    expect(harness.emulator.count("identitystore", "ListUsers")).toBe(2);
    expect(state.users.find((user) => user.userName === "alice@example.com")).toEqual(alice);
  });

  it("reads every group but the members of managed groups only", () => {
    expect(state.groups.map((group) => group.displayName).sort()).toEqual([
      "AWSControlTowerAdmins",
      "admins",
      "developers",
      "handmade",
    ]);
    const byName = new Map(state.groups.map((group) => [group.displayName, group]));
    expect(byName.get("developers")).toEqual({
      id: "g-developers",
      displayName: "developers",
      description: "Developers",
      members: ["alice@example.com", "bob@example.com"],
    });
    expect(byName.get("admins")?.members).toHaveLength(120);
    expect(byName.get("handmade")?.members).toBeUndefined();
    expect(byName.get("AWSControlTowerAdmins")?.members).toBeUndefined();
    // developers: 1 page, admins: 2 pages; unmanaged and protected groups: none.
    expect(harness.emulator.count("identitystore", "ListGroupMemberships")).toBe(3);
  });

  it("reads managed permission sets in full, the inline policy canonical and the managed-by marker as a flag, not a tag", () => {
    expect(state.permissionSets).toEqual([
      {
        arn: developer.arn,
        name: "Developer",
        description: "Developers",
        sessionDuration: "PT8H",
        managedPolicyArns: [
          "arn:aws:iam::aws:policy/PowerUserAccess",
          "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ],
        customerManagedPolicies: [{ name: "deny-billing", path: "/idc/" }],
        inlinePolicy:
          '{"Statement":[{"Action":"iam:*","Effect":"Deny","Resource":"*"}],"Version":"2012-10-17"}',
        permissionsBoundary: { kind: "managed", managedPolicyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
        tags: { team: "platform" },
        managedByTag: true,
        provisionedAccountIds: ["222222222222", "333333333333"],
      },
    ]);
    // One DescribePermissionSet per permission set to learn names; details only for the managed one.
    expect(harness.emulator.count("sso-admin", "DescribePermissionSet")).toBe(2);
    expect(harness.emulator.count("sso-admin", "ListManagedPoliciesInPermissionSet")).toBe(1);
    expect(harness.emulator.count("sso-admin", "GetInlinePolicyForPermissionSet")).toBe(1);
    expect(harness.emulator.count("sso-admin", "ListTagsForResource")).toBe(1);
    // The managed one for its provisioning and again for the accounts an earlier provisioning missed
    // (ProvisioningStatus LATEST_PERMISSION_SET_NOT_PROVISIONED), the other (Legacy) to find its
    // assignments (see below).
    expect(harness.emulator.count("sso-admin", "ListAccountsForProvisionedPermissionSet")).toBe(3);
  });

  it("reads assignments of managed principals only, per provisioned pair when that is cheaper", () => {
    expect(state.assignments).toEqual(
      expect.arrayContaining([
        {
          principalType: "GROUP",
          principalName: "developers",
          permissionSetName: "Developer",
          accountId: "222222222222",
        },
        {
          principalType: "GROUP",
          principalName: "developers",
          permissionSetName: "Legacy",
          accountId: "333333333333",
        },
        {
          principalType: "USER",
          principalName: "alice@example.com",
          permissionSetName: "Developer",
          accountId: "333333333333",
        },
      ]),
    );
    expect(state.assignments).toHaveLength(3);
    // 134 managed principals (alice, bob, 130 people of example.com, two groups) against five provisioned
    // (permission set, account) pairs: Developer in 222… and 333…, Legacy in 111…, 222… and 333…
    expect(harness.emulator.count("sso-admin", "ListAccountAssignmentsForPrincipal")).toBe(0);
    expect(harness.emulator.count("sso-admin", "ListAccountAssignments")).toBe(5);
  });

  it("makes no write call and reports progress by phase", () => {
    expect(harness.emulator.counts().writes).toBe(0);
    expect([...phases].sort()).toEqual(["assignments", "groups", "members", "permissionSets", "users"]);
  });

  it("reports to onCall exactly the requests the emulator received", () => {
    const received = harness.emulator.counts().byOperation;
    expect(Object.fromEntries(harness.adapterCalls)).toEqual(received);
  });
});

describe("reading the assignments of a few principals", () => {
  it("asks per principal when there are fewer principals than provisioned pairs", async () => {
    const harness = await startHarness({
      state: anIdentityCenter({
        users: [aUser("alice")],
        groups: [],
        permissionSets: [
          aStoredPermissionSet("Developer", { provisionedAccountIds: ["111111111111", "222222222222"] }),
        ],
        assignments: [
          {
            principalType: "USER",
            principalName: "alice@example.com",
            permissionSetName: "Developer",
            accountId: "222222222222",
          },
        ],
      }),
    });
    try {
      const state = await harness.identityCenter.readState(aScope({ permissionSetNames: ["Developer"] }));

      expect(state.assignments).toEqual([
        {
          principalType: "USER",
          principalName: "alice@example.com",
          permissionSetName: "Developer",
          accountId: "222222222222",
        },
      ]);
      expect(harness.emulator.count("sso-admin", "ListAccountAssignmentsForPrincipal")).toBe(1);
      expect(harness.emulator.count("sso-admin", "ListAccountAssignments")).toBe(0);
    } finally {
      await harness.close();
    }
  });
});
