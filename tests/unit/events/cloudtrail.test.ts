import { describe, expect, it } from "vitest";
import { readCloudTrailEvent } from "../../../src/events/cloudtrail.js";
import {
  assumedRoleActor,
  cloudTrailEvent,
  identityCenterUserActor,
  identityStoreEvents,
  rootActor,
  ssoDirectoryEvents,
  ssoEvents,
} from "../../fixtures/events/cloudtrail-events.js";

const management = "111111111111";
const identityStoreId = "d-9067a1b2c3";
const instanceArn = "arn:aws:sso:::instance/ssoins-72230000a1b2c3d4";
const permissionSetArn = "arn:aws:sso:::permissionSet/ssoins-72230000a1b2c3d4/ps-0123456789abcdef";
const userId = "9067a1b2c3-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901";
const groupId = "9067a1b2c3-aaaa1111-2222-3333-4444-555566667777";
const byHand = {
  actor: identityCenterUserActor(management, "AdministratorAccess", "mei.tanaka@example.com"),
};

function effect(event: unknown) {
  const read = readCloudTrailEvent(event);
  if (!read.ok) throw new Error(read.problem);
  return read.effect;
}

describe("CloudTrail events of Identity Center, read as subjects", () => {
  it("names the member of a membership created through the Identity Store API (their targeted run sees it)", () => {
    const event = identityStoreEvents.createGroupMembership(
      { identityStoreId, groupId, userId, membershipId: "m-1" },
      byHand,
    );
    expect(effect(event)).toEqual({
      kind: "targeted",
      subjects: [{ kind: "person", identityCenterUserId: userId }],
    });
  });

  it("names the member of a console membership change (sso-directory)", () => {
    const added = ssoDirectoryEvents.addMemberToGroup({ identityStoreId, groupId, userId }, byHand);
    const removed = ssoDirectoryEvents.removeMemberFromGroup({ identityStoreId, groupId, userId }, byHand);
    for (const event of [added, removed]) {
      expect(effect(event)).toEqual({
        kind: "targeted",
        subjects: [{ kind: "person", identityCenterUserId: userId }],
      });
    }
  });

  it("asks for a full run for a deleted membership, which names no one that can still be read", () => {
    const event = identityStoreEvents.deleteGroupMembership({ identityStoreId, membershipId: "m-1" }, byHand);
    expect(effect(event).kind).toBe("full");
  });

  it("names the principal and the permission set of an assignment made or removed by hand", () => {
    const ids = {
      instanceArn,
      accountId: "222222222222",
      permissionSetArn,
      principalType: "USER" as const,
      principalId: userId,
    };
    for (const event of [
      ssoEvents.createAccountAssignment(ids, byHand),
      ssoEvents.deleteAccountAssignment(ids, byHand),
    ]) {
      expect(effect(event)).toEqual({
        kind: "targeted",
        subjects: [
          { kind: "person", identityCenterUserId: userId },
          { kind: "permissionSet", permissionSetArn },
        ],
      });
    }
    const toGroup = ssoEvents.createAccountAssignment(
      { ...ids, principalType: "GROUP", principalId: groupId },
      byHand,
    );
    expect(effect(toGroup)).toMatchObject({
      subjects: [{ kind: "group", identityCenterGroupId: groupId }, {}],
    });
  });

  it("names the permission set of a policy change", () => {
    const inline = ssoEvents.putInlinePolicyToPermissionSet(
      { instanceArn, permissionSetArn },
      { actor: rootActor(management) },
    );
    const managed = ssoEvents.attachManagedPolicyToPermissionSet(
      { instanceArn, permissionSetArn, managedPolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
      byHand,
    );
    expect(effect(inline)).toEqual({
      kind: "targeted",
      subjects: [{ kind: "permissionSet", permissionSetArn }],
    });
    expect(effect(managed)).toEqual({
      kind: "targeted",
      subjects: [{ kind: "permissionSet", permissionSetArn }],
    });
  });

  it("names the user of a user deleted by hand, and the group a create answered", () => {
    expect(effect(identityStoreEvents.deleteUser({ identityStoreId, userId }, byHand))).toEqual({
      kind: "targeted",
      subjects: [{ kind: "person", identityCenterUserId: userId }],
    });
    expect(effect(identityStoreEvents.createGroup({ identityStoreId, groupId }, byHand))).toEqual({
      kind: "targeted",
      subjects: [{ kind: "group", identityCenterGroupId: groupId }],
    });
  });

  it("ignores, with a reason, calls idc-sync does not follow, read-only calls and failed calls", () => {
    const actor = { actor: assumedRoleActor(management, "someone", "session") };
    const unknown = cloudTrailEvent(
      "sso",
      "TagResource",
      { requestParameters: {}, responseElements: null },
      actor,
    );
    const readOnly = cloudTrailEvent(
      "identitystore",
      "DeleteUser",
      { requestParameters: { userId }, responseElements: null },
      actor,
    );
    readOnly.detail.readOnly = true;
    const failed = identityStoreEvents.deleteUser({ identityStoreId, userId }, actor);
    (failed.detail as unknown as Record<string, unknown>).errorCode = "AccessDeniedException";
    for (const event of [unknown, readOnly, failed]) {
      const read = effect(event);
      expect(read.kind).toBe("ignored");
      expect((read as { reason: string }).reason.length).toBeGreaterThan(5);
    }
  });

  it("asks for a full run rather than guess when the ids are not where the documented shapes put them", () => {
    const event = cloudTrailEvent(
      "sso-directory",
      "UpdateUser",
      {
        requestParameters: { identityStoreId, user: "HIDDEN_DUE_TO_SECURITY_REASONS" },
        responseElements: null,
      },
      byHand,
    );
    expect(effect(event).kind).toBe("full");
  });

  it("says what is wrong with something that is not a CloudTrail event", () => {
    expect(readCloudTrailEvent({ "detail-type": "Scheduled Event" })).toMatchObject({ ok: false });
    expect(readCloudTrailEvent("nonsense")).toMatchObject({ ok: false });
  });
});
