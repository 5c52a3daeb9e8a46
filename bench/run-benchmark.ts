/**
 * Runs the benchmark scenarios for one organisation: the real `idc-sync apply` (bin/idc-sync.mjs, a
 * child process so its peak RSS is its own) with `--source google --target aws` against the Google
 * Directory and AWS emulators, which throttle at the documented AWS limits × the time factor, while the
 * adapters keep to their limits × the same factor (IDC_SYNC_RATE_SCALE).
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { managedByTag } from "../src/adapters/aws/permission-set-attributes.js";
import {
  accountsFromSnapshot,
  type DirectorySnapshot,
  directoryFromSnapshot,
  directorySnapshotSchema,
} from "../src/adapters/file/directory-snapshot.js";
import { loadRules } from "../src/adapters/file/rules-file.js";
import { rateScaleVariable } from "../src/adapters/rate-scale.js";
import { FileStateStore } from "../src/adapters/state/file-state-store.js";
import { directoryRequestFromRules, evaluate, type Rules, scopeFromRules } from "../src/mapping/index.js";
import type { Change, IdentityCenterState } from "../src/sync/model.js";
import { readScopeFor } from "../src/sync/ownership.js";
import { computePlan } from "../src/sync/plan.js";
import { type AwsEmulator, startAwsEmulator } from "../tests/emulators/aws/emulator.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../tests/emulators/google-directory/emulator.js";
import { applyLowerBound, type CallCounts, readLowerBound, total } from "./lower-bound.js";
import { adapterRates, documentedRates, isApplyCall, isWriteCall, serialSeconds } from "./rates.js";
import {
  defaultRevocationLeavers,
  isRevocationScenario,
  type RevocationTimes,
  revocationScenarioNames,
  revocationTimes,
  scpRulesYaml,
  suspendLeavers,
} from "./revocation-scenarios.js";
import { churn, generateOrg, moveAccounts, type OrgSize } from "./synthetic-org.js";

export const scenarioNames = [
  "initial",
  "noop",
  "churn",
  "accountMoves",
  "targetedLeaver",
  // The leaver kill switch (issue #20), under `leavers.revokeSessions: scp`.
  ...revocationScenarioNames,
] as const;
export type ScenarioName = (typeof scenarioNames)[number];

const repoRoot = resolve(import.meta.dirname, "..");
const instanceArn = "arn:aws:sso:::instance/ssoins-72230000a1b2c3d4";
const identityStoreId = "d-9067a1b2c3";
/** The Lambda's timeout and the handler's default deadline margin (DEADLINE_MARGIN_SECONDS). */
export const lambdaTimeoutSeconds = 900;
export const lambdaDeadlineMarginSeconds = 120;

export interface BenchmarkOptions {
  sizeName: string;
  size: OrgSize;
  /** Simulated time runs this many times faster: emulator limits and adapter rates × factor. */
  timeFactor: number;
  scenarios?: readonly ScenarioName[];
  /** Progress lines (stderr in the CLI). */
  log?: (line: string) => void;
  /** Per child run. Default 2 hours. */
  timeoutMs?: number;
  /**
   * Caps the idc-sync process's V8 heap (`--max-old-space-size`), as a Lambda with that much memory
   * would. Unset, Node sizes the heap from the machine's 24 GiB and collects lazily, so peak RSS then
   * says more about the garbage collector than about what a run needs.
   */
  childHeapMb?: number;
  /** Leavers in the `scpLeavers` scenario (one run about all of them). Default 20. */
  revocationLeavers?: number;
}

