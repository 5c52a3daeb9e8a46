import { describe, expect, it } from "vitest";
import { applyLowerBound, readLowerBound, total } from "../../bench/lower-bound.js";
import { generateOrg } from "../../bench/synthetic-org.js";
import { directorySnapshotSchema } from "../../src/adapters/file/directory-snapshot.js";
import type { IdentityCenterState, Scope } from "../../src/sync/model.js";
import { readScopeFor } from "../../src/sync/ownership.js";

const scope: Scope = {
  domains: ["bench.example"],
  staticUserNames: [],
  groupNames: ["g"],
  permissionSetNames: ["PS00"],
  protectedUserNames: [],
  protectedGroupNames: [],
  leavers: "delete",
};
const aCreateUser = (userName: string) => ({
  kind: "createUser" as const,
  key: `user:${userName}`,
  reason: "new in Google",
  user: { userName, displayName: "A", givenName: "A", familyName: "A", email: userName },
});
const empty: IdentityCenterState = { users: [], groups: [], permissionSets: [], assignments: [] };

describe("the benchmark's lower bound", () => {
  it("counts the pages of every list at the largest page size, at least one page each", () => {
    const org = generateOrg({ users: 1_001, googleGroups: 2, accounts: 3, permissionSets: 1 });
    const snapshot = directorySnapshotSchema.parse(org.snapshot);
    const { calls } = readLowerBound({
      snapshot,
      groupEmails: ["grp0001@bench.example"],
      scope,
      before: empty,
    });
    expect(calls["google:users.list"]).toBe(3);
    expect(calls["google:members.list"]).toBe(Math.ceil(snapshot.groups[1]!.members.length / 200));
    expect(calls["identitystore:ListUsers"]).toBe(1);
    expect(calls["organizations:ListTagsForResource"]).toBe(3);
    expect(calls["google:groups.get"]).toBeUndefined();
  });

  it("reads assignments the cheaper way: per (permission set, account) when principals outnumber them", () => {
    const users = Array.from({ length: 250 }, (_, i) => ({
      id: `u${i}`,
      userName: `u${i}@bench.example`,
      displayName: "U",
      givenName: "U",
      familyName: "U",
      email: `u${i}@bench.example`,
    }));
    const before = {
      ...empty,
      users,
      permissionSets: [
        {
          name: "PS00",
          arn: "arn:ps",
          sessionDuration: "PT1H",
          managedPolicyArns: [],
          customerManagedPolicies: [],
          tags: {},
          provisionedAccountIds: ["111111111111", "222222222222"],
        },
      ],
    } as unknown as IdentityCenterState;
    const result = readLowerBound({
      snapshot: directorySnapshotSchema.parse({}),
      groupEmails: [],
      scope,
      before,
    });
    expect(result.assignmentReads).toEqual({ perPrincipal: 250, perPermissionSetAndAccount: 2 });
    expect(result.calls["sso-admin:ListAccountAssignments"]).toBe(2);
    expect(result.calls["sso-admin:ListAccountAssignmentsForPrincipal"]).toBeUndefined();
  });

  it("reads the tags of permission sets outside the rules only when the ownership record is lost, and what a removal needs", () => {
    const set = (name: string, extra: object = {}) => ({
      name,
      arn: `arn:${name}`,
      sessionDuration: "PT1H",
      managedPolicyArns: [],
      customerManagedPolicies: [],
      tags: {},
      provisionedAccountIds: ["111111111111"],
      ...extra,
    });
    const before = {
      ...empty,
      groups: [{ id: "g1", displayName: "gone", members: [] }],
      permissionSets: [set("PS00"), set("Old", { managedByTag: true }), set("AWSAdministratorAccess")],
    } as unknown as IdentityCenterState;
    const bound = (withScope: Scope) =>
      readLowerBound({
        snapshot: directorySnapshotSchema.parse({}),
        groupEmails: [],
        scope: withScope,
        before,
      }).calls;

    const lost = bound(readScopeFor(scope, undefined));
    const recorded = bound(
      readScopeFor(scope, {
        groups: { gone: { rule: "groups[1]", origin: "created" } },
        permissionSets: { Old: { rule: "permissionSets[1]", origin: "created" } },
        users: {},
      }),
    );

    // Lost: PS00 in full (its tags), then the tags of Old and AWSAdministratorAccess; Old in full.
    expect(lost["sso-admin:ListTagsForResource"]).toBe(3);
    expect(lost["sso-admin:GetInlinePolicyForPermissionSet"]).toBe(2);
    expect(lost["identitystore:ListGroupMemberships"]).toBeUndefined();
    // With the record: no tag hunt; the owned group's members and the owned permission set in full.
    expect(recorded["sso-admin:ListTagsForResource"]).toBe(2);
    expect(recorded["identitystore:ListGroupMemberships"]).toBe(1);
    expect(recorded["sso-admin:ListAccountAssignments"]).toBe(1);
  });

  it("is one write per change, plus one status read per asynchronous change", () => {
    const bound = applyLowerBound([
      aCreateUser("a@bench.example"),
      aCreateUser("b@bench.example"),
      {
        kind: "createAssignment",
        key: "assignment:x",
        reason: "r",
        assignment: { principalType: "GROUP", principalName: "g", permissionSetName: "PS00", accountId: "1" },
      },
    ] as never);
    expect(bound.writes).toEqual({
      "identitystore:CreateUser": 2,
      "sso-admin:CreateAccountAssignment": 1,
    });
    expect(total(bound.statusReads)).toBe(1);
  });
});
