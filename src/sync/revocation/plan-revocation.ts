/**
 * The kill switch's planner (issue #20): who left and still held access gets a deny on their Identity
 * Store user id for as long as any session they hold could live (the longest session duration among
 * their permission sets, plus a margin); the deny goes when it has expired, or at once when the person
 * is back. Pure: the plan, both states, what AWS holds and the time are parameters.
 *
 * Where a deny lives is `leavers.revokeSessions`:
 * - `scp`: service control policies idc-sync creates, attached to the root (every member account), and,
 *   because "SCPs don't affect users or roles in the management account" (orgs_manage_policies_scps.html),
 *   the inline policy of the permission sets the person had in the management account;
 * - `permissionSets`: the inline policy of every permission set the person had;
 * - `off`: no new deny; denies found in permission sets still end on time.
 *
 * A deny in a permission set's inline policy is merged with what the rules manage there: the planner
 * compares the rules' part (`separateDenies` takes the denies out of what Identity Center holds), and this
 * module writes both back together, so neither ever undoes the other.
 */

import { durationMinutes } from "../durations.js";
import {
  assignmentChangeKey,
  compareChanges,
  compareStrings,
  permissionSetChangeKey,
  provisionChangeKey,
} from "../keys.js";
import type {
  Change,
  ChangeCause,
  DesiredState,
  EndRevocation,
  ExtendRevocation,
  FieldChange,
  IcPermissionSet,
  IdentityCenterState,
  Plan,
  PlanLeaver,
  ProvisionPermissionSet,
  RevokeSessions,
  ScpReadout,
  UpdatePermissionSet,
} from "../model.js";
import { PrincipalType } from "../model.js";
import { thousands } from "../numbers.js";
import { inlinePolicyChange, permissionSetDiff } from "../permission-set-diff.js";
import { userKey } from "../scope.js";
import {
  type DenyEntry,
  readDenyText,
  storedSize,
  untilMs,
  untilText,
  withDenies,
  withoutDenies,
} from "./deny-statements.js";
import {
  documentedScpLimits,
  type ExistingRevocationPolicy,
  packRevocationPolicies,
  revocationPolicyKey,
  type ScpLimits,
} from "./scp-packing.js";

export const RevocationMode = { scp: "scp", permissionSets: "permissionSets", off: "off" } as const;
export type RevocationMode = (typeof RevocationMode)[keyof typeof RevocationMode];

export interface RevocationSettings {
  mode: RevocationMode;
  /** Added to the longest session duration (`leavers.margin`). */
  marginMinutes: number;
}

/**
 * The longest a permission set's session can be: "The maximum session duration is 12 hours"
 * (howtosessionduration.html). A duration idc-sync cannot read counts as this, so a deny never ends early.
 */
export const maxSessionMinutes = 12 * 60;

/** The denies found in the permission sets Identity Center holds. */
export interface FoundDenies {
  /** Permission set name → its inline policy as held (denies included) and the denies in it. */
  permissionSets: Map<string, { held: string | undefined; entries: DenyEntry[] }>;
}

/**
 * Identity Center's state with idc-sync's denies taken out of every permission set's inline policy, so
 * the planner compares only what the rules manage, and the denies found there.
 */
export function separateDenies(
  actual: IdentityCenterState,
  desired: DesiredState,
): { actual: IdentityCenterState; found: FoundDenies } {
  const rulesPolicies = new Map(desired.permissionSets.map((set) => [set.name, set.inlinePolicy]));
  const found: FoundDenies = { permissionSets: new Map() };
  const permissionSets = actual.permissionSets.map((set) => {
    const { policy, entries } = withoutDenies(set.inlinePolicy, rulesPolicies.get(set.name));
    if (entries.length === 0) return set;
    found.permissionSets.set(set.name, { held: set.inlinePolicy, entries });
    const { inlinePolicy: _held, ...rest } = set;
    return policy === undefined ? rest : { ...rest, inlinePolicy: policy };
  });
  return { actual: found.permissionSets.size === 0 ? actual : { ...actual, permissionSets }, found };
}

