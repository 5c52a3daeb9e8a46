/**
 * The one use case behind `idc-sync plan|apply` and the Lambda handler: read the directory and the
 * accounts, evaluate the rules, read Identity Center, plan, check the guards, and (when asked) apply.
 * It only calls ports, so the CLI, the handler and the tests all drive the same code.
 */
import type { RuleIssue, Rules } from "../mapping/index.js";
import {
  directoryRequestFromRules,
  evaluate,
  revocationFromRules,
  ruleQuotas,
  safetyFromRules,
  scopeFromRules,
} from "../mapping/index.js";
import { withAccountNames } from "./account-names.js";
import { applyPlan } from "./apply.js";
import { heldBackWarning, holdBackRemovals } from "./completeness.js";
import { classifyChanges, type DesiredDigests, desiredDigests } from "./drift.js";
import { SyncError } from "./errors.js";
import { checkGuards, type GuardVerdict } from "./guards.js";
import { type JoinerAccess, joinerAccess } from "./joiner-access.js";
import type {
  ApplyReport,
  Assignment,
  AwsAccount,
  Change,
  ChangeOutcome,
  DesiredState,
  Directory,
  IcGroup,
  IdentityCenterState,
  KnownGroup,
  Organization,
  Ownership,
  Plan,
  ScpReadout,
} from "./model.js";
import { PrincipalType } from "./model.js";
import { readScopeFor } from "./ownership.js";
import { computePlan } from "./plan.js";
import type {
  AccountDirectory,
  Clock,
  DirectorySource,
  IdentityCenter,
  ProgressListener,
  RevocationPolicies,
} from "./ports.js";
import { planRevocation, separateDenies } from "./revocation/plan-revocation.js";
import { fullScope, type SyncScope, type SyncSubject } from "./run-scope.js";
import { readPeopleDirectory, resolveSubjects } from "./targeted/read-people.js";
import {
  mergeTargetedDigests,
  mergeTargetedOwnership,
  type PeopleSlice,
  sliceDesiredState,
  sliceIdentityCenterState,
  slicePlan,
  withUserNamesOf,
} from "./targeted/slice.js";

export interface SyncPorts {
  directory: DirectorySource;
  accounts: AccountDirectory;
  identityCenter: IdentityCenter;
  /**
   * AWS Organizations' service control policies, for `leavers.revokeSessions: scp`. Without it, that
   * setting's denies are planned and reported as not written (a `file:` target has no Organizations).
   */
  revocation?: RevocationPolicies;
}

/** Said of every SCP deny when the run has no Organizations to write it to. */
export const noOrganizationsProblem =
  "service control policies are read and written only in AWS Organizations (--target aws)";

export interface RunSyncOptions {
  rules: Rules;
  ports: SyncPorts;
  /** `plan` reads and plans only; `apply` also changes Identity Center. */
  mode: "plan" | "apply";
  /** Lets up to this many removals through the maxDeletions guard, deliberately. */
  allowDeletions?: number;
  /** The removals digest approved in Slack: a plan with exactly these removals passes maxDeletions. */
  approvedRemovals?: string;
  /** Asked before applying a non-empty plan; false declines and nothing changes. */
  confirm?: (plan: Plan) => Promise<boolean>;
  /** Checked before each change starts; false stops cleanly (the deadline of a Lambda invocation). */
  shouldContinue?: () => boolean;
  concurrency?: number;
  onProgress?: ProgressListener;
  onOutcome?: (outcome: ChangeOutcome, change: Change) => void;
  /**
   * Classifies every change's `cause` (drift, joiner, ...) against the digests the run state kept
   * (`lastApplied` undefined: state is kept but no run left any yet). Omitted: changes carry no cause.
   */
  drift?: { lastApplied: DesiredDigests | undefined };
  /**
   * What the run state says idc-sync owns (`record` undefined: lost, or never kept). Omitted: the same as
   * lost, so the plan removes only what it can tell is its own by the rules and the managed-by tag.
   */
  ownership?: { record: Ownership | undefined };
  /** The time, for leavers' denies (when they end). Required when the rules revoke sessions. */
  clock?: Clock;
  /** User id → userName of the denies in force, as the run state remembers them (to name ended ones). */
  revocationNames?: Readonly<Record<string, string>>;
  /**
   * `full` (the default) reads the whole directory; `targeted` reads and plans only the people its
   * subjects name, and never changes anything outside them (README "Targeted runs").
   */
  scope?: SyncScope;
  /**
   * Managed objects the last full run counted: the base of a percentage `maxDeletions` in a targeted run,
   * which sees too little to count them itself. Without it a targeted run checks a numeric limit only.
   */
  fullRunManagedObjects?: number;
  /**
   * Every group as the last full run listed it (the run state's `knownGroups`): a targeted run names
   * memberships by these rather than list every group. Without them it lists them.
   */
  knownGroups?: readonly KnownGroup[];
}

