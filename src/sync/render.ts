/**
 * Plans and apply reports as text (like `terraform plan`) and as plain JSON data. Pure: the caller
 * decides where the text goes and whether it is coloured.
 */
import { canonicalJson } from "./canonical-json.js";
import type {
  ApplyReport,
  Change,
  ChangeKind,
  ChangeOutcome,
  FieldChange,
  Plan,
  ScopeNote,
} from "./model.js";
import { OutcomeStatus } from "./model.js";
import { type PlanSummary, planSummaryLine, summarizePlan } from "./summary.js";

export interface RenderOptions {
  /** ANSI colours, for a terminal. Default false. */
  color?: boolean;
}

export const noChangesText = "No changes. Identity Center matches the rules.";

/** The sections of a plan, in reading order, and the kinds each holds. */
const sections: readonly { title: string; kinds: readonly ChangeKind[] }[] = [
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
const markers = {
  add: "+",
  change: "~",
  remove: "-",
  provision: "↻",
} as const;
type Marker = keyof typeof markers;

const ansi = { green: 32, yellow: 33, red: 31, cyan: 36, dim: 2, bold: 1 } as const;
const markerColor: Record<Marker, keyof typeof ansi> = {
  add: "green",
  change: "yellow",
  remove: "red",
  provision: "cyan",
};

/** Longest rendering of one field value before it is cut with "…" (inline policies can be 32 KB). */
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
    for (const section of sections) {
      const changes = plan.changes.filter((change) => section.kinds.includes(change.kind));
      if (changes.length === 0) continue;
      lines.push(paint("bold", section.title));
      for (const change of changes) lines.push(...changeLines(change, paint));
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
  };
}

/** "Apply: 3 applied, 1 failed, 2 skipped, 0 not started." */
export function applySummaryLine(report: ApplyReport): string {
  return `Apply: ${report.applied} applied, ${report.failed} failed, ${report.skipped} skipped, ${report.notStarted} not started.`;
}

/**
 * Renders what an apply did: the changes applied, failed (with the error), skipped (with what blocked
 * them) and not started (left for the next run), then a summary line.
 */
export function renderApplyReportText(
  report: ApplyReport,
  plan: Pick<Plan, "changes">,
  options: RenderOptions = {},
): string {
  const paint = painter(options.color === true);
  const byKey = new Map(plan.changes.map((change) => [change.key, change]));
  const describe = (outcome: ChangeOutcome) => {
    const change = byKey.get(outcome.key);
    return change === undefined ? `${outcome.kind} ${outcome.key}` : headline(change, paint, true);
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

function changeLines(change: Change, paint: Paint): string[] {
  const drift = change.cause === "drift" ? `  ${paint("red", "[drift: changed outside idc-sync]")}` : "";
  const lines = [`  ${headline(change, paint)}  ${paint("dim", `# ${change.reason}`)}${drift}`];
  if (
    change.kind === "updateUser" ||
    change.kind === "updateGroup" ||
    change.kind === "updatePermissionSet"
  ) {
    for (const field of change.fields)
      lines.push(`      ${paint("yellow", markers.change)} ${fieldText(field)}`);
  }
  return lines;
}

/** A change in one plain line, without its reason: "- membership developers ← alice@example.com". */
export function describeChange(change: Change): string {
  return headline(change, (_color, text) => text, true);
}

/** The marker and the object a change is about, without its reason; with `noun` when out of its section. */
function headline(change: Change, paint: Paint, noun = false): string {
  const [marker, subject] = markerAndSubject(change);
  const prefix = noun ? `${nouns[change.kind]} ` : "";
  return `${paint(markerColor[marker], markers[marker])} ${prefix}${subject}`;
}

const nouns: Record<ChangeKind, string> = {
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
};

function markerAndSubject(change: Change): [Marker, string] {
  switch (change.kind) {
    case "createPermissionSet":
      return ["add", change.permissionSet.name];
    case "updatePermissionSet":
      return ["change", change.permissionSet.name];
    case "provisionPermissionSet":
      return ["provision", `${change.permissionSetName}: provision to ${change.accountIds.join(", ")}`];
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
  }
}

function assignmentText(a: {
  principalType: string;
  principalName: string;
  permissionSetName: string;
  accountId: string;
}) {
  return `${a.principalType.toLowerCase()} ${a.principalName} × ${a.permissionSetName} × ${a.accountId}`;
}

function fieldText(field: FieldChange): string {
  if (isStringArray(field.from) && isStringArray(field.to)) {
    const from = new Set(field.from);
    const to = new Set(field.to);
    const added = field.to.filter((x) => !from.has(x)).map((x) => `+${x}`);
    const removed = field.from.filter((x) => !to.has(x)).map((x) => `-${x}`);
    const diff = [...added, ...removed];
    if (diff.length > 0) return `${field.field}: ${diff.join(", ")}`;
  }
  return `${field.field}: ${valueText(field.from)} → ${valueText(field.to)}`;
}

function valueText(value: unknown): string {
  if (value === undefined || value === null || value === "") return "(none)";
  const text = typeof value === "string" ? JSON.stringify(value) : canonicalJson(value);
  return text.length > maxValueLength ? `${text.slice(0, maxValueLength - 1)}…` : text;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((x) => typeof x === "string");
}

function noteText(note: ScopeNote): string {
  return `${note.name}: ${note.detail}`;
}