export interface RevocationInput {
  settings: RevocationSettings;
  now: Date;
  /** The plan `computePlan` made from the separated state, with its leavers (and causes, if classified). */
  plan: Plan;
  desired: DesiredState;
  /** Identity Center's state as `separateDenies` returned it. */
  actual: IdentityCenterState;
  found: FoundDenies;
  /** What Organizations holds; read in `scp` mode only. */
  scp?: ScpReadout;
  scpLimits?: ScpLimits;
  /** The permission set quota on an inline policy's non-white-space bytes (`ruleQuotas`). */
  inlinePolicyLimit: number;
  /** False when the directory read is not proven complete: then nobody gets a new deny (it is held back). */
  directoryComplete: boolean;
  /** Set `cause` on the changes this adds (the plan's other changes carry one). */
  withCauses: boolean;
  /** User id → userName, remembered from earlier runs, to name a deleted user's deny when it ends. */
  names?: Readonly<Record<string, string>>;
}

export interface RevocationOutcome {
  plan: Plan;
  warnings: string[];
  /** User id → userName of every deny in force after the plan, for the next run to name them. */
  names: Record<string, string>;
}

interface Access {
  accountIds: string[];
  /** Permission set name → the accounts it reaches the person in. */
  permissionSets: Map<string, Set<string>>;
}

interface Decision {
  kind: "revoke" | "extend" | "end" | "keep";
  userId: string;
  userName?: string;
  until: string;
  previousUntil?: string;
  longestSession?: string;
  access?: Access;
  reason: string;
  cause?: ChangeCause;
  problems: string[];
}

/** Adds the kill switch's changes to `plan`: denies to write, extend and end, and where they live. */
export function planRevocation(input: RevocationInput): RevocationOutcome {
  return new RevocationPlanner(input).plan();
}

class RevocationPlanner {
  private readonly nowMs: number;
  private readonly permissionSets: Map<string, IcPermissionSet>;
  private readonly rulesPolicies: Map<string, string | undefined>;
  /** Permission sets the rules define that Identity Center has: the ones a deny may be written into. */
  private readonly managedSets: Set<string>;
  private readonly warnings: string[] = [];
  private changes: Change[];

  constructor(private readonly input: RevocationInput) {
    this.nowMs = input.now.getTime();
    this.permissionSets = new Map(input.actual.permissionSets.map((set) => [set.name, set]));
    this.rulesPolicies = new Map(input.desired.permissionSets.map((set) => [set.name, set.inlinePolicy]));
    this.managedSets = new Set(
      [...this.rulesPolicies.keys()].filter((name) => this.permissionSets.has(name)),
    );
    this.changes = [...input.plan.changes];
  }

  plan(): RevocationOutcome {
    const current = this.currentDenies();
    const decisions = this.decide(current);
    // Every deny found is decided on (kept or ended): nothing decided means none in force and none due.
    if (decisions.length === 0) return { plan: this.input.plan, warnings: this.warnings, names: {} };
    const wanted = new Map<string, string>();
    for (const decision of decisions)
      if (decision.kind !== "end") wanted.set(decision.userId, decision.until);

    const scpPlaces = this.placeInScps(decisions, wanted);
    const setPlaces = this.placeInPermissionSets(decisions, wanted);
    const people = decisions
      .filter((decision) => decision.kind !== "keep")
      .map((decision) => this.personChange(decision, current, scpPlaces, setPlaces));
    this.annotateLeavers(decisions);

    const names: Record<string, string> = {};
    for (const decision of decisions) {
      if (decision.kind !== "end" && decision.userName !== undefined)
        names[decision.userId] = decision.userName;
    }
    const unwritten = people.filter((change) => (change.problems ?? []).length > 0);
    if (unwritten.length > 0) {
      this.warnings.push(
        `${unwritten.length} leaver${unwritten.length === 1 ? "'s deny" : "s' denies"} cannot be written completely (${unwritten
          .map((change) => `${change.userName ?? change.userId}: ${(change.problems ?? []).join("; ")}`)
          .join(" / ")}); their access is removed all the same, and the apply reports the failure`,
      );
    }
    return {
      plan: { ...this.input.plan, changes: [...this.changes, ...people].sort(compareChanges) },
      warnings: this.warnings,
      names,
    };
  }

