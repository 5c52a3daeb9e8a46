/**
 * Decides, for every IAM user, what it is (unused, a person, a system, unknown), what is wrong with it
 * (old keys, console without MFA, administrator rights, a leaver's account) and what is safe to do,
 * with the evidence written out so a reviewer can check the call. Pure: `now` is a parameter.
 *
 * The one promise the report makes is "safe to retire": it is given only to users nobody used for
 * `staleDays` AND whose keys CloudTrail saw doing nothing in the window. A system user is never safe.
 */

import { compareStrings as compare } from "../sync/keys.js";
import type { Directory } from "../sync/model.js";
import { matchPerson } from "./matching.js";
import {
  type AccountInventory,
  AgentKind,
  type AuditReport,
  type ClassifiedUser,
  type Finding,
  FindingKind,
  type IamUserRecord,
  type KeyActivity,
  type PersonMatch,
  PersonStatus,
  Recommendation,
  type SystemHint,
  UserClass,
} from "./model.js";
import { classifyUserAgent } from "./user-agent.js";

export interface AuditOptions {
  now: Date;
  /** No console or key use for this many days (or never) makes a user `unused`. Default 90. */
  staleDays: number;
  /** Active keys older than this are a finding. Default 90 (CIS AWS benchmark). */
  keyMaxAgeDays: number;
  /** The CloudTrail window in days, when CloudTrail was searched. */
  cloudTrailDays?: number;
  /** The Google directory and the domains it covers, when a source was given. */
  directory?: { people: Directory["users"]; domains: string[] };
}

export const defaultAuditOptions = { staleDays: 90, keyMaxAgeDays: 90 } as const;

const administratorPolicyArnSuffix = ":policy/AdministratorAccess";
const day = 86_400_000;

/** Builds the report from what was read; leavers come first. */
export function buildAuditReport(
  inventories: readonly AccountInventory[],
  options: AuditOptions,
): AuditReport {
  const users: ClassifiedUser[] = [];
  for (const inventory of inventories) {
    if (inventory.status !== "read") continue;
    for (const user of inventory.users) {
      const activity = inventory.activity
        ? user.accessKeys.flatMap((key) =>
            inventory.activity?.[key.id] ? [inventory.activity[key.id]!] : [],
          )
        : undefined;
      const person = options.directory
        ? matchPerson(user, options.directory.people, options.directory.domains)
        : undefined;
      users.push(classifyUser(user, { ...inventory.account, activity, person }, options));
    }
  }
  users.sort(
    (a, b) =>
      Number(isLeaver(b)) - Number(isLeaver(a)) ||
      compare(a.accountId, b.accountId) ||
      compare(a.userName, b.userName),
  );
  const count = (kind: UserClass) => users.filter((user) => user.classification === kind).length;
  return {
    generatedAt: options.now.toISOString(),
    staleDays: options.staleDays,
    ...(options.cloudTrailDays !== undefined ? { cloudTrailDays: options.cloudTrailDays } : {}),
    accounts: inventories
      .map((inventory) =>
        inventory.status === "read"
          ? { ...inventory.account, status: "read" as const, users: inventory.users.length }
          : { ...inventory.account, status: "unreachable" as const, users: 0, reason: inventory.reason },
      )
      .sort((a, b) => compare(a.id, b.id)),
    users,
    totals: {
      unused: count(UserClass.unused),
      person: count(UserClass.person),
      system: count(UserClass.system),
      unknown: count(UserClass.unknown),
      safeToRetire: users.filter((user) => user.recommendation === Recommendation.safeToRetire).length,
      leavers: users.filter(isLeaver).length,
    },
  };
}

export interface UserContext {
  id: string;
  name: string;
  /** CloudTrail activity of the user's keys; undefined when CloudTrail was not searched. */
  activity: KeyActivity[] | undefined;
  person: PersonMatch | undefined;
}

