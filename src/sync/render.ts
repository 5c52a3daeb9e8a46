/**
 * Plans and apply reports as text (like `terraform plan`) and as plain JSON data. Pure: the caller
 * decides where the text goes and whether it is coloured.
 */
import { accountLabel } from "./account-names.js";
import type {
  ApplyReport,
  Assignment,
  Change,
  ChangeKind,
  ChangeOutcome,
  FieldChange,
  Plan,
  ScopeNote,
} from "./model.js";
import { OutcomeStatus } from "./model.js";
import { thousands } from "./numbers.js";
import { permissionSetFacts } from "./permission-set-facts.js";
import { type PlanSummary, planSummaryLine, summarizePlan } from "./summary.js";
import { type DiffLine, fieldDiff } from "./value-diff.js";

export interface RenderOptions {
  /** ANSI colours, for a terminal. Default false. */
  color?: boolean;
}

export const noChangesText = "No changes. Identity Center matches the rules.";

/** The sections of a plan, in reading order, and the kinds each holds. */
export const planSections: readonly { title: string; kinds: readonly ChangeKind[] }[] = [
  {
    title: "Leavers' sessions",
    kinds: [
      "revokeSessions",
      "extendRevocation",
      "endRevocation",
      "createRevocationPolicy",
      "updateRevocationPolicy",
      "deleteRevocationPolicy",
    ],
  },
  {
    title: "Permission sets",
    kinds: ["createPermissionSet", "updatePermissionSet", "provisionPermissionSet", "deletePermissionSet"],
  },
  { title: "Groups", kinds: ["createGroup", "updateGroup", "deleteGroup"] },
  { title: "Users", kinds: ["createUser", "updateUser", "deleteUser"] },
  { title: "Group memberships", kinds: ["addMember", "removeMember"] },
  { title: "Account assignments", kinds: ["createAssignment", "deleteAssignment"] },
];

/** `+` add, `~` change, `-` remove, `↻` push a permission set to the accounts using it. */
export const markers = {
  add: "+",
  change: "~",
  remove: "-",
  provision: "↻",
} as const;
export type Marker = keyof typeof markers;

const ansi = { green: 32, yellow: 33, red: 31, cyan: 36, dim: 2, bold: 1 } as const;
const markerColor: Record<Marker, keyof typeof ansi> = {
  add: "green",
  change: "yellow",
  remove: "red",
  provision: "cyan",
};

/** Longest rendering of one plain field value before it is cut with "…" (a long description). */
const maxValueLength = 120;

/**
 * Renders a plan for people: sections by object family, one line per change with its reason, field
 * diffs under updates, notes about what was left alone, and "Plan: N to add, N to change, N to remove.".
 */
export function renderPlanText(plan: Plan, options: RenderOptions = {}): string {
  const paint = painter(options.color === true);
  const lines: string[] = [];
  if (plan.changes.length === 0) {
    lines.push(noChangesText);
  } else {
    for (const section of planSections) {
      // In the section's own order (a person's deny before the policies that hold it); stable otherwise.
      const changes = plan.changes
        .filter((change) => section.kinds.includes(change.kind))
        .sort((a, b) => section.kinds.indexOf(a.kind) - section.kinds.indexOf(b.kind));
      if (changes.length === 0) continue;
      lines.push(paint("bold", section.title));
      for (const change of changes) lines.push(...changeLines(change, paint, plan.accountNames));
      lines.push("");
    }
  }
  if (plan.notes.length > 0) {
    if (plan.changes.length === 0) lines.push("");
    lines.push(paint("bold", "Left alone (outside scope or protected)"));
    for (const note of plan.notes) lines.push(`  ${paint("dim", "·")} ${noteText(note)}`);
    lines.push("");
  }
  if (plan.changes.length > 0) lines.push(paint("bold", planSummaryLine(summarizePlan(plan))));
  while (lines.at(-1) === "") lines.pop();
  return `${lines.join("\n")}\n`;
}

