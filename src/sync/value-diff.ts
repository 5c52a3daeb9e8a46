/**
 * How a changed attribute reads in a plan: a plain value as `from → to`; a policy document or any other
 * structured value as a line diff of its pretty-printed, key-sorted JSON, so a one-word change in a
 * 10 KB inline policy shows as that one line, with the lines around it. Pure.
 *
 * The diff itself is `diff` (jsdiff, `structuredPatch`): a Myers line diff maintained for over a decade
 * and used by most JavaScript test runners, rather than one written here.
 */
import { structuredPatch } from "diff";
import { prettyJson } from "./canonical-json.js";
import type { FieldChange } from "./model.js";

/** One line of a line diff: `+` added, `-` removed, ` ` unchanged context, `@` a hunk header. */
export interface DiffLine {
  op: "+" | "-" | " " | "@";
  text: string;
}

/** How one changed field reads. */
export type FieldDiff =
  | { kind: "value"; field: string; from: string; to: string }
  | { kind: "lines"; field: string; lines: DiffLine[] };

/** Documents up to this many lines are shown whole; longer ones as hunks with `contextLines` around. */
const wholeDocumentLines = 40;
const contextLines = 3;

/** Fields whose value is a JSON document held as text. */
const documentFields: ReadonlySet<string> = new Set(["inlinePolicy"]);

/** Reads a field change for people: structured values (and policy text) as a line diff. */
export function fieldDiff(change: FieldChange): FieldDiff {
  const structured = documentFields.has(change.field) || isStructured(change.from) || isStructured(change.to);
  if (!structured)
    return { kind: "value", field: change.field, from: scalarText(change.from), to: scalarText(change.to) };
  return {
    kind: "lines",
    field: change.field,
    lines: lineDiff(documentText(change.from), documentText(change.to)),
  };
}

/**
 * A structured value as the text its line diff is made of: pretty, key-sorted JSON; a policy held as
 * JSON text is parsed first (text that is not JSON is shown as it is). Empty for no value.
 */
export function documentText(value: unknown): string {
  if (value === undefined || value === null || value === "") return "";
  if (typeof value === "string") {
    try {
      return prettyJson(JSON.parse(value));
    } catch {
      return value;
    }
  }
  return prettyJson(value);
}

/**
 * The line diff of two texts: whole when both are short, else the changed lines with three lines of
 * context each side and an `@@ -a,b +c,d @@` header per hunk, as `diff -u` prints them. A comma at the
 * end of a line does not count as a change: in pretty JSON it only says another value follows, and
 * counting it would mark the last unchanged value of every object that gains one as removed and added.
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const oldLines = splitLines(before);
  const newLines = splitLines(after);
  const compared = (lines: string[]) =>
    lines.length === 0 ? "" : `${lines.map(withoutTrailingComma).join("\n")}\n`;
  const whole = Math.max(oldLines.length, newLines.length) <= wholeDocumentLines;
  const patch = structuredPatch(
    "before",
    "after",
    compared(oldLines),
    compared(newLines),
    undefined,
    undefined,
    {
      context: whole ? Number.MAX_SAFE_INTEGER : contextLines,
    },
  );
  const lines: DiffLine[] = [];
  for (const hunk of patch.hunks) {
    if (!whole)
      lines.push({
        op: "@",
        text: `@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`,
      });
    // The patch compared lines without their commas; each is shown as its own side wrote it.
    let oldIndex = hunk.oldStart - 1;
    let newIndex = hunk.newStart - 1;
    for (const line of hunk.lines) {
      const op = line[0];
      if (op === "-") lines.push({ op, text: oldLines[oldIndex++] ?? "" });
      else if (op === "+") lines.push({ op, text: newLines[newIndex++] ?? "" });
      else if (op === " ") {
        lines.push({ op, text: newLines[newIndex++] ?? "" });
        oldIndex += 1;
      }
      // "\ No newline at end of file" cannot occur (both sides end in one), and is never a change.
    }
  }
  return lines;
}

/** A plain value as people read it: strings quoted, nothing as "(none)". */
export function scalarText(value: unknown): string {
  if (value === undefined || value === null || value === "") return "(none)";
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function isStructured(value: unknown): boolean {
  return value !== null && typeof value === "object";
}

function splitLines(text: string): string[] {
  return text === "" ? [] : text.split("\n");
}

function withoutTrailingComma(line: string): string {
  return line.endsWith(",") ? line.slice(0, -1) : line;
}
