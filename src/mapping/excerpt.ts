/**
 * The line of the rules file an issue points at, with a caret under its column, as a compiler shows it:
 *
 *     12 |       exclude:
 *        |       ^
 *
 * Only ever the rules file's own text (never a policy file's). A rules file comes from a pull request, so
 * control characters (a terminal escape, a right-to-left override) are shown as `?`, and a long line is
 * cut to a window around the column.
 */

/** How much of a long line is shown around the column. */
const windowWidth = 100;
const tabWidth = 4;

/** The two lines to print under an issue at a 1-based line and column, or none when the line is not there. */
export function excerptAt(text: string, line: number, column: number, indent = "  "): string[] {
  const lines = text.split("\n");
  const raw = lines[line - 1];
  if (raw === undefined) return [];
  const source = raw.replace(/\r$/, "");
  const caretAt = Math.max(0, Math.min(column - 1, source.length));

  let start = 0;
  let end = source.length;
  if (source.length > windowWidth) {
    start = Math.max(0, Math.min(caretAt - windowWidth / 2, source.length - windowWidth));
    end = Math.min(source.length, start + windowWidth);
  }
  const shown = [...source.slice(start, end)];
  const visible = (character: string) =>
    character === "\t" ? " ".repeat(tabWidth) : /[\p{Cc}\p{Cf}]/u.test(character) ? "?" : character;
  const prefix = start > 0 ? "…" : "";
  const suffix = end < source.length ? "…" : "";
  const body = `${prefix}${shown.map(visible).join("")}${suffix}`;
  const pad = `${prefix === "" ? "" : " "}${[...source.slice(start, caretAt)].map((c) => " ".repeat(visible(c).length)).join("")}`;
  const number = String(line);
  return [`${indent}${number} | ${body}`.trimEnd(), `${indent}${" ".repeat(number.length)} | ${pad}^`];
}
