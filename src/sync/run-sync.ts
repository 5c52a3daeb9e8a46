/**
 * The one use case behind `idc-sync plan|apply` and the Lambda handler: read the directory and the
 * accounts, evaluate the rules, read Identity Center, plan, check the guards, and (when asked) apply.
 * It only calls ports, so the CLI, the handler and the tests all drive the same code.
 */
import type { RuleIssue, Rules } from "../mapping/index.js";
import { directoryRequestFromRules, evaluate, safetyFromRules, scopeFromRules } from "../mapping/index.js";
import { withAccountNames } from "./account-names.js";
import { applyPlan } from "./apply.js";
import { heldBackWarning, holdBackRemovals } from "./completeness.js";
import { classifyChanges, type DesiredDigests, desiredDigests } from "./drift.js";
import { checkGuards, type GuardVerdict } from "./guards.js";
import type { ApplyReport, Change, ChangeOutcome, DesiredState, Ownership, Plan } from "./model.js";
import { readScopeFor } from "./ownership.js";
import { computePlan } from "./plan.js";
import type { AccountDirectory, DirectorySource, IdentityCenter, ProgressListener } from "./ports.js";

export interface SyncPorts {
  directory: DirectorySource;
  accounts: AccountDirectory;
  identityCenter: IdentityCenter;
}

export interface RunSyncOptions {
  rules: Rules;
  ports: SyncPorts;
  /** `plan` reads and plans only; `apply` also changes Identity Center. */
  mode: "plan" | "apply";
  /** Lets up to this many removals through the maxDeletions guard, deliberately. */
  allowDeletions?: number;
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
}

/** The desired state's digests, present when `drift` was asked for. */
type Digests = { digests?: DesiredDigests };

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
  const { plan, guard, warnings, digests } = planned;
  const known: Digests = digests ? { digests } : {};

  if (!guard.ok) return { status: "blocked", plan, guard, warnings, ...known };
  if (plan.changes.length > 0 && options.confirm && !(await options.confirm(plan))) {
    return { status: "declined", plan, warnings, ...known };
  }
  const report = await applyPlan(plan, ports.identityCenter, {
    concurrency: options.concurrency,
    shouldContinue: options.shouldContinue,
    onOutcome: options.onOutcome,
  });
  return { status: "applied", plan, report, warnings, ...known };
}

interface PlanOutcome {
  plan: Plan;
  guard: GuardVerdict;
  warnings: string[];
  digests?: DesiredDigests;
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
  const directory = await ports.directory.readDirectory(directoryRequestFromRules(rules), options.onProgress);
  // Where the source knows every OU, a rule naming one that does not exist is an error, not a warning.
  const organization = ports.accounts.readOrganization
    ? await ports.accounts.readOrganization(options.onProgress)
    : undefined;
  const accounts = organization?.accounts ?? (await ports.accounts.listAccounts(options.onProgress));
  const evaluation = evaluate(directory, rules, accounts, organization);
  if (!evaluation.ok) return { problems: evaluation.problems };

  const ownership = options.ownership?.record;
  const scope = readScopeFor(scopeFromRules(rules), ownership);
  const actual = await ports.identityCenter.readState(scope, options.onProgress);
  const digests = options.drift ? desiredDigests(evaluation.desired) : undefined;
  const computed = computePlan(evaluation.desired, actual, scope, ownership);
  const classified =
    options.drift && digests ? classifyChanges(computed, digests, options.drift.lastApplied) : computed;
  // Before the guards: a read that cannot vouch for itself removes nothing, whatever the limits allow.
  const plan = withAccountNames(holdBackRemovals(classified, directory.completeness), accounts);
  const heldBack = heldBackWarning(plan);
  const guard = checkGuards(plan, {
    maxDeletions: safetyFromRules(rules).maxDeletions,
    allowDeletions: options.allowDeletions,
    directoryUserCount: directory.users.length,
  });
  const outcome: PlanOutcome = {
    plan,
    guard,
    warnings: heldBack ? [...evaluation.warnings, heldBack] : evaluation.warnings,
    ...(digests ? { digests } : {}),
  };
  return options.mode === "plan" ? { ...outcome, desired: evaluation.desired } : outcome;
}