/**
 * The desired state's digests, present when `drift` was asked for; the names of the denies in force
 * after the plan, when it has any.
 */
type Digests = {
  digests?: DesiredDigests;
  revocationNames?: Record<string, string>;
  /** Subjects of a targeted run it did not cover (a permission set, a group edited in Identity Center). */
  needsFullRun?: SyncSubject[];
  /**
   * A targeted run's people (lower-case userNames): what it planned, and all it may change in the run
   * state's drift record. Absent for a full run.
   */
  targetedPeople?: string[];
  /** What the people the plan creates will reach (for welcome messages); absent when it creates nobody. */
  joiners?: Record<string, JoinerAccess>;
  /** A full run's: every group it read (without members), for the run state's `knownGroups`. */
  groupsRead?: KnownGroup[];
};

export type RunSyncResult =
  /** The rules do not fit the directory or the organization (a missing Google group, a quota breach). */
  | { status: "invalid"; problems: RuleIssue[] }
  | ({
      status: "planned";
      plan: Plan;
      guard: GuardVerdict;
      desired: DesiredState;
      warnings: string[];
    } & Digests)
  /** A safety guard stopped the apply before anything changed. */
  | ({
      status: "blocked";
      plan: Plan;
      guard: Extract<GuardVerdict, { ok: false }>;
      warnings: string[];
    } & Digests)
  | ({ status: "declined"; plan: Plan; warnings: string[] } & Digests)
  | ({ status: "applied"; plan: Plan; report: ApplyReport; warnings: string[] } & Digests);

/**
 * Runs one sync. Reading failures throw (a `SyncError`), and happen before anything is applied;
 * user mistakes and guard stops come back as values.
 */
export async function runSync(options: RunSyncOptions): Promise<RunSyncResult> {
  const { ports } = options;
  const planned = await readAndPlan(options);
  if ("problems" in planned) return { status: "invalid", problems: planned.problems };
  if ("desired" in planned) return { status: "planned", ...planned };
  const {
    plan,
    guard,
    warnings,
    digests,
    revocationNames,
    needsFullRun,
    targetedPeople,
    joiners,
    groupsRead,
  } = planned;
  const known: Digests = {
    ...(digests ? { digests } : {}),
    ...(groupsRead ? { groupsRead } : {}),
    ...(revocationNames ? { revocationNames } : {}),
    ...(needsFullRun ? { needsFullRun } : {}),
    ...(targetedPeople ? { targetedPeople } : {}),
    ...(joiners ? { joiners } : {}),
  };

  if (!guard.ok) return { status: "blocked", plan, guard, warnings, ...known };
  if (plan.changes.length > 0 && options.confirm && !(await options.confirm(plan))) {
    return { status: "declined", plan, warnings, ...known };
  }
  const report = await applyPlan(plan, ports.identityCenter, {
    concurrency: options.concurrency,
    shouldContinue: options.shouldContinue,
    onOutcome: options.onOutcome,
    ...(ports.revocation ? { revocationPolicies: ports.revocation } : {}),
  });
  return { status: "applied", plan, report, warnings, ...known };
}

interface PlanOutcome {
  plan: Plan;
  guard: GuardVerdict;
  warnings: string[];
  digests?: DesiredDigests;
  revocationNames?: Record<string, string>;
  needsFullRun?: SyncSubject[];
  targetedPeople?: string[];
  joiners?: Record<string, JoinerAccess>;
  groupsRead?: KnownGroup[];
}

/**
 * Reads both sides and plans. Kept apart from `runSync` so the directory, the actual state and (when
 * applying) the desired state — at 50,000 people most of the run's memory — can be collected before the
 * apply starts: an async function keeps its locals while it waits, so only the plan leaves here.
 */