export interface PlanJson {
  version: 1;
  summary: PlanSummary;
  managedObjectCount: number;
  changes: Change[];
  notes: ScopeNote[];
  /** Removals held back because the directory read was not proven complete; never applied. */
  heldBack?: { changes: Change[]; reasons: string[] };
  /** Names of the accounts the changes name, by id. */
  accountNames?: Record<string, string>;
}

/** The plan as plain data for `--json` and for machines: versioned, with the summary counts. */
export function planToJson(plan: Plan): PlanJson {
  return {
    version: 1,
    summary: summarizePlan(plan),
    managedObjectCount: plan.managedObjectCount,
    // The plan's own arrays, not copies: plans are never mutated, and a deep copy of 150,000 changes
    // was a large share of the command's peak memory.
    changes: plan.changes,
    notes: plan.notes,
    ...(plan.heldBack ? { heldBack: plan.heldBack } : {}),
    ...(plan.accountNames ? { accountNames: plan.accountNames } : {}),
  };
}

/** "Apply: 3 applied, 1 failed, 2 skipped, 0 not started." */
export function applySummaryLine(report: ApplyReport): string {
  return `Apply: ${report.applied} applied, ${report.failed} failed, ${report.skipped} skipped, ${report.notStarted} not started.`;
}

export interface ApplyReportRenderOptions extends RenderOptions {
  /**
   * List every applied change (default). False when the plan was printed just before the apply: the
   * report then names only what did not go as planned, and the summary line counts the rest.
   */
  listApplied?: boolean;
}

/**
 * Renders what an apply did: the changes applied, failed (with the error), skipped (with what blocked
 * them) and not started (left for the next run), then a summary line.
 */
export function renderApplyReportText(
  report: ApplyReport,
  plan: Pick<Plan, "changes" | "accountNames">,
  options: ApplyReportRenderOptions = {},
): string {
  const paint = painter(options.color === true);
  const byKey = new Map(plan.changes.map((change) => [change.key, change]));
  const describe = (outcome: ChangeOutcome) => {
    const change = byKey.get(outcome.key);
    return change === undefined
      ? `${outcome.kind} ${outcome.key}`
      : headline(change, paint, true, plan.accountNames);
  };
  const groups: readonly { status: OutcomeStatus; title: string; detail: (o: ChangeOutcome) => string }[] = [
    { status: OutcomeStatus.applied, title: "Applied", detail: () => "" },
    {
      status: OutcomeStatus.failed,
      title: "Failed",
      detail: (o) => `: ${paint("red", o.error ?? "unknown error")}`,
    },
    {
      status: OutcomeStatus.skipped,
      title: "Skipped",
      detail: (o) => paint("dim", `  (blocked by ${(o.blockedBy ?? []).join(", ")})`),
    },
    {
      status: OutcomeStatus.notStarted,
      title: "Not started (left for the next run)",
      detail: () => "",
    },
  ];
  const lines: string[] = [];
  for (const group of groups) {
    if (group.status === OutcomeStatus.applied && options.listApplied === false) continue;
    const outcomes = report.outcomes.filter((o) => o.status === group.status);
    if (outcomes.length === 0) continue;
    lines.push(paint("bold", `${group.title} (${outcomes.length})`));
    for (const outcome of outcomes) lines.push(`  ${describe(outcome)}${group.detail(outcome)}`);
    lines.push("");
  }
  lines.push(paint("bold", applySummaryLine(report)));
  return `${lines.join("\n")}\n`;
}

export interface ApplyReportJson extends ApplyReport {
  version: 1;
}

/** The apply report as plain data for `--json`. */
export function applyReportToJson(report: ApplyReport): ApplyReportJson {
  return { version: 1, ...report };
}

// ─── Lines ──────────────────────────────────────────────────────────────────────────────────────────

type Paint = (color: keyof typeof ansi, text: string) => string;

function painter(enabled: boolean): Paint {
  return enabled ? (color, text) => `\u001b[${ansi[color]}m${text}\u001b[0m` : (_color, text) => text;
}

