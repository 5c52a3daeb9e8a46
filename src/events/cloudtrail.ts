/**
 * From an EventBridge "AWS API Call via CloudTrail" event of Identity Center to the subjects a targeted
 * run re-reads. Only identifiers are taken from the event; what the object looks like now is read back
 * from Identity Center by the run.
 *
 * Event sources and names: the Identity Center CloudTrail page
 * (https://docs.aws.amazon.com/singlesignon/latest/userguide/sso-info-in-cloudtrail.html): the public
 * Identity Store API under `identitystore.amazonaws.com`, the console's under
 * `sso-directory.amazonaws.com` ("we recommend you consider both public and console API operations"),
 * Identity Center itself under `sso.amazonaws.com`. Parameters: CloudTrail logs an API's request
 * parameters with a lower-case first letter (`requestParameters.principalId`, `groupId`,
 * `memberId.userId`, `permissionSetArn`), the answer in `responseElements` (the ids a create returns).
 * The console API's parameter shapes are not documented; the parser looks for the same names and asks
 * for a full run when it finds none, rather than guess.
 */
import type { SyncSubject } from "../sync/run-scope.js";

export const cloudTrailDetailType = "AWS API Call via CloudTrail";

/** The event sources of Identity Center writes (the drift rule matches exactly these). */
export const identityCenterEventSources = [
  "sso.amazonaws.com",
  "identitystore.amazonaws.com",
  "sso-directory.amazonaws.com",
] as const;

/**
 * The write calls the drift rule forwards, per source. Public Identity Store and Identity Center names
 * from the sso-info-in-cloudtrail page; console names from the 2022 copy of that page and the
 * sso-directory Service Authorization Reference (`AddMemberToGroup`).
 */
export const identityCenterWriteEvents = {
  "identitystore.amazonaws.com": [
    "CreateUser",
    "UpdateUser",
    "DeleteUser",
    "CreateGroup",
    "UpdateGroup",
    "DeleteGroup",
    "CreateGroupMembership",
    "DeleteGroupMembership",
  ],
  "sso-directory.amazonaws.com": [
    "CreateUser",
    "UpdateUser",
    "DeleteUser",
    "DisableUser",
    "EnableUser",
    "CreateGroup",
    "UpdateGroup",
    "DeleteGroup",
    "AddMemberToGroup",
    "RemoveMemberFromGroup",
  ],
  "sso.amazonaws.com": [
    "CreateAccountAssignment",
    "DeleteAccountAssignment",
    "CreatePermissionSet",
    "UpdatePermissionSet",
    "DeletePermissionSet",
    "ProvisionPermissionSet",
    "PutInlinePolicyToPermissionSet",
    "DeleteInlinePolicyFromPermissionSet",
    "AttachManagedPolicyToPermissionSet",
    "DetachManagedPolicyFromPermissionSet",
    "AttachCustomerManagedPolicyReferenceToPermissionSet",
    "DetachCustomerManagedPolicyReferenceFromPermissionSet",
    "PutPermissionsBoundaryToPermissionSet",
    "DeletePermissionsBoundaryFromPermissionSet",
  ],
} as const satisfies Record<(typeof identityCenterEventSources)[number], readonly string[]>;

/** What an event asks of the queue consumer. */
export type CloudTrailEffect =
  | { kind: "targeted"; subjects: SyncSubject[] }
  /** The event names an object the run cannot look up any more (a deleted membership): a full run. */
  | { kind: "full"; reason: string }
  | { kind: "ignored"; reason: string };

export type ReadCloudTrail =
  | { ok: true; eventSource: string; eventName: string; effect: CloudTrailEffect }
  | { ok: false; problem: string };

type Json = Record<string, unknown>;

/** Reads one EventBridge CloudTrail event. Never throws; a shape it cannot read is a problem value. */
export function readCloudTrailEvent(event: unknown): ReadCloudTrail {
  if (!isObject(event) || event["detail-type"] !== cloudTrailDetailType || !isObject(event.detail)) {
    return { ok: false, problem: `not an EventBridge "${cloudTrailDetailType}" event` };
  }
  const detail = event.detail;
  const eventSource = typeof detail.eventSource === "string" ? detail.eventSource : "";
  const eventName = typeof detail.eventName === "string" ? detail.eventName : "";
  if (!eventSource || !eventName)
    return { ok: false, problem: "detail.eventSource or detail.eventName missing" };
  const effect = effectOf(eventSource, eventName, detail);
  return { ok: true, eventSource, eventName, effect };
}

function effectOf(eventSource: string, eventName: string, detail: Json): CloudTrailEffect {
  if (detail.readOnly === true) return { kind: "ignored", reason: "a read-only call changes nothing" };
  // A call AWS refused changed nothing either (CloudTrail records failed calls with errorCode).
  if (typeof detail.errorCode === "string")
    return { kind: "ignored", reason: `the call failed (${detail.errorCode})` };
  const known = (identityCenterWriteEvents as Record<string, readonly string[]>)[eventSource];
  if (!known) return { kind: "ignored", reason: `event source ${eventSource} is not Identity Center's` };
  if (!known.includes(eventName))
    return { kind: "ignored", reason: `${eventName} is not a write idc-sync follows` };
  const request = isObject(detail.requestParameters) ? detail.requestParameters : {};
  const response = isObject(detail.responseElements) ? detail.responseElements : {};

  if (eventSource === "sso.amazonaws.com") return ssoEffect(eventName, request, response);
  return directoryEffect(eventName, request, response);
}