export interface ScenarioResult {
  scenario: ScenarioName;
  description: string;
  exitCode: number;
  changes: number;
  changesByKind: Record<string, number>;
  applied: number;
  failed: number;
  skipped: number;
  notStarted: number;
  /** A plan computed in the benchmark process against the emulator's state afterwards is empty. */
  converged: boolean;
  /** Up to five keys of what a plan after the run would still change (empty when converged). */
  residualChanges: string[];
  calls: CallCounts;
  lowerBound: CallCounts;
  assignmentReads: { perPrincipal: number; perPermissionSetAndAccount: number };
  totals: {
    calls: number;
    lowerBound: number;
    /** calls / lowerBound. */
    ratio: number;
    readCalls: number;
    readLowerBound: number;
    writeCalls: number;
    writeLowerBound: number;
  };
  throttled: number;
  time: {
    /** First API request to last response in the child, in (scaled) wall seconds. */
    apiSeconds: number;
    /** The whole child process, Node and tsx start-up included. */
    processSeconds: number;
    /** The lower-bound calls at the documented limits × time factor, buckets one after another. */
    lowerBoundSeconds: number;
    /** lowerBoundSeconds / apiSeconds: the share of the limiting rate the run sustained. */
    rateUtilisation: number;
  };
  peakRssMb: number;
  /** The kill switch's scenarios only: when the deny was in force, when the last removal was done. */
  revocation?: RevocationTimes;
  /** The same calls at the real limits (adapter rates, factor 1), and what that means for the Lambda. */
  realLimits: {
    readSeconds: number;
    applySeconds: number;
    totalSeconds: number;
    fitsOneInvocation: boolean;
    /** Invocations the deadline-aware apply needs; undefined when the reads alone exceed one. */
    invocations: number | undefined;
  };
}

export interface BenchmarkResult {
  size: string;
  org: OrgSize & {
    desiredUsers: number;
    desiredGroups: number;
    desiredMemberships: number;
    desiredAssignments: number;
  };
  timeFactor: number;
  /** The idc-sync process's heap cap in MB (`--heap-mb`), or undefined for Node's default. */
  childHeapMb: number | undefined;
  rates: { documented: typeof documentedRates; adapter: typeof adapterRates };
  scenarios: ScenarioResult[];
  workDir: string;
}