function changeLines(change: Change, paint: Paint, accountNames?: Record<string, string>): string[] {
  const drift = change.cause === "drift" ? `  ${paint("red", "[drift: changed outside idc-sync]")}` : "";
  const lines = [
    `  ${headline(change, paint, false, accountNames)}  ${paint("dim", `# ${change.reason}`)}${drift}`,
  ];
  if (
    change.kind === "updateUser" ||
    change.kind === "updateGroup" ||
    change.kind === "updatePermissionSet"
  ) {
    for (const field of change.fields) lines.push(...fieldLines(field, paint));
  }
  if (
    change.kind === "revokeSessions" ||
    change.kind === "extendRevocation" ||
    change.kind === "endRevocation"
  ) {
    if (change.places.length > 0)
      lines.push(
        `      ${paint("dim", `${change.kind === "endRevocation" ? "from" : "in"} ${change.places.join(", ")}`)}`,
      );
    for (const problem of change.problems ?? []) lines.push(`      ${paint("red", `! ${problem}`)}`);
  }
  if (change.kind === "createPermissionSet") lines.push(...newPermissionSetLines(change, paint));
  return lines;
}

/** A changed field: `~ title: "Engineer" → "Lead"`, or its name and a line diff under it. */
function fieldLines(field: FieldChange, paint: Paint): string[] {
  const diff = fieldDiff(field);
  const marker = paint("yellow", markers.change);
  if (diff.kind === "value") return [`      ${marker} ${diff.field}: ${cut(diff.from)} → ${cut(diff.to)}`];
  return [`      ${marker} ${diff.field}:`, ...diff.lines.map((line) => diffLineText(line, paint))];
}

const diffColor = { "+": "green", "-": "red", " ": "dim", "@": "cyan" } as const;

function diffLineText(line: DiffLine, paint: Paint): string {
  if (line.op === "@") return `        ${paint("cyan", line.text)}`;
  if (line.op === " ") return `          ${line.text}`;
  return `        ${paint(diffColor[line.op], `${line.op} ${line.text}`)}`;
}

/** What a new permission set grants: every policy, the boundary, the session duration and the tags. */
function newPermissionSetLines(
  change: Extract<Change, { kind: "createPermissionSet" }>,
  paint: Paint,
): string[] {
  const { facts, inlinePolicy } = permissionSetFacts(change.permissionSet);
  const width = Math.max(...facts.map((fact) => fact.label.length), "inline policy".length) + 1;
  const lines: string[] = [];
  for (const fact of facts) {
    const [first = paint("dim", "(none)"), ...rest] = fact.values;
    lines.push(`      ${`${fact.label}:`.padEnd(width)} ${first}`);
    for (const value of rest) lines.push(`      ${" ".repeat(width)} ${value}`);
  }
  if (inlinePolicy === undefined)
    lines.push(`      ${"inline policy:".padEnd(width)} ${paint("dim", "(none)")}`);
  else lines.push("      inline policy:", ...inlinePolicy.split("\n").map((line) => `        ${line}`));
  return lines;
}

/** A change in one plain line, without its reason: "- membership developers ← alice@example.com". */
export function describeChange(change: Change, accountNames?: Record<string, string>): string {
  return headline(change, (_color, text) => text, true, accountNames);
}

/** The marker and the object a change is about, without its reason; with `noun` when out of its section. */
function headline(change: Change, paint: Paint, noun = false, accountNames?: Record<string, string>): string {
  const [marker, subject] = markerAndSubject(change, accountNames);
  const prefix = noun && nouns[change.kind] !== "" ? `${nouns[change.kind]} ` : "";
  return `${paint(markerColor[marker], markers[marker])} ${prefix}${subject}`;
}

/** What each kind of change is about, when it is named out of its section. */
export const nouns: Record<ChangeKind, string> = {
  createPermissionSet: "permission set",
  updatePermissionSet: "permission set",
  provisionPermissionSet: "permission set",
  createGroup: "group",
  updateGroup: "group",
  createUser: "user",
  updateUser: "user",
  deleteUser: "user",
  addMember: "membership",
  removeMember: "membership",
  createAssignment: "assignment",
  deleteAssignment: "assignment",
  deleteGroup: "group",
  deletePermissionSet: "permission set",
  // Their subjects name what they are about ("revoke sessions of ...", "SCP ...").
  revokeSessions: "",
  extendRevocation: "",
  endRevocation: "",
  createRevocationPolicy: "",
  updateRevocationPolicy: "",
  deleteRevocationPolicy: "",
};