  // ─── What is in force, and what should be ──────────────────────────────────────────────────────────

  /** User id → their deny as found (the latest expiry wherever it is) and the places holding it. */
  private currentDenies(): Map<string, { until: string; places: Set<string> }> {
    const current = new Map<string, { until: string; places: Set<string> }>();
    const add = (entry: DenyEntry, place: string) => {
      const known = current.get(entry.userId);
      if (known === undefined) current.set(entry.userId, { until: entry.until, places: new Set([place]) });
      else {
        known.places.add(place);
        if (compareStrings(entry.until, known.until) > 0) known.until = entry.until;
      }
    };
    const scp = this.usableScp();
    for (const policy of scp?.policies ?? []) {
      for (const entry of readDenyText(policy.content)) add(entry, scpPlace(policy.name));
    }
    for (const [name, { entries }] of this.input.found.permissionSets) {
      for (const entry of entries) add(entry, setPlace(name));
    }
    return current;
  }

  private decide(current: Map<string, { until: string; places: Set<string> }>): Decision[] {
    const { settings } = this.input;
    const decisions: Decision[] = [];
    const decided = new Set<string>();
    const access = settings.mode === "off" ? new Map<string, Access>() : this.accessOfLeavers();
    let heldBack = 0;
    for (const leaver of this.input.plan.leavers ?? []) {
      const reach = access.get(leaver.userId);
      if (reach === undefined || reach.accountIds.length === 0) continue;
      if (!this.input.directoryComplete) {
        heldBack += 1;
        continue;
      }
      decided.add(leaver.userId);
      decisions.push(this.denyFor(leaver, reach, current.get(leaver.userId)));
    }
    if (heldBack > 0) {
      this.warnings.push(
        `${heldBack} leaver${heldBack === 1 ? "'s" : "s'"} sessions are not denied yet: the Google read is not proven complete, so their removal is held back too`,
      );
    }

    const back = this.idsOfPeopleWanted();
    const usersById = new Map(this.input.actual.users.map((user) => [user.id, user]));
    for (const [userId, entry] of current) {
      if (decided.has(userId)) continue;
      const userName = usersById.get(userId)?.userName ?? this.input.names?.[userId];
      const base = {
        userId,
        ...(userName === undefined ? {} : { userName }),
        until: entry.until,
        problems: [],
      };
      if (back.has(userId)) {
        decisions.push({
          ...base,
          kind: "end",
          reason: `${userName ?? userId} is back: the rules want them again`,
          cause: "joiner",
        });
      } else if (untilMs(entry.until) <= this.nowMs) {
        decisions.push({
          ...base,
          kind: "end",
          reason: `expired at ${entry.until}: every session it was for has ended`,
          cause: "leaver",
        });
      } else {
        decisions.push({ ...base, kind: "keep", reason: "" });
      }
    }
    return decisions.sort((a, b) => compareStrings(a.userId, b.userId));
  }

  /** A leaver who still holds access: a new deny, a later one, or the one in force if it lasts long enough. */
  private denyFor(leaver: PlanLeaver, reach: Access, found: { until: string } | undefined): Decision {
    const longest = this.longestSession([...reach.permissionSets.keys()]);
    const until = untilText(this.nowMs + (longest.minutes + this.input.settings.marginMinutes) * 60_000);
    const base = {
      userId: leaver.userId,
      userName: leaver.userName,
      longestSession: longest.text,
      access: reach,
      reason: leaver.reason,
      cause: "leaver" as const,
      problems: [],
    };
    if (found === undefined) return { ...base, kind: "revoke", until };
    if (untilMs(found.until) < untilMs(until)) {
      return {
        ...base,
        kind: "extend",
        until,
        previousUntil: found.until,
        reason: `${leaver.reason}; still had access when this run read Identity Center`,
      };
    }
    return { ...base, kind: "keep", until: found.until };
  }