export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const log = options.log ?? (() => {});
  const scenarios = options.scenarios ?? scenarioNames;
  const factor = options.timeFactor;
  const workDir = await mkdtemp(join(tmpdir(), `idc-sync-bench-${options.sizeName}-`));
  const org = generateOrg(options.size);

  // The rules name the emulator's instance so no run spends a ListInstances on discovery.
  const rulesYaml = org.rulesYaml.replace(
    "version: 1\n",
    `version: 1\nidentityCenter:\n  instanceArn: ${instanceArn}\n  identityStoreId: ${identityStoreId}\n`,
  );
  const rulesPath = join(workDir, "rules.yaml");
  await writeFile(rulesPath, rulesYaml);
  // The same rules with the kill switch on, beside them so both runs share the run state.
  const scpRulesPath = join(workDir, "rules-scp.yaml");
  await writeFile(scpRulesPath, scpRulesYaml(rulesYaml));
  for (const [file, content] of Object.entries(org.ruleFiles)) {
    await mkdir(dirname(join(workDir, file)), { recursive: true });
    await writeFile(join(workDir, file), content);
  }
  let snapshot: DirectorySnapshot = directorySnapshotSchema.parse(org.snapshot);
  await writeFile(join(workDir, "directory.json"), JSON.stringify(snapshot));
  const loaded = await loadRules(rulesPath);
  if (!loaded.ok)
    throw new Error(`generated rules are invalid: ${JSON.stringify(loaded.issues.slice(0, 3))}`);
  const rules = loaded.rules;
  const desired = desiredOf(snapshot, rules);
  log(
    `${options.sizeName}: ${snapshot.users.length} Google users, ${snapshot.groups.length} groups, ` +
      `${snapshot.organization?.accounts.length ?? 0} accounts → ${desired.users.length} Identity Center users, ` +
      `${desired.groups.length} groups, ${desired.groups.reduce((n, g) => n + g.members.length, 0)} memberships, ` +
      `${desired.assignments.length} assignments; time factor ${factor}; files in ${workDir}`,
  );

  const throttle = {
    identityStore: documentedRates.identityStore,
    ssoAdmin: documentedRates.ssoAdmin,
    organizations: documentedRates.organizations,
    timeScale: factor,
  };
  const google: GoogleDirectoryEmulator = await startGoogleDirectoryEmulator({ snapshot });
  const startAws = (
    state: IdentityCenterState | undefined,
    organization: DirectorySnapshot["organization"],
  ) =>
    startAwsEmulator({
      instanceArn,
      identityStoreId,
      ...(state ? { state } : {}),
      ...(organization ? { organization } : {}),
      throttle,
      // Each asynchronous request succeeds on its first status poll: the lower bound is attainable.
      asyncPolls: 0,
      // SCPs enabled in the root, as `leavers.revokeSessions: scp` needs (the kill switch's scenarios).
      organizationPolicies: { scpEnabled: true },
    });
  let aws: AwsEmulator = await startAws(undefined, snapshot.organization);

  const results: ScenarioResult[] = [];
  try {
    for (const scenario of scenarios) {
      let description: string;
      let subjects: string[] = [];
      let scenarioRulesPath = rulesPath;
      switch (scenario) {
        case "initial":
          description = "initial sync into an empty Identity Center";
          break;
        case "noop":
          description = "no-op re-sync";
          break;
        case "churn": {
          const churned = churn(snapshot);
          snapshot = directorySnapshotSchema.parse(churned.snapshot);
          google.setSnapshot(snapshot);
          description = `1 % churn: ${churned.joiners} joiners, ${churned.leavers} leavers, ${churned.movers} movers`;
          break;
        }
        case "targetedLeaver": {
          // One person with the most memberships leaves: suspended in Google, then a targeted run about
          // them alone (`apply --subject`), as the event path runs it (issue #14).
          const leaver = leaverWithMostAccess(desiredOf(snapshot, rules));
          snapshot = {
            ...snapshot,
            users: snapshot.users.map((user) =>
              user.primaryEmail === leaver ? { ...user, suspended: true } : user,
            ),
          };
          google.setSnapshot(snapshot);
          subjects = [`person:${leaver}`];
          description = `targeted leaver ${leaver} (suspended in Google; apply --subject person:${leaver})`;
          break;
        }
        case "scpLeaver":
        case "scpLeavers": {
          // Leavers with the most access, suspended in Google, then one targeted run about them all
          // with the kill switch on: the deny first, then the removals (issue #20).
          const count =
            scenario === "scpLeaver" ? 1 : (options.revocationLeavers ?? defaultRevocationLeavers);
          const suspended = suspendLeavers(snapshot, desiredOf(snapshot, rules), count);
          snapshot = suspended.snapshot;
          google.setSnapshot(snapshot);
          subjects = suspended.leavers.map((leaver) => `person:${leaver}`);
          scenarioRulesPath = scpRulesPath;
          description =
            `${count} leaver${count === 1 ? "" : "s"} under leavers.revokeSessions: scp ` +
            `(suspended in Google; one apply --subject run)`;
          break;
        }
        case "accountMoves": {
          const organization = snapshot.organization;
          if (!organization) throw new Error("the synthetic directory has no organization");
          const moved = moveAccounts(organization);
          snapshot = { ...snapshot, organization: moved.organization };
          // The emulator has no MoveAccount: restart it on the same Identity Center with the new tree.
          const state = aws.state();
          await aws.close();
          aws = await startAws(state, moved.organization);
          description = `${moved.moved.length} accounts moved between OUs`;
          break;
        }
      }
      log(`${options.sizeName} ${scenario}: ${description} ...`);
      const result = await runScenario({
        scenario,
        description,
        snapshot,
        rules,
        rulesPath: scenarioRulesPath,
        workDir,
        aws,
        google,
        factor,
        timeoutMs: options.timeoutMs ?? 2 * 3600_000,
        childHeapMb: options.childHeapMb,
        subjects,
      });
      log(
        `${options.sizeName} ${scenario}: ${result.changes} changes, ${result.failed} failed, ` +
          `${result.totals.calls} calls (lower bound ${result.totals.lowerBound}), ` +
          `${result.time.apiSeconds.toFixed(1)} s, peak RSS ${result.peakRssMb.toFixed(0)} MB`,
      );
      results.push(result);
    }
  } finally {
    await google.close();
    await aws.close();
  }
  return {
    size: options.sizeName,
    org: {
      ...options.size,
      desiredUsers: desired.users.length,
      desiredGroups: desired.groups.length,
      desiredMemberships: desired.groups.reduce((n, g) => n + g.members.length, 0),
      desiredAssignments: desired.assignments.length,
    },
    timeFactor: factor,
    childHeapMb: options.childHeapMb,
    rates: { documented: documentedRates, adapter: adapterRates },
    scenarios: results,
    workDir,
  };
}