/** Classifies one user. */
export function classifyUser(
  user: IamUserRecord,
  context: UserContext,
  options: AuditOptions,
): ClassifiedUser {
  const { now, staleDays } = options;
  const cutoff = new Date(now.getTime() - staleDays * day);
  const activeKeys = user.accessKeys.filter((key) => key.status === "Active");
  const keyUses = user.accessKeys.flatMap((key) => (key.lastUsed ? [{ key, ...key.lastUsed }] : []));
  const lastKeyUse = keyUses.reduce<(typeof keyUses)[number] | undefined>(
    (latest, use) => (!latest || use.at > latest.at ? use : latest),
    undefined,
  );
  const consoleInUse = user.passwordLastUsed !== undefined && user.passwordLastUsed >= cutoff;
  const keysInUse = lastKeyUse !== undefined && lastKeyUse.at >= cutoff;
  const activity = context.activity;
  const events = activity?.reduce((sum, entry) => sum + entry.eventCount, 0);
  const lookupFailed = activity?.some((entry) => entry.error !== undefined) ?? false;
  const agentKinds = new Set(activity?.flatMap((entry) => entry.userAgents.map((agent) => agent.kind)) ?? []);

  const evidence: string[] = [];
  evidence.push(
    user.passwordLastUsed
      ? `console last used ${isoDay(user.passwordLastUsed)} (${daysAgo(user.passwordLastUsed, now)})`
      : user.passwordEnabled
        ? "console password never used"
        : "no console password",
  );
  if (user.accessKeys.length === 0) evidence.push("no access keys");
  for (const key of user.accessKeys) {
    const where = key.lastUsed
      ? `last used ${isoDay(key.lastUsed.at)} (${daysAgo(key.lastUsed.at, now)})${key.lastUsed.service ? ` on ${key.lastUsed.service}` : ""}${key.lastUsed.region ? ` in ${key.lastUsed.region}` : ""}`
      : "never used";
    evidence.push(`key ${key.id} (${key.status.toLowerCase()}) ${where}`);
  }
  if (activity && activeKeys.length > 0) {
    if (lookupFailed) evidence.push("CloudTrail lookup failed for a key: activity unknown");
    else
      evidence.push(
        events === 0
          ? `no CloudTrail events in ${options.cloudTrailDays ?? "the"} days`
          : `${events}${activity.some((entry) => entry.truncated) ? "+" : ""} CloudTrail events in ${options.cloudTrailDays ?? "the"} days`,
      );
  }
  if (context.person)
    evidence.push(`Google: ${context.person.email} (${context.person.status}, by ${context.person.by})`);

  const system = systemHint(user, activity);
  const cloudTrailActive = (events ?? 0) > 0;
  let classification: UserClass;
  if (!consoleInUse && !keysInUse && !cloudTrailActive) classification = UserClass.unused;
  else if (consoleInUse || context.person) classification = UserClass.person;
  else if (keysInUse && isMachineUse(agentKinds, activity, user)) classification = UserClass.system;
  else classification = UserClass.unknown;

  // A user younger than the stale window has not had the time to be used: nobody can call it abandoned.
  const tooNewToJudge =
    classification === UserClass.unused && user.createdAt !== undefined && user.createdAt >= cutoff;
  if (tooNewToJudge && user.createdAt)
    evidence.push(`created ${isoDay(user.createdAt)} (${daysAgo(user.createdAt, now)})`);
  const findings = findingsFor(user, context.person, options);
  const leaver = findings.some((finding) => finding.kind === FindingKind.leaver);
  const { recommendation, advice } = recommend({
    classification,
    leaver,
    person: context.person,
    system,
    cloudTrailSearched: activity !== undefined,
    lookupFailed,
    cloudTrailActive,
    keysInUse,
    tooNewToJudge,
  });

  return {
    accountId: context.id,
    accountName: context.name,
    userName: user.userName,
    arn: user.arn,
    classification,
    evidence,
    findings,
    recommendation,
    advice,
    ...(context.person ? { person: context.person } : {}),
    ...(classification === UserClass.system ? { system } : {}),
    ...(user.passwordLastUsed ? { lastConsoleUse: user.passwordLastUsed.toISOString() } : {}),
    ...(lastKeyUse ? { lastKeyUse: lastKeyUse.at.toISOString() } : {}),
    activeKeys: activeKeys.length,
    ...(events !== undefined ? { cloudTrailEvents: events } : {}),
    groups: [...user.groups].sort(),
    policies: policyNames(user),
    tags: user.tags,
  };
}