  /** The longest session duration among these permission sets; one idc-sync cannot read counts as 12 hours. */
  private longestSession(names: string[]): { minutes: number; text: string } {
    let longest = 0;
    let text = "PT1H";
    for (const name of names) {
      const duration = this.permissionSets.get(name)?.sessionDuration;
      const minutes = duration === undefined ? undefined : durationMinutes(duration);
      if (minutes === undefined) {
        this.warnings.push(
          `the session duration of permission set ${name} is not known to idc-sync; its leavers' denies last the longest a session can (PT12H)`,
        );
      }
      const value = minutes ?? maxSessionMinutes;
      if (value > longest) {
        longest = value;
        text = minutes === undefined ? "PT12H" : (duration ?? "PT12H");
      }
    }
    return { minutes: longest, text };
  }

  /** Every leaver's assignments, direct and through the groups Identity Center has them in. */
  private accessOfLeavers(): Map<string, Access> {
    const leavers = this.input.plan.leavers ?? [];
    const result = new Map<string, Access>();
    if (leavers.length === 0) return result;
    const byKey = new Map(leavers.map((leaver) => [userKey(leaver.userName), leaver.userId]));
    const groupsOf = new Map<string, string[]>();
    for (const group of this.input.actual.groups) {
      for (const member of group.members ?? []) {
        const userId = byKey.get(userKey(member));
        if (userId !== undefined)
          groupsOf.set(group.displayName, [...(groupsOf.get(group.displayName) ?? []), userId]);
      }
    }
    const grant = (userId: string, permissionSet: string, accountId: string) => {
      const access: Access = result.get(userId) ?? { accountIds: [], permissionSets: new Map() };
      const accounts = access.permissionSets.get(permissionSet) ?? new Set<string>();
      accounts.add(accountId);
      access.permissionSets.set(permissionSet, accounts);
      if (!access.accountIds.includes(accountId)) access.accountIds.push(accountId);
      result.set(userId, access);
    };
    for (const assignment of [...this.input.actual.assignments].sort((a, b) =>
      compareStrings(assignmentChangeKey(a), assignmentChangeKey(b)),
    )) {
      const holders =
        assignment.principalType === PrincipalType.user
          ? [byKey.get(userKey(assignment.principalName))].filter((id): id is string => id !== undefined)
          : (groupsOf.get(assignment.principalName) ?? []);
      for (const userId of holders) grant(userId, assignment.permissionSetName, assignment.accountId);
    }
    for (const access of result.values()) access.accountIds.sort(compareStrings);
    return result;
  }

  /** Identity Store ids of people the rules want: a deny on one of them ends at once. */
  private idsOfPeopleWanted(): Set<string> {
    const desired = new Set(this.input.desired.users.map((user) => userKey(user.userName)));
    const ids = new Set<string>();
    for (const user of this.input.actual.users) if (desired.has(userKey(user.userName))) ids.add(user.id);
    for (const owned of Object.values(this.input.plan.ownership?.users ?? {})) {
      if (owned.userId !== undefined) ids.add(owned.userId);
    }
    return ids;
  }

  // ─── Where the denies live ────────────────────────────────────────────────────────────────────────

  private usableScp(): Extract<ScpReadout, { usable: true }> | undefined {
    const scp = this.input.scp;
    return this.input.settings.mode === "scp" && scp?.usable === true ? scp : undefined;
  }

  /** SCP mode: every deny in force goes into idc-sync's SCPs. User id → the policy holding it. */
  private placeInScps(decisions: Decision[], wanted: Map<string, string>): Map<string, string> {
    const holders = new Map<string, string>();
    if (this.input.settings.mode !== "scp") return holders;
    const scp = this.usableScp();
    if (scp === undefined) {
      const problem =
        this.input.scp?.usable === false ? this.input.scp.problem : "AWS Organizations was not read";
      for (const decision of decisions) {
        if (decision.kind === "revoke" || decision.kind === "extend") {
          decision.problems.push(`not written to a service control policy: ${problem}`);
        }
      }
      return holders;
    }
    const ours = new Set(scp.policies.map((policy) => policy.id));
    const existing: ExistingRevocationPolicy[] = scp.policies.map((policy) => ({
      id: policy.id,
      name: policy.name,
      content: policy.content,
      entries: readDenyText(policy.content),
      attached: scp.attachedToRoot.includes(policy.id),
    }));
    const packed = packRevocationPolicies({
      wanted: [...wanted].map(([userId, until]) => ({ userId, until })),
      existing,
      foreignNames: scp.foreignNames,
      othersAtRoot: scp.attachedToRoot.filter((id) => !ours.has(id)).length,
      rootId: scp.rootId,
      limits: this.input.scpLimits ?? documentedScpLimits,
    });
    this.changes.push(...packed.changes.map((change) => this.caused(change, "leaver")));
    for (const decision of decisions) {
      const why = packed.unstored.get(decision.userId);
      if (why !== undefined && decision.kind !== "end")
        decision.problems.push(`not written to a service control policy: ${why}`);
    }
    return packed.holders;
  }

