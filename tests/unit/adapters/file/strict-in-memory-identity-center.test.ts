import { describe, expect, it } from "vitest";
import { StrictInMemoryIdentityCenter } from "../../../../src/adapters/file/strict-in-memory-identity-center.js";
import { ChangeFailedError } from "../../../../src/sync/errors.js";
import type { Change } from "../../../../src/sync/model.js";
import { permissionSetDiff } from "../../../../src/sync/permission-set-diff.js";
import {
  aDesiredPermissionSet,
  anAssignment,
  anIcGroup,
  anIcPermissionSet,
  anIcUser,
  anIdentityCenterState,
  aScope,
} from "../../../builders/model.js";

const alice = {
  userName: "alice@example.com",
  displayName: "Alice",
  givenName: "Alice",
  familyName: "A",
  email: "alice@example.com",
};

describe("StrictInMemoryIdentityCenter", () => {
  it("creates users, groups and permission sets with deterministic ids", async () => {
    const ic = new StrictInMemoryIdentityCenter();
    await ic.applyChange({ kind: "createUser", key: "user:alice@example.com", reason: "r", user: alice });
    await ic.applyChange({
      kind: "createGroup",
      key: "group:developers",
      reason: "r",
      displayName: "developers",
    });
    await ic.applyChange({
      kind: "createPermissionSet",
      key: "permissionSet:Developer",
      reason: "r",
      permissionSet: aDesiredPermissionSet(),
    });
    const state = ic.snapshot();
    expect(state.users).toEqual([{ id: "user-000001", ...alice }]);
    expect(state.groups).toEqual([{ id: "group-000001", displayName: "developers", members: [] }]);
    expect(state.permissionSets[0]?.arn).toBe("arn:aws:sso:::permissionSet/ssoins-inmemory/ps-000001");
  });

  it("uses an injected id generator", async () => {
    const ic = new StrictInMemoryIdentityCenter(undefined, { idGenerator: (kind) => `${kind}-fixed` });
    await ic.applyChange({ kind: "createUser", key: "user:alice@example.com", reason: "r", user: alice });
    expect(ic.snapshot().users[0]?.id).toBe("user-fixed");
  });

  it("does not share state with the object it was given or the copies it hands out", async () => {
    const initial = anIdentityCenterState({ users: [anIcUser()] });
    const ic = new StrictInMemoryIdentityCenter(initial);
    initial.users.pop();
    const read = await ic.readState(aScope());
    read.users.pop();
    expect(ic.snapshot().users).toHaveLength(1);
  });

  it("refuses a duplicate create, case-insensitively, with a ChangeFailedError", async () => {
    const ic = new StrictInMemoryIdentityCenter(anIdentityCenterState({ users: [anIcUser()] }));
    const duplicate: Change = {
      kind: "createUser",
      key: "user:alice@example.com",
      reason: "r",
      user: { ...alice, userName: "ALICE@example.com" },
    };
    await expect(ic.applyChange(duplicate)).rejects.toBeInstanceOf(ChangeFailedError);
    await expect(ic.applyChange(duplicate)).rejects.toMatchObject({ changeKey: "user:alice@example.com" });
  });

  it("refuses changes that name something unknown, and leaves the state as it was", async () => {
    const ic = new StrictInMemoryIdentityCenter(anIdentityCenterState({ groups: [anIcGroup()] }));
    const before = ic.snapshot();
    await expect(
      ic.applyChange({
        kind: "addMember",
        key: "m",
        reason: "r",
        groupName: "developers",
        userName: "ghost@example.com",
      }),
    ).rejects.toThrow(/no user named ghost@example.com/);
    await expect(
      ic.applyChange({ kind: "deleteUser", key: "u", reason: "r", userName: "ghost@example.com" }),
    ).rejects.toThrow(ChangeFailedError);
    expect(ic.snapshot()).toEqual(before);
  });

  it("renames a user everywhere: memberships and assignments follow", async () => {
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({
        users: [anIcUser({ userName: "alice@example.com" })],
        groups: [anIcGroup({ members: ["alice@example.com"] })],
        permissionSets: [anIcPermissionSet()],
        assignments: [anAssignment({ principalType: "USER", principalName: "alice@example.com" })],
      }),
    );
    await ic.applyChange({
      kind: "updateUser",
      key: "user:alice.l@example.com",
      reason: "r",
      userName: "alice@example.com",
      user: { ...alice, userName: "alice.l@example.com" },
      fields: [{ field: "userName", from: "alice@example.com", to: "alice.l@example.com" }],
    });
    const state = ic.snapshot();
    expect(state.users.map((u) => [u.id, u.userName])).toEqual([
      ["id-alice@example.com", "alice.l@example.com"],
    ]);
    expect(state.groups[0]?.members).toEqual(["alice.l@example.com"]);
    expect(state.assignments[0]?.principalName).toBe("alice.l@example.com");
  });

  it("changes only the attributes the plan names, as AWS's UpdateUser does", async () => {
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({
        users: [anIcUser({ userName: "alice@example.com", email: "Alice@Example.com" })],
      }),
    );
    await ic.applyChange({
      kind: "updateUser",
      key: "user:alice@example.com",
      reason: "r",
      userName: "alice@example.com",
      user: { ...alice, email: "alice@example.com", displayName: "Alice Liddell" },
      fields: [{ field: "displayName", from: "Alice Example", to: "Alice Liddell" }],
    });
    expect(ic.snapshot().users[0]).toMatchObject({
      displayName: "Alice Liddell",
      email: "Alice@Example.com",
    });
  });

  it("keeps a renamed user as the manager of the people who report to them, as the user id does in AWS", async () => {
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({
        users: [
          anIcUser({ userName: "alice@example.com" }),
          anIcUser({
            userName: "bob@example.com",
            enterprise: { department: "R&D", manager: "alice@example.com" },
          }),
        ],
      }),
    );
    await ic.applyChange({
      kind: "updateUser",
      key: "user:alice.l@example.com",
      reason: "r",
      userName: "alice@example.com",
      user: { ...alice, userName: "alice.l@example.com" },
      fields: [{ field: "userName", from: "alice@example.com", to: "alice.l@example.com" }],
    });
    expect(ic.snapshot().users.find((u) => u.userName === "bob@example.com")?.enterprise).toEqual({
      department: "R&D",
      manager: "alice.l@example.com",
    });
  });

  it("renames a group and its assignments", async () => {
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({
        groups: [anIcGroup({ displayName: "ops" })],
        assignments: [anAssignment({ principalName: "ops" })],
      }),
    );
    await ic.applyChange({
      kind: "updateGroup",
      key: "group:platform",
      reason: "r",
      currentDisplayName: "ops",
      displayName: "platform",
      description: "Platform team",
      fields: [],
    });
    const state = ic.snapshot();
    expect(state.groups.map((g) => [g.displayName, g.description])).toEqual([["platform", "Platform team"]]);
    expect(state.assignments[0]?.principalName).toBe("platform");
  });

  it("deletes a user together with its memberships and assignments", async () => {
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({
        users: [anIcUser({ userName: "carol@example.com" }), anIcUser({ userName: "dan@example.com" })],
        groups: [anIcGroup({ members: ["carol@example.com", "dan@example.com"] })],
        assignments: [anAssignment({ principalType: "USER", principalName: "Carol@example.com" })],
      }),
    );
    await ic.applyChange({
      kind: "deleteUser",
      key: "user:carol@example.com",
      reason: "r",
      userName: "carol@example.com",
    });
    const state = ic.snapshot();
    expect(state.users.map((u) => u.userName)).toEqual(["dan@example.com"]);
    expect(state.groups[0]?.members).toEqual(["dan@example.com"]);
    expect(state.assignments).toEqual([]);
  });

  it("provisions the permission set to the account of a new assignment, and keeps it after deletion", async () => {
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({ groups: [anIcGroup()], permissionSets: [anIcPermissionSet()] }),
    );
    const assignment = anAssignment();
    await ic.applyChange({ kind: "createAssignment", key: "a", reason: "r", assignment });
    expect(ic.snapshot().permissionSets[0]?.provisionedAccountIds).toEqual(["111111111111"]);
    await expect(
      ic.applyChange({ kind: "createAssignment", key: "a", reason: "r", assignment }),
    ).rejects.toThrow(ChangeFailedError);
    await ic.applyChange({ kind: "deleteAssignment", key: "a", reason: "r", assignment });
    expect(ic.snapshot().assignments).toEqual([]);
    expect(ic.snapshot().permissionSets[0]?.provisionedAccountIds).toEqual(["111111111111"]);
  });

  it("refuses an assignment to a permission set or principal it does not have", async () => {
    const ic = new StrictInMemoryIdentityCenter(anIdentityCenterState({ groups: [anIcGroup()] }));
    await expect(
      ic.applyChange({ kind: "createAssignment", key: "a", reason: "r", assignment: anAssignment() }),
    ).rejects.toThrow(/no permission set named Developer/);
  });

  it("updates a permission set and keeps its ARN and accounts, which run the old version until provisioned", async () => {
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({
        permissionSets: [anIcPermissionSet({ provisionedAccountIds: ["111111111111"] })],
      }),
    );
    const next = aDesiredPermissionSet({ sessionDuration: "PT1H" });
    await ic.applyChange({
      kind: "updatePermissionSet",
      key: "permissionSet:Developer",
      reason: "r",
      permissionSet: next,
      diff: permissionSetDiff(aDesiredPermissionSet(), next),
      fields: [],
    });
    expect(ic.snapshot().permissionSets).toEqual([
      {
        ...next,
        arn: "arn:aws:sso:::permissionSet/ssoins-test/ps-Developer",
        provisionedAccountIds: ["111111111111"],
        outdatedAccountIds: ["111111111111"],
      },
    ]);
  });

  it("fails the changes a test chooses, with the given message", async () => {
    const ic = new StrictInMemoryIdentityCenter().failChanges(
      (c) => c.kind === "createUser" && "AccessDeniedException",
    );
    await expect(
      ic.applyChange({ kind: "createUser", key: "user:alice@example.com", reason: "r", user: alice }),
    ).rejects.toThrow("AccessDeniedException");
    await ic.applyChange({
      kind: "createGroup",
      key: "group:developers",
      reason: "r",
      displayName: "developers",
    });
    expect(ic.appliedChanges().map((c) => c.key)).toEqual(["group:developers"]);
  });

  it("returns members for every group, even when the initial state left them unread", async () => {
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({ groups: [anIcGroup({ members: undefined })] }),
    );
    expect((await ic.readState(aScope())).groups[0]?.members).toEqual([]);
  });

  it("tags the permission sets it creates as idc-sync's, and keeps the mark through updates", async () => {
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({ permissionSets: [anIcPermissionSet({ name: "Found" })] }),
    );
    await ic.applyChange({
      kind: "createPermissionSet",
      key: "permissionSet:Developer",
      reason: "r",
      permissionSet: aDesiredPermissionSet(),
    });
    await ic.applyChange({
      kind: "updatePermissionSet",
      key: "permissionSet:Developer",
      reason: "r",
      permissionSet: aDesiredPermissionSet({ sessionDuration: "PT1H" }),
      diff: permissionSetDiff(aDesiredPermissionSet(), aDesiredPermissionSet({ sessionDuration: "PT1H" })),
      fields: [],
    });

    expect(ic.snapshot().permissionSets.map((set) => [set.name, set.managedByTag])).toEqual([
      ["Developer", true],
      ["Found", undefined],
    ]);
  });

  it("deletes a group only once its memberships and assignments are gone, since AWS would leave them behind", async () => {
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({
        users: [anIcUser()],
        groups: [anIcGroup({ members: ["alice@example.com"] })],
        permissionSets: [anIcPermissionSet()],
        assignments: [anAssignment()],
      }),
    );
    const deletion: Change = {
      kind: "deleteGroup",
      key: "group:developers",
      reason: "r",
      displayName: "developers",
    };

    await expect(ic.applyChange(deletion)).rejects.toThrow(
      "deleteGroup group:developers: the group still has 1 member(s) and 1 assignment(s), which AWS would leave behind; remove them first",
    );
    await ic.applyChange({ kind: "deleteAssignment", key: "a", reason: "r", assignment: anAssignment() });
    await ic.applyChange({
      kind: "removeMember",
      key: "m",
      reason: "r",
      groupName: "developers",
      userName: "alice@example.com",
    });
    await ic.applyChange(deletion);

    expect(ic.snapshot()).toMatchObject({ groups: [], assignments: [] });
  });

  it("refuses to delete a permission set that is still assigned, as AWS does, and deletes it once it is not", async () => {
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({
        groups: [anIcGroup()],
        permissionSets: [anIcPermissionSet()],
        assignments: [anAssignment()],
      }),
    );
    const deletion: Change = {
      kind: "deletePermissionSet",
      key: "permissionSet:Developer",
      reason: "r",
      permissionSetName: "Developer",
    };

    await expect(ic.applyChange(deletion)).rejects.toThrow(
      "deletePermissionSet permissionSet:Developer: ConflictException: the permission set is still assigned (1 assignment, e.g. developers in 111111111111); remove its assignments first",
    );
    await ic.applyChange({ kind: "deleteAssignment", key: "a", reason: "r", assignment: anAssignment() });
    await ic.applyChange(deletion);
    expect(ic.snapshot().permissionSets).toEqual([]);
  });

  it("keeps a user's ExternalIds, which only its SCIM provisioner sets, through an update", async () => {
    const externalIds = [{ issuer: "scim", id: "1043" }];
    const ic = new StrictInMemoryIdentityCenter(
      anIdentityCenterState({ users: [anIcUser({ externalIds })] }),
    );

    await ic.applyChange({
      kind: "updateUser",
      key: "user:alice@example.com",
      reason: "r",
      userName: "alice@example.com",
      user: { ...alice, displayName: "Alice Liddell" },
      fields: [{ field: "displayName", from: "Alice Example", to: "Alice Liddell" }],
    });

    expect(ic.snapshot().users[0]).toMatchObject({ displayName: "Alice Liddell", externalIds });
  });
});