async function readAndPlan(
  options: RunSyncOptions,
): Promise<{ problems: RuleIssue[] } | (PlanOutcome & { desired: DesiredState }) | PlanOutcome> {
  const { rules, ports } = options;
  const runScope = options.scope ?? fullScope;
  const ownership = options.ownership?.record;
  const scope = readScopeFor(scopeFromRules(rules), ownership);
  const readAccounts = async () => {
    // Where the source knows every OU, a rule naming one that does not exist is an error, not a warning.
    const organization = ports.accounts.readOrganization
      ? await ports.accounts.readOrganization(options.onProgress)
      : undefined;
    const accounts = organization?.accounts ?? (await ports.accounts.listAccounts(options.onProgress));
    return { accounts, ...(organization ? { organization } : {}) };
  };
  const revocation = revocationFromRules(rules);

  let targeted: { people: PeopleSlice; notes: string[]; needsFullRun: SyncSubject[] } | undefined;
  let directory: Directory;
  let evaluated: Rules = rules;
  let accounts: AwsAccount[];
  let organization: Organization | undefined;
  if (runScope.kind === "targeted") {
    const resolved = await resolveSubjects(runScope.subjects, ports.identityCenter);
    const read = await readPeopleDirectory({
      rules,
      resolved,
      directory: ports.directory,
      readAccounts,
      ownership,
    });
    ({ directory, accounts, organization } = read);
    evaluated = read.rules;
    targeted = { people: read.people, notes: read.notes, needsFullRun: resolved.needsFullRun };
  } else {
    directory = await ports.directory.readDirectory(directoryRequestFromRules(rules), options.onProgress);
    ({ accounts, organization } = await readAccounts());
  }
  const evaluation = evaluate(directory, evaluated, accounts, organization);
  if (!evaluation.ok) return { problems: evaluation.problems };

  let held: IdentityCenterState;
  let groupAccess: Assignment[] = [];
  let desired = evaluation.desired;
  if (targeted) {
    if (ports.identityCenter.readPeople === undefined)
      throw new SyncError("this Identity Center target cannot read single people (targeted run)");
    const wanted = sliceDesiredState(desired, targeted.people);
    held = await ports.identityCenter.readPeople(
      {
        userNames: [...targeted.people.names].sort(),
        userIds: [...targeted.people.userIds].sort(),
        permissionSetNames: [...new Set(wanted.assignments.map((a) => a.permissionSetName))].sort(),
        withGroupAccess: revocation.mode === "scp",
        attributesNeeded: wanted.users.length > 0,
        ...(options.knownGroups ? { knownGroups: options.knownGroups } : {}),
      },
      scope,
    );
    // Ids resolve to names now, so the slice is by name from here on.
    targeted.people = withUserNamesOf(targeted.people, held);
    // What the people reach through their groups sizes their deny; the plan itself sees their own part.
    groupAccess = held.assignments.filter((assignment) => assignment.principalType === PrincipalType.group);
    held = sliceIdentityCenterState(held, targeted.people);
    desired = sliceDesiredState(desired, targeted.people);
  } else {
    held = await ports.identityCenter.readState(scope, options.onProgress);
  }
  const groupsRead = targeted ? undefined : held.groups.map(knownGroupOf);
  // Leavers' denies share permission sets' inline policies with the rules: the plan compares the rules'
  // part, and the revocation planner writes both back together.
  const { actual, found } = separateDenies(held, desired);
  const digests = options.drift ? desiredDigests(desired) : undefined;
  const computed = computePlan(desired, actual, scope, ownership);
  const classified =
    options.drift && digests ? classifyChanges(computed, digests, options.drift.lastApplied) : computed;
  let revoked: { plan: Plan; warnings: string[]; names?: Record<string, string> } = {
    plan: classified,
    warnings: [],
  };
  const targetedWarnings: string[] = [];
  if (targeted && revocation.mode === "permissionSets") {
    // A permission set's inline policy holds the rules' part and every leaver's deny: a targeted run
    // reads neither in full, so the deny is left to the full run that follows.
    targetedWarnings.push(
      "leavers.revokeSessions: permissionSets is written by full runs only; this targeted run removed access without the deny",
    );
  } else if (revocation.mode !== "off" || found.permissionSets.size > 0) {
    if (options.clock === undefined)
      throw new SyncError("a run that revokes leavers' sessions needs a clock");
    const scp: ScpReadout | undefined =
      revocation.mode !== "scp"
        ? undefined
        : ports.revocation
          ? await ports.revocation.read()
          : { usable: false, problem: noOrganizationsProblem };
    revoked = planRevocation({
      settings: revocation,
      now: options.clock.now(),
      plan: classified,
      desired,
      actual:
        groupAccess.length === 0
          ? actual
          : { ...actual, assignments: [...actual.assignments, ...groupAccess] },
      found,
      ...(scp ? { scp } : {}),
      inlinePolicyLimit: ruleQuotas.inlinePolicyNonWhitespaceBytes,
      directoryComplete: directory.completeness.proven,
      withCauses: options.drift !== undefined,
      ...(options.revocationNames ? { names: options.revocationNames } : {}),
    });
  }
  const sliced = targeted ? slicePlan(revoked.plan, targeted.people, actual) : revoked.plan;
  if (targeted && sliced.ownership) {
    // The run state keeps one record for everyone: the people's part is this run's, the rest stays.
    // Without a record (lost, or none kept yet) a targeted run starts none: only a full run sees enough.
    if (ownership === undefined) delete sliced.ownership;
    else sliced.ownership = mergeTargetedOwnership(sliced.ownership, ownership, targeted.people.names);
  }
  const keptDigests =
    targeted && digests
      ? mergeTargetedDigests(digests, options.drift?.lastApplied, targeted.people.names)
      : digests;
  // Before the guards: a read that cannot vouch for itself removes nothing, whatever the limits allow.
  const plan = withAccountNames(holdBackRemovals(sliced, directory.completeness), accounts);
  const heldBack = heldBackWarning(plan);
  const { maxDeletions } = safetyFromRules(rules);
  const guard = targeted
    ? checkTargetedGuards(plan, maxDeletions, options, targetedWarnings)
    : checkGuards(plan, {
        maxDeletions,
        allowDeletions: options.allowDeletions,
        ...(options.approvedRemovals ? { approvedRemovals: options.approvedRemovals } : {}),
        directoryUserCount: directory.users.length,
      });
  const outcome: PlanOutcome = {
    plan,
    guard,
    warnings: [
      ...(targeted?.notes ?? []),
      // Against a directory cut to a few people, "group matches nobody" and the like say nothing about
      // the rules: a targeted run leaves the rules' warnings to the full run.
      ...(targeted ? [] : evaluation.warnings),
      ...(heldBack ? [heldBack] : []),
      ...revoked.warnings,
      ...targetedWarnings,
    ],
    ...(keptDigests ? { digests: keptDigests } : {}),
    ...(revoked.names ? { revocationNames: revoked.names } : {}),
    ...(targeted && targeted.needsFullRun.length > 0 ? { needsFullRun: targeted.needsFullRun } : {}),
    ...(targeted ? { targetedPeople: [...targeted.people.names].sort() } : {}),
    ...(groupsRead ? { groupsRead } : {}),
    ...joinersOf(plan, desired),
  };
  return options.mode === "plan" ? { ...outcome, desired } : outcome;
}

