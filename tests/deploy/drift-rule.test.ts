/**
 * The drift rule of deploy/serverless/events.yml, matched as EventBridge matches (exact values, nested
 * fields, `anything-but` with a prefix, eb-create-pattern-operators.html; "the event must contain all the
 * field names listed in the event pattern", eb-create-pattern.html) against CloudTrail events shaped as
 * AWS delivers them (tests/fixtures/events/cloudtrail-events.ts).
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readCloudTrailEvent } from "../../src/events/cloudtrail.js";
import {
  assumedRoleActor,
  cloudTrailEvent,
  identityCenterUserActor,
  identityStoreEvents,
  rootActor,
  ssoDirectoryEvents,
  ssoEvents,
} from "../fixtures/events/cloudtrail-events.js";

const root = resolve(import.meta.dirname, "../..");
const account = "111111111111";
const ownRole = "idc-sync-prod-us-east-1-lambdaRole";
const identityStoreId = "d-9067a1b2c3";
const userId = "9067a1b2c3-1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901";
const groupId = "9067a1b2c3-aaaa1111-2222-3333-4444-555566667777";
const instanceArn = "arn:aws:sso:::instance/ssoins-72230000a1b2c3d4";
const permissionSetArn = "arn:aws:sso:::permissionSet/ssoins-72230000a1b2c3d4/ps-0123456789abcdef";

/** What CloudFormation puts for the Fn::Sub placeholders the rule uses, in this account. */
const substitutions: Record<string, string> = {
  "AWS::Partition": "aws",
  "AWS::AccountId": account,
  IamRoleLambdaExecution: ownRole,
};

/** The rule's pattern with its Fn::Sub resolved as CloudFormation would in this account. */
async function driftPattern(): Promise<Record<string, unknown>> {
  const template = parse(await readFile(join(root, "deploy/serverless/events.yml"), "utf8"));
  const text = JSON.stringify(template.Resources.IdentityCenterDriftRule.Properties.EventPattern).replace(
    /\{"Fn::Sub":"([^"]*)"\}/g,
    (_, sub: string) =>
      JSON.stringify(sub.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => substitutions[name] ?? name)),
  );
  return JSON.parse(text);
}

function matches(pattern: Record<string, unknown>, event: Record<string, unknown>): boolean {
  return Object.entries(pattern).every(([key, rule]) => {
    if (!(key in event)) return false;
    const value = event[key];
    if (!Array.isArray(rule)) {
      return (
        typeof value === "object" &&
        value !== null &&
        matches(rule as Record<string, unknown>, value as Record<string, unknown>)
      );
    }
    return rule.some((candidate) => {
      if (typeof candidate !== "object" || candidate === null) return candidate === value;
      const prefix = (candidate as { "anything-but"?: { prefix?: string } })["anything-but"]?.prefix;
      if (prefix === undefined) throw new Error(`operator not modelled: ${JSON.stringify(candidate)}`);
      return typeof value === "string" && !value.startsWith(prefix);
    });
  });
}

const byHand = { actor: identityCenterUserActor(account, "AdministratorAccess", "mei.tanaka@example.com") };
const byIdcSync = { actor: assumedRoleActor(account, ownRole, "idc-sync-prod-syncQueue") };
const assignment = {
  instanceArn,
  accountId: "222222222222",
  permissionSetArn,
  principalType: "USER" as const,
  principalId: userId,
};

describe("the Identity Center drift rule", () => {
  it("forwards writes made by hand, by a person through Identity Center or by root, and every one names what to re-read", async () => {
    const pattern = await driftPattern();
    const handMade = [
      identityStoreEvents.createGroupMembership(
        { identityStoreId, groupId, userId, membershipId: "m-1" },
        byHand,
      ),
      identityStoreEvents.deleteGroupMembership({ identityStoreId, membershipId: "m-1" }, byHand),
      identityStoreEvents.deleteUser({ identityStoreId, userId }, byHand),
      ssoDirectoryEvents.addMemberToGroup(
        { identityStoreId, groupId, userId },
        { actor: rootActor(account) },
      ),
      ssoDirectoryEvents.removeMemberFromGroup({ identityStoreId, groupId, userId }, byHand),
      ssoEvents.createAccountAssignment(assignment, byHand),
      ssoEvents.deleteAccountAssignment(assignment, byHand),
      ssoEvents.putInlinePolicyToPermissionSet({ instanceArn, permissionSetArn }, byHand),
    ];
    for (const event of handMade) {
      expect(matches(pattern, event as never), event.detail.eventName).toBe(true);
      const read = readCloudTrailEvent(JSON.parse(JSON.stringify(event)));
      expect(read.ok && read.effect.kind !== "ignored", event.detail.eventName).toBe(true);
    }
  });

  it("leaves out idc-sync's own writes, and calls that change nothing", async () => {
    const pattern = await driftPattern();
    const own = [
      identityStoreEvents.createGroupMembership(
        { identityStoreId, groupId, userId, membershipId: "m-2" },
        byIdcSync,
      ),
      ssoEvents.createAccountAssignment(assignment, byIdcSync),
    ];
    const reads = [
      cloudTrailEvent(
        "identitystore",
        "ListUsers",
        { requestParameters: { identityStoreId }, responseElements: null },
        byHand,
      ),
      cloudTrailEvent(
        "sso",
        "DescribePermissionSet",
        { requestParameters: { permissionSetArn }, responseElements: null },
        byHand,
      ),
    ];
    for (const event of [...own, ...reads])
      expect(matches(pattern, event as never), event.detail.eventName).toBe(false);
  });
});