  /**
   * Denies in permission sets' inline policies: every permission set the person had (permissionSets
   * mode), or those in the management account (scp mode); denies found stay where they are until they
   * end. Returns user id → the permission sets holding their deny after the plan.
   */
  private placeInPermissionSets(decisions: Decision[], wanted: Map<string, string>): Map<string, string[]> {
    const { mode } = this.input.settings;
    const management = this.usableScp()?.managementAccountId;
    const entries = new Map<string, Map<string, string>>();
    const entriesOf = (name: string) => {
      const known = entries.get(name) ?? new Map<string, string>();
      entries.set(name, known);
      return known;
    };
    for (const [name, found] of this.input.found.permissionSets) {
      const kept = entriesOf(name);
      for (const entry of found.entries) {
        const until = wanted.get(entry.userId);
        if (until !== undefined) kept.set(entry.userId, until);
      }
    }
    for (const decision of decisions) {
      if ((decision.kind !== "revoke" && decision.kind !== "extend") || decision.access === undefined)
        continue;
      for (const [name, accounts] of decision.access.permissionSets) {
        const where =
          mode === "permissionSets"
            ? [...accounts]
            : [...accounts].filter((account) => account === management);
        if (where.length === 0) continue;
        if (!this.managedSets.has(name)) {
          decision.problems.push(
            `permission set ${name} (${where.sort(compareStrings).join(", ")}) is not one the rules define, so idc-sync does not write into it: ${
              mode === "scp"
                ? "the management account, which SCPs do not reach, keeps"
                : "those accounts keep"
            } the sessions opened with it until they expire`,
          );
          continue;
        }
        entriesOf(name).set(decision.userId, decision.until);
      }
    }

    const holders = new Map<string, string[]>();
    const byId = new Map(decisions.map((decision) => [decision.userId, decision]));
    for (const name of [...entries.keys()].sort(compareStrings)) {
      const fitted = this.fitInto(name, entries.get(name)!, byId);
      for (const userId of fitted.keys()) holders.set(userId, [...(holders.get(userId) ?? []), name]);
      this.writePermissionSet(name, fitted);
    }
    return holders;
  }

  /**
   * The denies that fit in a permission set's inline policy beside the rules' own statements: those
   * already there first, then the new ones in expiry order; one that does not fit is a problem of its
   * person's change (a later expiry that does not fit keeps the earlier one).
   */
  private fitInto(
    name: string,
    wanted: Map<string, string>,
    decisions: Map<string, Decision>,
  ): Map<string, string> {
    const rules = this.rulesPolicies.get(name);
    const fitted = new Map<string, string>();
    const fits = (candidate: Map<string, string>) => {
      const text = withDenies(
        rules,
        [...candidate].map(([userId, until]) => ({ userId, until })),
      );
      // Canonical JSON has no white space between its tokens: its bytes are what the quota counts, as the
      // rules check counts the rules' own policy.
      return text === undefined || storedSize(text) <= this.input.inlinePolicyLimit;
    };
    const was = new Map(
      (this.input.found.permissionSets.get(name)?.entries ?? []).map((entry) => [entry.userId, entry.until]),
    );
    const order = [...wanted].sort(
      ([a, untilA], [b, untilB]) =>
        Number(!was.has(a)) - Number(!was.has(b)) || compareStrings(untilA, untilB) || compareStrings(a, b),
    );
    for (const [userId, until] of order) {
      const trial = new Map(fitted).set(userId, until);
      if (fits(trial)) {
        fitted.set(userId, until);
        continue;
      }
      const earlier = was.get(userId);
      if (earlier !== undefined && fits(new Map(fitted).set(userId, earlier))) fitted.set(userId, earlier);
      const decision = decisions.get(userId);
      decision?.problems.push(
        `no room in permission set ${name}'s inline policy (${thousands(this.input.inlinePolicyLimit)} bytes without white space, the rules' own statements included)${
          earlier === undefined ? "" : `: its deny there still ends at ${earlier}`
        }`,
      );
    }
    return fitted;
  }