function knownGroupOf(group: IcGroup): KnownGroup {
  return {
    id: group.id,
    displayName: group.displayName,
    ...(group.description === undefined ? {} : { description: group.description }),
  };
}

/**
 * The guards of a targeted run. The empty-directory guard is for whole reads (a person Google answers
 * 404 for is a confirmed leaver, not an empty read); a percentage `maxDeletions` is of the managed
 * objects the last full run counted, since the run sees only its people.
 */
function checkTargetedGuards(
  plan: Plan,
  maxDeletions: number | `${number}%`,
  options: RunSyncOptions,
  warnings: string[],
): GuardVerdict {
  const percentage = typeof maxDeletions === "string";
  if (percentage && options.fullRunManagedObjects === undefined) {
    warnings.push(
      `safety.maxDeletions ${maxDeletions} was not checked: a targeted run needs the managed-object count of a full run for it`,
    );
  }
  const base = percentage ? options.fullRunManagedObjects : undefined;
  return checkGuards(
    base === undefined && percentage
      ? { ...plan, managedObjectCount: Number.POSITIVE_INFINITY }
      : {
          ...plan,
          ...(base === undefined ? {} : { managedObjectCount: base }),
        },
    {
      maxDeletions,
      allowDeletions: options.allowDeletions,
      ...(options.approvedRemovals ? { approvedRemovals: options.approvedRemovals } : {}),
      directoryUserCount: 1,
    },
  );
}

function joinersOf(plan: Plan, desired: DesiredState): Pick<Digests, "joiners"> {
  const joiners = joinerAccess(plan, desired);
  return Object.keys(joiners).length > 0 ? { joiners } : {};
}