function desiredOf(snapshot: DirectorySnapshot, rules: Rules) {
  const evaluation = evaluate(directoryFromSnapshot(snapshot), rules, accountsFromSnapshot(snapshot));
  if (!evaluation.ok) throw new Error(`rules do not fit: ${JSON.stringify(evaluation.problems.slice(0, 3))}`);
  return evaluation.desired;
}

interface ScenarioContext {
  scenario: ScenarioName;
  description: string;
  snapshot: DirectorySnapshot;
  rules: Rules;
  rulesPath: string;
  workDir: string;
  aws: AwsEmulator;
  google: GoogleDirectoryEmulator;
  factor: number;
  timeoutMs: number;
  childHeapMb: number | undefined;
  /** `--subject` arguments: a targeted run about these people instead of a full one. */
  subjects: string[];
}

async function runScenario(context: ScenarioContext): Promise<ScenarioResult> {
  const { aws, google, rules, factor } = context;
  const scope = scopeFromRules(rules);
  // The command keeps its run state next to the rules; what it owns decides what it reads.
  const stored = await new FileStateStore(join(dirname(context.rulesPath), ".idc-sync", "state.json")).load();
  const reads =
    context.subjects.length > 0
      ? targetedReadLowerBound(
          aws.state(),
          context.subjects,
          new Set(
            Object.values(stored.state?.ownership?.users ?? {}).flatMap((owned) =>
              owned.userId === undefined ? [] : [owned.userName.toLowerCase()],
            ),
          ),
          stored.state?.knownGroups !== undefined,
        )
      : readLowerBound({
          snapshot: context.snapshot,
          groupEmails: directoryRequestFromRules(rules).groupEmails,
          scope: readScopeFor(scope, stored.state?.ownership),
          before: aws.state(),
        });

  aws.resetCounts();
  google.resetCounts();
  const probeFile = join(context.workDir, `probe-${context.scenario}.json`);
  const child = await runChild(
    [
      "apply",
      "--rules",
      context.rulesPath,
      "--source",
      "google",
      "--target",
      "aws",
      "--yes",
      "--json",
      ...context.subjects.flatMap((subject) => ["--subject", subject]),
    ],
    {
      IDC_SYNC_GOOGLE_ROOT_URL: google.url,
      IDC_SYNC_GOOGLE_ACCESS_TOKEN: google.accessToken,
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "emulator-secret",
      [rateScaleVariable]: String(factor),
      IDC_SYNC_BENCH_PROBE: probeFile,
    },
    context.timeoutMs,
    context.childHeapMb,
  );
  if (child.exitCode !== 0 && child.exitCode !== 1) {
    throw new Error(`idc-sync apply exited ${child.exitCode}: ${child.stderr.slice(-2000)}`);
  }
  let output: {
    changes: Change[];
    report?: { applied: number; failed: number; skipped: number; notStarted: number };
  };
  try {
    output = JSON.parse(child.stdout);
  } catch (error) {
    throw new Error(`idc-sync apply printed no JSON (exit ${child.exitCode}): ${child.stderr.slice(-2000)}`, {
      cause: error,
    });
  }
  const probe = JSON.parse(await readFile(probeFile, "utf8")) as {
    maxRssKb: number;
    firstRequestMs?: number;
    lastResponseMs?: number;
    lastResponseByTarget?: Record<string, number>;
    exitMs: number;
  };

  const calls: CallCounts = {};
  for (const [key, count] of Object.entries(aws.counts().byOperation)) calls[key] = count;
  for (const [path, count] of Object.entries(google.requestCounts())) {
    const key = `google:${googleOperation(path)}`;
    calls[key] = (calls[key] ?? 0) + count;
  }

  const apply = applyLowerBound(output.changes);
  const lowerBound: CallCounts = { ...reads.calls };
  for (const [key, count] of [...Object.entries(apply.writes), ...Object.entries(apply.statusReads)])
    lowerBound[key] = (lowerBound[key] ?? 0) + count;

  const sumWhere = (counts: CallCounts, keep: (key: string) => boolean) =>
    Object.entries(counts).reduce((sum, [key, count]) => (keep(key) ? sum + count : sum), 0);
  const totalCalls = total(calls);
  const totalLowerBound = total(lowerBound);

  const apiSeconds =
    probe.firstRequestMs !== undefined && probe.lastResponseMs !== undefined
      ? (probe.lastResponseMs - probe.firstRequestMs) / 1000
      : 0;
  const lowerBoundSeconds = serialSeconds(lowerBound, documentedRates) / factor;

  const readCalls = Object.fromEntries(Object.entries(calls).filter(([key]) => !isApplyCall(key)));
  const applyCalls = Object.fromEntries(Object.entries(calls).filter(([key]) => isApplyCall(key)));
  const readSeconds = serialSeconds(readCalls, adapterRates);
  const applySeconds = serialSeconds(applyCalls, adapterRates);
  const budget = lambdaTimeoutSeconds - lambdaDeadlineMarginSeconds;
  const fitsOneInvocation = readSeconds + applySeconds <= lambdaTimeoutSeconds && readSeconds < budget;
  // Every invocation reads the state again, then starts changes until the deadline margin.
  const invocations = fitsOneInvocation
    ? 1
    : readSeconds >= budget
      ? undefined
      : Math.ceil(applySeconds / (budget - readSeconds));

  const report = output.report ?? { applied: 0, failed: 0, skipped: 0, notStarted: 0 };
  const changesByKind: Record<string, number> = {};
  for (const change of output.changes) changesByKind[change.kind] = (changesByKind[change.kind] ?? 0) + 1;

  const after = computePlan(desiredOf(context.snapshot, rules), asTheAdapterReadsIt(aws.state()), scope);
  return {
    scenario: context.scenario,
    description: context.description,
    exitCode: child.exitCode,
    changes: output.changes.length,
    changesByKind,
    applied: report.applied,
    failed: report.failed,
    skipped: report.skipped,
    notStarted: report.notStarted,
    converged: after.changes.length === 0,
    residualChanges: after.changes.slice(0, 5).map((change) => `${change.key}: ${change.reason}`),
    calls,
    lowerBound,
    assignmentReads: reads.assignmentReads,
    totals: {
      calls: totalCalls,
      lowerBound: totalLowerBound,
      ratio: totalLowerBound === 0 ? 0 : totalCalls / totalLowerBound,
      readCalls: sumWhere(calls, (key) => !isWriteCall(key)),
      readLowerBound: sumWhere(lowerBound, (key) => !isWriteCall(key)),
      writeCalls: sumWhere(calls, isWriteCall),
      writeLowerBound: sumWhere(lowerBound, isWriteCall),
    },
    throttled: aws.counts().throttled,
    time: {
      apiSeconds,
      processSeconds: probe.exitMs / 1000,
      lowerBoundSeconds,
      rateUtilisation: apiSeconds > 0 ? lowerBoundSeconds / apiSeconds : 0,
    },
    peakRssMb: probe.maxRssKb / 1024,
    ...(isRevocationScenario(context.scenario)
      ? { revocation: revocationTimes(probe, calls, adapterRates) }
      : {}),
    realLimits: {
      readSeconds,
      applySeconds,
      totalSeconds: readSeconds + applySeconds,
      fitsOneInvocation,
      invocations,
    },
  };
}