  /**
   * Writes a permission set's denies: into the update the plan already has for it (the rules changed it
   * too), else as an update of its own and a provisioning to the accounts already using it.
   */
  private writePermissionSet(name: string, entries: Map<string, string>): void {
    const set = this.permissionSets.get(name);
    if (set === undefined) return;
    const found = this.input.found.permissionSets.get(name);
    const held = found === undefined ? set.inlinePolicy : found.held;
    const denies = [...entries].map(([userId, until]) => ({ userId, until }));
    const index = this.changes.findIndex(
      (change) => change.kind === "updatePermissionSet" && change.permissionSet.name === name,
    );
    const existing = index < 0 ? undefined : (this.changes[index] as UpdatePermissionSet);
    const target = withDenies(
      existing === undefined ? set.inlinePolicy : existing.permissionSet.inlinePolicy,
      denies,
    );
    const denyDiff = describeDenyChange(found?.entries ?? [], denies);
    if (existing !== undefined) {
      const fields = existing.fields.filter((field) => field.field !== "inlinePolicy");
      if (target !== held) fields.push(inlinePolicyField(held, target));
      if (fields.length === 0) {
        // Only the denies made the rules' part look different; with them, it is in step.
        this.changes.splice(index, 1);
        return;
      }
      this.changes[index] = {
        ...existing,
        reason: denyDiff === undefined ? existing.reason : `${existing.reason}; ${denyDiff}`,
        permissionSet: withInline(existing.permissionSet, target),
        diff: { ...existing.diff, inlinePolicy: inlinePolicyChange(held, target) },
        fields,
      };
      return;
    }
    if (target === held) return;
    const { arn: _arn, managedByTag: _tag, provisionedAccountIds, ...attributes } = set;
    const update: UpdatePermissionSet = {
      kind: "updatePermissionSet",
      key: permissionSetChangeKey(name),
      reason: denyDiff ?? "leavers' denies rewritten",
      permissionSet: withInline(attributes, target),
      diff: permissionSetDiff(withInline(attributes, held), withInline(attributes, target)),
      fields: [inlinePolicyField(held, target)],
    };
    this.changes.push(this.caused(update, "leaver"));
    const accountIds = [...new Set(provisionedAccountIds)].sort(compareStrings);
    const provisioned = this.changes.some(
      (change) => change.kind === "provisionPermissionSet" && change.permissionSetName === name,
    );
    if (accountIds.length > 0 && !provisioned) {
      const provision: ProvisionPermissionSet = {
        kind: "provisionPermissionSet",
        key: provisionChangeKey(name),
        reason: `push the leavers' denies to the ${accountIds.length} account${accountIds.length === 1 ? "" : "s"} using it`,
        permissionSetName: name,
        accountIds,
      };
      this.changes.push(this.caused(provision, "leaver"));
    }
  }

  // ─── The plan's lines ─────────────────────────────────────────────────────────────────────────────

