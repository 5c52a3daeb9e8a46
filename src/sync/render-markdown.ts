/**
 * A plan as GitHub-flavoured markdown, for a pull-request comment: a summary line, the guard verdict,
 * one collapsible section per kind of object, policy and attribute diffs in ```diff blocks. It always
 * fits in one comment: when the plan is too long it shows what fits of every section and says exactly
 * how many changes it left out. Pure.
 */
import { Buffer } from "node:buffer";
import { countRemovals, type GuardVerdict } from "./guards.js";
import type { Change, ChangeKind, FieldChange, Plan } from "./model.js";
import { permissionSetFacts } from "./permission-set-facts.js";
import { type Marker, markerAndSubject, markers, noChangesText, planSections } from "./render.js";
import { planSummaryLine, summarizePlan } from "./summary.js";
import { type DiffLine, fieldDiff } from "./value-diff.js";

/** The hidden line that marks idc-sync's comment on a pull request, so a workflow can find and update it. */
export const planCommentMarker = "<!-- idc-sync:plan -->";

/**
 * GitHub refuses an issue or pull-request comment whose body is longer than 65,536 characters. The
 * budget is counted in UTF-8 bytes, which is never fewer than characters, so the comment fits however
 * GitHub counts.
 */
export const githubCommentLimit = 65_536;

export interface MarkdownPlanOptions {
  /** The safety guards' verdict on the plan, shown under the summary. */
  guard?: GuardVerdict;
  /** Warnings about the rules or the read (selectors that match nothing, removals held back). */
  warnings?: readonly string[];
  /** The longest document to return, in UTF-8 bytes. Default `githubCommentLimit`. */
  maxBytes?: number;
}

/** A section with at most this many changes is open when the comment loads; longer ones start folded. */
const openSectionMaxChanges = 25;
/** One change's details (a new permission set's inline policy, a policy diff) are cut past this size. */
const maxDetailBytes = 16_000;
/** Warnings listed before "and N more". */
const maxWarnings = 20;

/**
 * Renders the plan as markdown that starts with `planCommentMarker`. Never longer than `maxBytes`:
 * past it, each section keeps the changes that fit (every section gets its share, small ones first) and
 * ends with "… and N more changes not shown", N exact.
 */
export function renderPlanMarkdown(plan: Plan, options: MarkdownPlanOptions = {}): string {
  const maxBytes = options.maxBytes ?? githubCommentLimit;
  const head = headerMarkdown(plan, options);
  const sections = sectionsOf(plan);
  const full = sections.map((section) => section.items.length);
  const render = (shown: number[]) =>
    [head, ...sections.map((section, index) => sectionMarkdown(section, shown[index]!))]
      .filter((part) => part !== "")
      .join("\n\n")
      .concat("\n");

  const overhead = utf8Length(render(full.map(() => 0)));
  const costs = sections.map((section) => section.items.map((item) => utf8Length(item.text) + 1));
  // Render the whole plan only when it can fit: at 150,000 changes it would be megabytes of text.
  if (overhead + costs.flat().reduce((sum, cost) => sum + cost, 0) <= maxBytes) {
    const whole = render(full);
    if (utf8Length(whole) <= maxBytes) return whole;
  }

  const shown = allot(costs, maxBytes - overhead);
  let text = render(shown);
  // The allotment estimates each change's cost; fences and "and N more" lines may still tip it over.
  while (utf8Length(text) > maxBytes) {
    const largest = shown.indexOf(Math.max(...shown));
    if (shown[largest] === 0) break;
    shown[largest] = Math.max(0, shown[largest]! - Math.max(1, Math.floor(shown[largest]! / 20)));
    text = render(shown);
  }
  return text;
}

// ─── The parts ──────────────────────────────────────────────────────────────────────────────────────

function headerMarkdown(plan: Plan, options: MarkdownPlanOptions): string {
  const parts = [planCommentMarker, "### idc-sync plan"];
  parts.push(
    plan.changes.length === 0
      ? `**${noChangesText}**`
      : `**${planSummaryLine(summarizePlan(plan))}**${plan.changes.some((c) => c.cause === "drift") ? ` Includes changes made outside idc-sync (drift), which an apply undoes.` : ""}`,
  );
  const guard = guardMarkdown(plan, options.guard);
  if (guard !== "") parts.push(guard);
  const warnings = options.warnings ?? [];
  if (warnings.length > 0) {
    const listed = warnings.slice(0, maxWarnings).map((warning) => `- ${escapeMarkdown(warning)}`);
    if (warnings.length > maxWarnings) listed.push(`- … and ${warnings.length - maxWarnings} more`);
    parts.push(`⚠️ **Warnings**\n\n${listed.join("\n")}`);
  }
  return parts.join("\n\n");
}