/**
 * Keys in use by programs: CloudTrail shows only non-console agents, or, without CloudTrail, the user
 * cannot sign in to the console at all (so only a program can be using its keys).
 */
function isMachineUse(
  agentKinds: ReadonlySet<string>,
  activity: KeyActivity[] | undefined,
  user: IamUserRecord,
): boolean {
  if (activity && agentKinds.size > 0) return !agentKinds.has(AgentKind.console);
  return !user.passwordEnabled;
}

function systemHint(user: IamUserRecord, activity: KeyActivity[] | undefined): SystemHint {
  const agents = new Set<string>();
  const ips = new Set<string>();
  const services = new Set<string>();
  for (const entry of activity ?? []) {
    for (const agent of entry.userAgents) agents.add(classifyUserAgent(agent.name).label);
    for (const ip of entry.sourceIps) ips.add(ip.name);
    for (const source of entry.topEventSources) services.add(source.name.replace(/\.amazonaws\.com$/, ""));
  }
  if (services.size === 0)
    for (const key of user.accessKeys) if (key.lastUsed?.service) services.add(key.lastUsed.service);
  return { agents: [...agents].sort(), sourceIps: [...ips].sort(), services: [...services].sort() };
}

function findingsFor(user: IamUserRecord, person: PersonMatch | undefined, options: AuditOptions): Finding[] {
  const findings: Finding[] = [];
  if (person && person.status !== PersonStatus.active) {
    findings.push({
      kind: FindingKind.leaver,
      message:
        person.status === PersonStatus.gone
          ? `${person.email} is gone from Google`
          : `${person.email} is ${person.status} in Google`,
    });
  }
  for (const key of user.accessKeys) {
    if (key.status !== "Active" || !key.createdAt) continue;
    const age = Math.floor((options.now.getTime() - key.createdAt.getTime()) / day);
    if (age > options.keyMaxAgeDays)
      findings.push({ kind: FindingKind.oldKey, message: `key ${key.id} is ${age} days old` });
  }
  if (user.passwordEnabled && !user.mfaActive && user.mfaDevices.length === 0)
    findings.push({ kind: FindingKind.consoleWithoutMfa, message: "console password without MFA" });
  const admin = administratorSources(user);
  if (admin.length > 0)
    findings.push({ kind: FindingKind.administrator, message: `administrator through ${admin.join(", ")}` });
  return findings;
}

/** AdministratorAccess, or an inline policy allowing every action on every resource. */
function administratorSources(user: IamUserRecord): string[] {
  const sources: string[] = [];
  const via = (policy: { via: IamUserRecord["attachedPolicies"][number]["via"] }) =>
    policy.via.kind === "group" ? ` (group ${policy.via.group})` : "";
  for (const policy of user.attachedPolicies)
    if (policy.arn.endsWith(administratorPolicyArnSuffix)) sources.push(`${policy.name}${via(policy)}`);
  for (const policy of user.inlinePolicies)
    if (policy.document && allowsEverything(policy.document))
      sources.push(`inline ${policy.name}${via(policy)}`);
  return sources;
}