/** The desired user with the most memberships and direct assignments: the costliest leaver to remove. */
function leaverWithMostAccess(desired: ReturnType<typeof desiredOf>): string {
  const access = new Map<string, number>();
  for (const group of desired.groups)
    for (const member of group.members) access.set(member.userName, (access.get(member.userName) ?? 0) + 1);
  for (const assignment of desired.assignments)
    if (assignment.principalType === "USER")
      access.set(assignment.principalName, (access.get(assignment.principalName) ?? 0) + 1);
  const [best] = [...access].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1));
  if (best === undefined) throw new Error("the synthetic organisation has nobody with access");
  return best[0];
}

/**
 * What a targeted run about these people must read at least: users.get each; ListGroups (a page per
 * hundred groups) unless the run state has the groups a full run listed; GetUserId (unless the run state recorded their id) and DescribeUser; their
 * memberships and assignments (a call each); DescribePermissionSet per permission set they are assigned.
 */
function targetedReadLowerBound(
  state: IdentityCenterState,
  subjects: string[],
  idsRecorded: ReadonlySet<string>,
  groupsRecorded: boolean,
): { calls: CallCounts; assignmentReads: { perPrincipal: number; perPermissionSetAndAccount: number } } {
  const people = subjects.map((subject) => subject.replace(/^person:/, "").toLowerCase());
  const sets = new Set(
    state.assignments
      .filter((a) => a.principalType === "USER" && people.includes(a.principalName.toLowerCase()))
      .map((a) => a.permissionSetName),
  );
  const calls: CallCounts = {
    "google:users.get": people.length,
    "identitystore:DescribeUser": people.length,
    "identitystore:ListGroupMembershipsForMember": people.length,
    "sso-admin:ListAccountAssignmentsForPrincipal": people.length,
  };
  if (!groupsRecorded) calls["identitystore:ListGroups"] = Math.max(1, Math.ceil(state.groups.length / 100));
  const lookedUp = people.filter((person) => !idsRecorded.has(person)).length;
  if (lookedUp > 0) calls["identitystore:GetUserId"] = lookedUp;
  if (sets.size > 0) calls["sso-admin:DescribePermissionSet"] = sets.size;
  return { calls, assignmentReads: { perPrincipal: people.length, perPermissionSetAndAccount: 0 } };
}