function guardMarkdown(plan: Plan, guard: GuardVerdict | undefined): string {
  if (guard === undefined || plan.changes.length === 0) return "";
  if (guard.ok) {
    const removals = countRemovals(plan);
    return `✅ **Safety guards:** an apply would go ahead${removals > 0 ? ` (${removals} removal${removals === 1 ? "" : "s"}, within \`safety.maxDeletions\`)` : ""}.`;
  }
  const quoted = guard.violations.map((violation) => `> ${escapeMarkdown(violation.message)}`).join("\n>\n");
  return `⛔ **Safety guards:** an apply would stop here, before changing anything.\n\n${quoted}`;
}

/**
 * One change or note as markdown: `line`, a one-line change (runs of them share a ```diff block);
 * `listItem`, a note (runs of them form one list); `block`, a change with its details.
 */
interface Item {
  kind: "line" | "listItem" | "block";
  text: string;
}

interface Section {
  title: string;
  summary: string;
  items: Item[];
  /** Count of changes (or notes) in the section, shown whatever is cut. */
  count: number;
  noun: "change" | "note";
}

function sectionsOf(plan: Plan): Section[] {
  const sections: Section[] = [];
  for (const { title, kinds } of planSections) {
    const changes = plan.changes.filter((change) => (kinds as readonly ChangeKind[]).includes(change.kind));
    if (changes.length === 0) continue;
    sections.push({
      title,
      summary: familyCounts(changes),
      items: changes.map((change) => changeItem(change, plan.accountNames)),
      count: changes.length,
      noun: "change",
    });
  }
  if (plan.notes.length > 0) {
    sections.push({
      title: "Left alone (outside scope or protected)",
      summary: `${plan.notes.length}`,
      items: plan.notes.map((note) => ({
        kind: "listItem" as const,
        text: `- ${code(note.name)}: ${escapeMarkdown(note.detail)}`,
      })),
      count: plan.notes.length,
      noun: "note",
    });
  }
  return sections;
}

/** "1 to add, 2 to change, 1 to provision". */
function familyCounts(changes: Change[]): string {
  const counts = new Map<Marker, number>();
  for (const change of changes) {
    const [marker] = markerAndSubject(change);
    counts.set(marker, (counts.get(marker) ?? 0) + 1);
  }
  const words: Record<Marker, string> = {
    add: "to add",
    change: "to change",
    provision: "to provision",
    remove: "to remove",
  };
  return (["add", "change", "provision", "remove"] as const)
    .filter((marker) => counts.has(marker))
    .map((marker) => `${counts.get(marker)} ${words[marker]}`)
    .join(", ");
}

/**
 * Renders a section with its first `shown` items. Runs of one-line changes share one ```diff block
 * (GitHub colours its `+` and `-` lines); a change with details is a headline and its diffs.
 */
function sectionMarkdown(section: Section, shown: number): string {
  const open = section.count <= openSectionMaxChanges ? " open" : "";
  const parts = [
    `<details${open}>\n<summary><b>${escapeHtml(section.title)}</b>: ${section.summary}</summary>`,
  ];
  const items = section.items.slice(0, shown);
  for (let index = 0; index < items.length; ) {
    const kind = items[index]!.kind;
    if (kind === "block") {
      parts.push(items[index++]!.text);
      continue;
    }
    const run: string[] = [];
    while (index < items.length && items[index]!.kind === kind) run.push(items[index++]!.text);
    parts.push(kind === "line" ? fenced(run.join("\n"), "diff") : run.join("\n"));
  }
  const hidden = section.count - items.length;
  if (hidden > 0) {
    parts.push(
      `**… and ${hidden} more ${section.noun}${hidden === 1 ? "" : "s"} not shown here**: a comment holds ` +
        `${githubCommentLimit.toLocaleString("en-US")} characters. Run \`idc-sync plan\` for the whole plan.`,
    );
  }
  parts.push("</details>");
  return parts.join("\n\n");
}

// ─── One change ─────────────────────────────────────────────────────────────────────────────────────

function changeItem(change: Change, accountNames: Record<string, string> | undefined): Item {
  const [marker, subject] = markerAndSubject(change, accountNames);
  const headline = `${markers[marker]} ${subject}`;
  const tail = `# ${change.reason}${causeTag(change)}`;
  const details = detailsOf(change);
  if (details.length === 0) return { kind: "line", text: `${headline}  ${oneLine(tail)}` };
  return {
    kind: "block",
    text: [`${code(headline)} — ${escapeMarkdown(tail.slice(2))}`, ...details].join("\n\n"),
  };
}

function causeTag(change: Change): string {
  if (change.cause === undefined) return "";
  return change.cause === "drift" ? "  [drift: changed outside idc-sync]" : `  [${change.cause}]`;
}

/** What a change shows beyond its headline: a new permission set's grants, an update's field diffs. */
function detailsOf(change: Change): string[] {
  if (change.kind === "createPermissionSet") {
    const { facts, inlinePolicy } = permissionSetFacts(change.permissionSet);
    const list = facts.map(
      (fact) =>
        `- ${escapeMarkdown(fact.label)}: ${fact.values.length === 0 ? "none" : fact.values.map(code).join(", ")}`,
    );
    list.push(`- inline policy: ${inlinePolicy === undefined ? "none" : ""}`.trimEnd());
    const parts = [list.join("\n")];
    if (inlinePolicy !== undefined) parts.push(fenced(capLines(inlinePolicy.split("\n")).join("\n"), "json"));
    return parts;
  }
  if (change.kind === "updateUser" || change.kind === "updateGroup" || change.kind === "updatePermissionSet")
    return fieldDetails(change.fields);
  return [];
}

function fieldDetails(fields: FieldChange[]): string[] {
  const parts: string[] = [];
  const values: string[] = [];
  for (const field of fields) {
    const diff = fieldDiff(field);
    if (diff.kind === "value") {
      values.push(`- ${escapeMarkdown(diff.field)}: ${code(diff.from)} → ${code(diff.to)}`);
    } else {
      if (values.length > 0) parts.push(values.splice(0).join("\n"));
      parts.push(
        `${escapeMarkdown(diff.field)}:\n\n${fenced(capLines(diff.lines.map(diffLineText)).join("\n"), "diff")}`,
      );
    }
  }
  if (values.length > 0) parts.push(values.join("\n"));
  return parts;
}

function diffLineText(line: DiffLine): string {
  return line.op === "@" ? line.text : `${line.op}${line.text}`;
}

/** Keeps one change's details under `maxDetailBytes`, saying how many lines were left out. */
function capLines(lines: string[]): string[] {
  let bytes = 0;
  for (let index = 0; index < lines.length; index += 1) {
    bytes += utf8Length(lines[index]!) + 1;
    if (bytes > maxDetailBytes) {
      const hidden = lines.length - index;
      return [...lines.slice(0, index), `… ${hidden} more line${hidden === 1 ? "" : "s"} not shown`];
    }
  }
  return lines;
}

// ─── Fitting into one comment ───────────────────────────────────────────────────────────────────────

/**
 * How many items of each section to show within `budget` bytes, given each item's cost: sections are
 * served smallest first, each taking at most an equal share of what is left, so a long section (50,000
 * memberships) never crowds out a short one (two policy changes). Items keep their order.
 */
function allot(costs: number[][], budget: number): number[] {
  const shown = costs.map(() => 0);
  const totals = costs.map((items) => items.reduce((sum, cost) => sum + cost, 0));
  const order = costs.map((_, index) => index).sort((a, b) => totals[a]! - totals[b]!);
  let left = Math.max(0, budget);
  order.forEach((section, position) => {
    const share = Math.floor(left / (order.length - position));
    let used = 0;
    for (const cost of costs[section]!) {
      if (used + cost > share) break;
      used += cost;
      shown[section]! += 1;
    }
    left -= used;
  });
  return shown;
}

// ─── Markdown text ──────────────────────────────────────────────────────────────────────────────────

/** A code span that holds any text: a longer run of backticks than the text has, padded when needed. */
function code(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const ticks = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${ticks}${pad}${oneLine(text)}${pad}${ticks}`;
}

/** A fenced block whose fence is longer than any run of backticks inside it. */
function fenced(text: string, language: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`{3,}/g)].map((match) => match[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${text}\n${fence}`;
}

/** Text from the rules or Google, as literal text: nothing in it becomes a link, a tag or emphasis. */
function escapeMarkdown(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>|~&]/g, (character) => `\\${character}`);
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ");
}

/** Bytes the text takes in UTF-8. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