function ssoEffect(eventName: string, request: Json, response: Json): CloudTrailEffect {
  if (eventName === "CreateAccountAssignment" || eventName === "DeleteAccountAssignment") {
    // CreateAccountAssignment: PrincipalType USER | GROUP, PrincipalId, PermissionSetArn (API reference).
    const principal = principalSubject(request.principalType, request.principalId);
    const permissionSet = permissionSetSubject(request.permissionSetArn);
    const subjects = [principal, permissionSet].filter((subject) => subject !== undefined);
    return subjects.length > 0
      ? { kind: "targeted", subjects }
      : { kind: "full", reason: `${eventName} without a principal or permission set in the event` };
  }
  // CreatePermissionSet answers the new permission set: {"permissionSet": {"permissionSetArn": ...}}.
  const created = isObject(response.permissionSet) ? response.permissionSet.permissionSetArn : undefined;
  const permissionSet = permissionSetSubject(request.permissionSetArn) ?? permissionSetSubject(created);
  return permissionSet
    ? { kind: "targeted", subjects: [permissionSet] }
    : { kind: "full", reason: `${eventName} without a permission set ARN in the event` };
}

function directoryEffect(eventName: string, request: Json, response: Json): CloudTrailEffect {
  switch (eventName) {
    case "CreateGroupMembership": {
      // CreateGroupMembership: GroupId, MemberId {UserId} (Identity Store API reference).
      const member = isObject(request.memberId) ? request.memberId.userId : undefined;
      return membershipSubjects(eventName, request.groupId, member);
    }
    case "AddMemberToGroup":
    case "RemoveMemberFromGroup": {
      const member = isObject(request.member) ? request.member.memberId : undefined;
      return membershipSubjects(eventName, request.groupId, member);
    }
    case "DeleteGroupMembership":
      // Only the membership id is in the request, and the membership is gone once the event arrives: no
      // read can say whose it was. A full run finds what is missing.
      return { kind: "full", reason: "DeleteGroupMembership names only a membership that no longer exists" };
    case "CreateUser":
    case "UpdateUser":
    case "DeleteUser":
    case "DisableUser":
    case "EnableUser":
      return subjectsOrFull(eventName, [personById(request.userId ?? response.userId)]);
    case "CreateGroup":
    case "UpdateGroup":
    case "DeleteGroup":
      return subjectsOrFull(eventName, [groupById(request.groupId ?? response.groupId)]);
    default:
      return { kind: "ignored", reason: `${eventName} is not a write idc-sync follows` };
  }
}

/**
 * A membership added or removed by hand changed one person's access, not the group: the member alone is the
 * subject. A targeted run for them reads every membership they have (ListGroupMembershipsForMember), so it
 * sees the change, classifies it as drift and, in enforce mode, undoes it without a full run, which an
 * Identity Center group subject would need. The group id is still required to be there: an event without
 * it is not the documented shape, and a full run is the safe answer.
 */
function membershipSubjects(eventName: string, groupId: unknown, memberId: unknown): CloudTrailEffect {
  const checked = subjectsOrFull(eventName, [groupById(groupId), personById(memberId)]);
  if (checked.kind !== "targeted") return checked;
  return { kind: "targeted", subjects: checked.subjects.filter((subject) => subject.kind === "person") };
}

function subjectsOrFull(eventName: string, candidates: (SyncSubject | undefined)[]): CloudTrailEffect {
  const subjects = candidates.filter((subject) => subject !== undefined);
  if (subjects.length === candidates.length) return { kind: "targeted", subjects };
  return { kind: "full", reason: `${eventName} without the ids idc-sync reads it by` };
}

// Identity Store ids: "([0-9a-f]{10}-|)" and a UUID, at most 47 characters (DescribeUser reference).
const identityStoreIdPattern =
  /^([0-9a-f]{10}-|)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const permissionSetArnPattern = /^arn:aws[a-z-]*:sso:::permissionSet\/ssoins-[0-9a-f]{16}\/ps-[0-9a-f]{16}$/;

function personById(value: unknown): SyncSubject | undefined {
  return typeof value === "string" && identityStoreIdPattern.test(value)
    ? { kind: "person", identityCenterUserId: value }
    : undefined;
}

function groupById(value: unknown): SyncSubject | undefined {
  return typeof value === "string" && identityStoreIdPattern.test(value)
    ? { kind: "group", identityCenterGroupId: value }
    : undefined;
}

function principalSubject(type: unknown, id: unknown): SyncSubject | undefined {
  if (type === "USER") return personById(id);
  if (type === "GROUP") return groupById(id);
  return undefined;
}

function permissionSetSubject(value: unknown): SyncSubject | undefined {
  return typeof value === "string" && permissionSetArnPattern.test(value)
    ? { kind: "permissionSet", permissionSetArn: value }
    : undefined;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