  private personChange(
    decision: Decision,
    current: Map<string, { until: string; places: Set<string> }>,
    scpHolders: Map<string, string>,
    setHolders: Map<string, string[]>,
  ): RevokeSessions | ExtendRevocation | EndRevocation {
    const keys = new Set(this.changes.map((change) => change.key));
    const writes = (places: Iterable<string>) => {
      const heldBy: string[] = [];
      for (const place of places) {
        const [kind, name] = splitPlace(place);
        const candidates =
          kind === "SCP"
            ? [revocationPolicyKey(name)]
            : [permissionSetChangeKey(name), provisionChangeKey(name)];
        heldBy.push(...candidates.filter((key) => keys.has(key)));
      }
      return [...new Set(heldBy)].sort(compareStrings);
    };
    const base = {
      key: `revocation:${decision.userId}`,
      userId: decision.userId,
      until: decision.until,
      reason: decision.reason,
      ...(this.input.withCauses && decision.cause !== undefined ? { cause: decision.cause } : {}),
    };
    if (decision.kind === "end") {
      const places = [...(current.get(decision.userId)?.places ?? [])].sort(compareStrings);
      return {
        ...base,
        kind: "endRevocation",
        ...(decision.userName === undefined ? {} : { userName: decision.userName }),
        heldBy: writes(places),
        places,
      };
    }
    const holder = scpHolders.get(decision.userId);
    const places = [
      ...(holder === undefined ? [] : [scpPlace(holder)]),
      ...(setHolders.get(decision.userId) ?? []).map(setPlace),
    ];
    const person = {
      ...base,
      userName: decision.userName ?? decision.userId,
      longestSession: decision.longestSession ?? "PT12H",
      accountIds: decision.access?.accountIds ?? [],
      heldBy: writes(places),
      places,
      ...(decision.problems.length > 0 ? { problems: [...new Set(decision.problems)] } : {}),
    };
    if (places.length === 0 && decision.problems.length === 0) {
      person.problems = ["nowhere to write the deny"];
    }
    return decision.kind === "extend"
      ? { ...person, kind: "extendRevocation", previousUntil: decision.previousUntil ?? decision.until }
      : { ...person, kind: "revokeSessions" };
  }

  /** A leaver's own lines say when their deny ends, so the Slack leaver notice does too. */
  private annotateLeavers(decisions: Decision[]): void {
    const until = new Map(
      decisions
        .filter((decision) => decision.kind === "revoke" || decision.kind === "extend")
        .flatMap((decision) =>
          decision.userName === undefined ? [] : [[userKey(decision.userName), decision.until]],
        ),
    );
    if (until.size === 0) return;
    this.changes = this.changes.map((change) => {
      const subject =
        change.kind === "deleteUser"
          ? change.userName
          : change.kind === "deleteAssignment" && change.assignment.principalType === PrincipalType.user
            ? change.assignment.principalName
            : undefined;
      const ends = subject === undefined ? undefined : until.get(userKey(subject));
      return ends === undefined
        ? change
        : { ...change, reason: `${change.reason}; sessions denied until ${ends}` };
    });
  }

  private caused<T extends Change>(change: T, cause: ChangeCause): T {
    return this.input.withCauses ? { ...change, cause } : change;
  }
}

function scpPlace(name: string): string {
  return `SCP ${name}`;
}

function setPlace(name: string): string {
  return `permission set ${name}`;
}

function splitPlace(place: string): ["SCP" | "permission set", string] {
  return place.startsWith("SCP ")
    ? ["SCP", place.slice("SCP ".length)]
    : ["permission set", place.slice("permission set ".length)];
}

function withInline<T extends { inlinePolicy?: string }>(attributes: T, policy: string | undefined): T {
  const { inlinePolicy: _old, ...rest } = attributes;
  return (policy === undefined ? rest : { ...rest, inlinePolicy: policy }) as T;
}

function inlinePolicyField(from: string | undefined, to: string | undefined): FieldChange {
  return { field: "inlinePolicy", from: from ?? null, to: to ?? null };
}

/** "denies: +2 leavers, -1 ended" for a permission set's update, or undefined when they did not change. */
function describeDenyChange(before: readonly DenyEntry[], after: readonly DenyEntry[]): string | undefined {
  const was = new Map(before.map((entry) => [entry.userId, entry.until]));
  const now = new Map(after.map((entry) => [entry.userId, entry.until]));
  const added = [...now.keys()].filter((id) => !was.has(id)).length;
  const ended = [...was.keys()].filter((id) => !now.has(id)).length;
  const moved = [...now].filter(([id, until]) => was.has(id) && was.get(id) !== until).length;
  if (added + ended + moved === 0) return undefined;
  const parts = [
    added > 0 ? `${added} leaver${added === 1 ? "'s" : "s'"} sessions denied` : "",
    moved > 0 ? `${moved} den${moved === 1 ? "y" : "ies"} moved later` : "",
    ended > 0 ? `${ended} den${ended === 1 ? "y" : "ies"} ended` : "",
  ].filter((part) => part !== "");
  return parts.join(", ");
}