/**
 * The marker of a change and the object it is about: `["add", "group developers × Developer × core-dev
 * (111111111111)"]`. Account ids are named when `accountNames` knows them.
 */
export function markerAndSubject(change: Change, accountNames?: Record<string, string>): [Marker, string] {
  const assignmentText = (a: Assignment) =>
    `${a.principalType.toLowerCase()} ${a.principalName} × ${a.permissionSetName} × ${accountLabel(a.accountId, accountNames)}`;
  switch (change.kind) {
    case "createPermissionSet":
      return ["add", change.permissionSet.name];
    case "updatePermissionSet":
      return ["change", change.permissionSet.name];
    case "provisionPermissionSet":
      return [
        "provision",
        `${change.permissionSetName}: provision to ${change.accountIds.map((id) => accountLabel(id, accountNames)).join(", ")}`,
      ];
    case "createGroup":
      return ["add", change.displayName];
    case "updateGroup":
      return [
        "change",
        change.currentDisplayName === change.displayName
          ? change.displayName
          : `${change.currentDisplayName} → ${change.displayName}`,
      ];
    case "createUser":
      return ["add", change.user.userName];
    case "updateUser":
      return [
        "change",
        change.userName.toLowerCase() === change.user.userName.toLowerCase()
          ? change.user.userName
          : `${change.userName} → ${change.user.userName}`,
      ];
    case "deleteUser":
      return ["remove", change.userName];
    case "addMember":
      return ["add", `${change.groupName} ← ${change.userName}`];
    case "removeMember":
      return ["remove", `${change.groupName} ← ${change.userName}`];
    case "createAssignment":
      return ["add", assignmentText(change.assignment)];
    case "deleteAssignment":
      return ["remove", assignmentText(change.assignment)];
    case "deleteGroup":
      return ["remove", change.displayName];
    case "deletePermissionSet":
      return ["remove", change.permissionSetName];
    case "revokeSessions":
      return [
        "add",
        `revoke sessions of ${change.userName} until ${change.until} (longest session ${change.longestSession}, ${countOf(change.accountIds.length, "account")})`,
      ];
    case "extendRevocation":
      return [
        "change",
        `revoke sessions of ${change.userName} until ${change.until} (was ${change.previousUntil}; longest session ${change.longestSession}, ${countOf(change.accountIds.length, "account")})`,
      ];
    case "endRevocation":
      return [
        "remove",
        `revoke sessions of ${change.userName ?? `user ${change.userId}`} until ${change.until}`,
      ];
    case "createRevocationPolicy":
      return ["add", `SCP ${change.policyName} (${policyFill(change)}, attached to root ${change.attachTo})`];
    case "updateRevocationPolicy":
      return [
        "change",
        `SCP ${change.policyName} (${policyFill(change)}${change.attachTo === undefined ? "" : `, attached again to root ${change.attachTo}`})`,
      ];
    case "deleteRevocationPolicy":
      return [
        "remove",
        `SCP ${change.policyName}${change.detachFrom === undefined ? "" : ` (detached from root ${change.detachFrom})`}`,
      ];
  }
}

/** "3 users, 412 of 5,120 characters". */
function policyFill(change: { entries: number; size: number; sizeLimit: number }): string {
  return `${countOf(change.entries, "user")}, ${thousands(change.size)} of ${thousands(change.sizeLimit)} characters`;
}

function countOf(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** A plain value cut with "…" when long (a description of several paragraphs). */
function cut(text: string): string {
  return text.length > maxValueLength ? `${text.slice(0, maxValueLength - 1)}…` : text;
}

function noteText(note: ScopeNote): string {
  return `${note.name}: ${note.detail}`;
}