/** The emulator's dump with the reserved managed-by tag dropped, as AwsIdentityCenter reads tags. */
function asTheAdapterReadsIt(state: IdentityCenterState): IdentityCenterState {
  for (const set of state.permissionSets) delete set.tags[managedByTag.key];
  return state;
}

/** "users.list" for "/admin/directory/v1/users", "members.list" for ".../groups/x/members", ... */
export function googleOperation(path: string): string {
  const parts = path.replace(/^\/admin\/directory\/v1\//, "").split("/");
  if (parts[0] === "users") return parts.length === 1 ? "users.list" : "users.get";
  if (parts[0] === "groups" && parts[2] === "members") return "members.list";
  if (parts[0] === "groups") return "groups.get";
  if (parts[0] === "customer" && parts[2] === "orgunits") return "orgunits.list";
  return path;
}

interface ChildRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function runChild(
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
  heapMb: number | undefined,
): Promise<ChildRun> {
  const probe = pathToFileURL(join(repoRoot, "bench", "probe.mjs")).href;
  const heap = heapMb === undefined ? [] : [`--max-old-space-size=${heapMb}`];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [...heap, "--import", probe, join(repoRoot, "bin", "idc-sync.mjs"), ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: "1", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === null) {
        reject(new Error(`idc-sync was killed (${signal}) after the ${timeoutMs} ms timeout or by a signal`));
        return;
      }
      resolvePromise({
        exitCode: code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

/** Removes the temporary folder of a run. */
export async function removeWorkDir(result: Pick<BenchmarkResult, "workDir">): Promise<void> {
  await rm(result.workDir, { recursive: true, force: true });
}