/** True when a statement allows Action "*" on Resource "*" (no NotAction tricks, no conditions). */
export function allowsEverything(document: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return false;
  }
  const statements = (parsed as { Statement?: unknown }).Statement;
  const list = Array.isArray(statements) ? statements : statements ? [statements] : [];
  const has = (value: unknown, wanted: string) =>
    value === wanted || (Array.isArray(value) && value.includes(wanted));
  return list.some((statement) => {
    const entry = statement as Record<string, unknown>;
    return (
      entry.Effect === "Allow" &&
      has(entry.Action, "*") &&
      has(entry.Resource, "*") &&
      entry.Condition === undefined
    );
  });
}

function recommend(input: {
  classification: UserClass;
  leaver: boolean;
  person: PersonMatch | undefined;
  system: SystemHint;
  cloudTrailSearched: boolean;
  lookupFailed: boolean;
  cloudTrailActive: boolean;
  keysInUse: boolean;
  tooNewToJudge: boolean;
}): { recommendation: Recommendation; advice: string } {
  const { classification, person, system } = input;
  if (classification === UserClass.unused && input.tooNewToJudge)
    return {
      recommendation: Recommendation.findOwner,
      advice: "created inside the stale window and not used yet: ask who it is for before retiring",
    };
  if (classification === UserClass.unused) {
    if (input.cloudTrailSearched && !input.lookupFailed && !input.cloudTrailActive)
      return {
        recommendation: Recommendation.safeToRetire,
        advice: "no use in the stale window and no CloudTrail activity: safe to retire",
      };
    return {
      recommendation: Recommendation.confirmWithCloudTrail,
      advice: input.lookupFailed
        ? "unused by IAM's records, but the CloudTrail lookup failed: run again before retiring"
        : "unused by IAM's records; run with --cloudtrail to confirm before retiring",
    };
  }
  const usedBy = describeSystem(system);
  if (classification === UserClass.system) {
    return {
      recommendation: Recommendation.keepSystem,
      advice: `never retire while in use: ${usedBy}; move it to a role first`,
    };
  }
  if (input.leaver && person) {
    const where = person.status === PersonStatus.gone ? "gone from" : `${person.status} in`;
    return {
      recommendation: Recommendation.offboard,
      advice: input.keysInUse
        ? `${person.email} is ${where} Google but the keys are still in use (${usedBy}): disable the password now, move that program to a role, then disable the keys`
        : `${person.email} is ${where} Google: disable the password and keys now`,
    };
  }
  if (classification === UserClass.person)
    return {
      recommendation: Recommendation.migratePerson,
      advice: person
        ? `give ${person.email} access through Identity Center, then retire this user`
        : "find the person, give them access through Identity Center, then retire this user",
    };
  return {
    recommendation: Recommendation.findOwner,
    advice: "in use, but not clearly by a person or a system",
  };
}

function describeSystem(system: SystemHint): string {
  const parts = [
    system.agents.length > 0 ? system.agents.join(", ") : undefined,
    system.sourceIps.length > 0 ? `from ${system.sourceIps.join(", ")}` : undefined,
    system.services.length > 0 ? `calling ${system.services.join(", ")}` : undefined,
  ].filter((part) => part !== undefined);
  return parts.length > 0 ? parts.join(" ") : "keys in use by a program";
}

function policyNames(user: IamUserRecord): string[] {
  const names = [
    ...user.attachedPolicies.map((policy) =>
      policy.via.kind === "group" ? `${policy.name} (group ${policy.via.group})` : policy.name,
    ),
    ...user.inlinePolicies.map((policy) =>
      policy.via.kind === "group"
        ? `inline ${policy.name} (group ${policy.via.group})`
        : `inline ${policy.name}`,
    ),
  ];
  return names.sort();
}

function isLeaver(user: ClassifiedUser): boolean {
  return user.findings.some((finding) => finding.kind === FindingKind.leaver);
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function daysAgo(date: Date, now: Date): string {
  const days = Math.floor((now.getTime() - date.getTime()) / day);
  return days <= 0 ? "today" : days === 1 ? "1 day ago" : `${days} days ago`;
}
