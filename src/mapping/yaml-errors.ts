/**
 * YAML syntax errors in words a rules editor can act on. One slip (a key indented one space too far, a
 * quote left open) makes the parser report several errors in a row; they are one mistake, so errors on
 * neighbouring lines are taken together and reported once, at the place to fix: the opening quote or
 * bracket that was never closed, the first character of the key that is out of line.
 *
 * Also says which lines and which top-level sections the slip damaged, so the later checks, which run
 * on what the parser recovered, do not report the slip a second time in other words.
 */
import type { LineCounter, YAMLError } from "yaml";

/** One reported syntax mistake, at a character offset of the rules text. */
export interface YamlSyntaxProblem {
  offset: number;
  message: string;
}

export interface YamlSyntaxReport {
  problems: YamlSyntaxProblem[];
  /** 1-based line ranges, inclusive, that a slip made unreliable. */
  damagedLines: [number, number][];
  /** Top-level keys of the rules whose section holds a slip. */
  damagedSections: Set<string>;
}

/** What is used of a parser error: its code, its words and where. */
type SyntaxError = Pick<YAMLError, "code" | "message" | "pos">;

/** Describes a document's syntax errors, one problem per slip. */
export function describeYamlErrors(
  errors: readonly YAMLError[],
  text: string,
  lineCounter: LineCounter,
): YamlSyntaxReport {
  const report: YamlSyntaxReport = { problems: [], damagedLines: [], damagedSections: new Set() };
  if (errors.length === 0) return report;
  const lineOf = (offset: number) => lineCounter.linePos(offset).line;
  // yaml may place an error at the comment or blank line before the line at fault: move it there.
  const sorted = errors
    .map((error) => ({
      error: {
        code: error.code,
        message: error.message,
        pos: [pastCommentsAndBlanks(text, error.pos[0]), error.pos[1]] as [number, number],
      } satisfies SyntaxError,
      rawLine: lineOf(error.pos[0]),
    }))
    .sort((a, b) => a.error.pos[0] - b.error.pos[0]);

  // Errors on neighbouring lines, as yaml placed them or as moved past comments, are one slip.
  const clusters: SyntaxError[][] = [];
  let last: { line: number; rawLine: number } | undefined;
  for (const { error, rawLine } of sorted) {
    const line = lineOf(error.pos[0]);
    const near = last !== undefined && (line <= last.line + 1 || rawLine <= last.rawLine + 1);
    if (near) clusters.at(-1)!.push(error);
    else clusters.push([error]);
    last = { line, rawLine };
  }

  const lines = text.split("\n");
  for (const cluster of clusters) {
    const root = cluster.find(isUnclosedQuote) ?? cluster.find(isUnclosedFlow) ?? cluster[0]!;
    const problem = describeError(root, text);
    report.problems.push(problem);
    const from = Math.min(lineOf(problem.offset), lineOf(cluster[0]!.pos[0]));
    const to = Math.max(
      ...cluster.map((error) => lineOf(error.pos[1] > error.pos[0] ? error.pos[1] - 1 : error.pos[0])),
    );
    report.damagedLines.push([from, to]);
    for (const section of sectionsOf(lines, from, to)) report.damagedSections.add(section);
  }
  return report;
}

const isUnclosedQuote = (error: SyntaxError) =>
  error.code === "MISSING_CHAR" && /closing .?quote/.test(error.message);
const isUnclosedFlow = (error: SyntaxError) =>
  error.code === "BAD_INDENT" && /^Flow (sequence|map)/.test(error.message);

function describeError(error: SyntaxError, text: string): YamlSyntaxProblem {
  const offset = error.pos[0];
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const lineEnd = text.indexOf("\n", offset) === -1 ? text.length : text.indexOf("\n", offset);
  const line = text.slice(lineStart, lineEnd);
  const firstCharacter = lineStart + (line.length - line.trimStart().length);
  const word = (at: number) => /^[^\s:,[\]{}#]+/.exec(text.slice(at))?.[0] ?? "";

  switch (error.code) {
    case "MISSING_CHAR": {
      const quote = /closing "quote/.test(error.message)
        ? '"'
        : /closing 'quote/.test(error.message)
          ? "'"
          : undefined;
      if (quote !== undefined) {
        const opening = text.lastIndexOf(quote, offset - 1);
        return {
          offset: opening >= 0 ? opening : offset,
          message: `a value opened with ${quote} is never closed: add the closing ${quote} (everything after it was read as part of the value)`,
        };
      }
      if (/followed by map values/.test(error.message))
        return { offset, message: "a key needs ':' after it" };
      return { offset, message: `missing character: ${lowerFirst(error.message)}` };
    }
    case "BAD_INDENT": {
      const flow = /^Flow (sequence|map)/.exec(error.message);
      if (flow) {
        const [open, close] = flow[1] === "sequence" ? ["[", "]"] : ["{", "}"];
        const opening = unclosedOpening(text, offset, open!, close!);
        return {
          offset: opening ?? offset,
          message: `a ${open} ${flow[1] === "sequence" ? "list" : "map"} ${close} is not closed: add '${close}' before the end of the line`,
        };
      }
      const trimmed = line.trimStart();
      if (/^-[^\s-]/.test(trimmed))
        return {
          offset: firstCharacter,
          message: `'-' needs a space after it to start a list item ('- ${trimmed.slice(1, 20)}')`,
        };
      if (/mapping items/.test(error.message))
        return {
          offset: firstCharacter,
          message:
            "this key is not lined up with the keys above it: keys of one map start in the same column",
        };
      if (/sequence items/.test(error.message))
        return {
          offset: firstCharacter,
          message:
            "this list item is not lined up with the items above it: '-' of one list start in the same column",
        };
      return {
        offset: firstCharacter,
        message: `the indentation of this line does not fit: ${lowerFirst(error.message)}`,
      };
    }
    case "TAB_AS_INDENT":
      return { offset: lineStart, message: "a tab indents this line: YAML indents with spaces only" };
    case "MULTILINE_IMPLICIT_KEY": {
      const key = word(offset);
      return {
        offset,
        message: `'${key}' has no ':' after it, so the lines below are read as part of it: add ':' after '${key}'`,
      };
    }
    case "BLOCK_AS_IMPLICIT_KEY":
      if (/compact mappings/.test(error.message))
        return {
          offset,
          message:
            "a value cannot hold ': ' unquoted: put it in quotes, or, if the next line belongs to the item above, indent it to the same column",
        };
      return {
        offset: firstCharacter,
        message: "a list cannot be a key: is this line indented too far, or a ':' missing?",
      };
    case "BAD_SCALAR_START": {
      const character = text[offset] ?? "";
      return {
        offset,
        message: `a value cannot start with '${character}' unquoted: put the value in quotes`,
      };
    }
    case "DUPLICATE_KEY": {
      const key = word(offset);
      return { offset, message: `key '${key}' appears twice in this map: keep one` };
    }
    case "BAD_DQ_ESCAPE":
      return {
        offset,
        message: "invalid escape in a double-quoted value: write \\\\ for a backslash, or use single quotes",
      };
    case "MULTIPLE_DOCS":
      return {
        offset,
        message: "a rules file holds one YAML document: remove the '---' and what follows, or merge them",
      };
    default:
      return { offset, message: `${lowerFirst(firstLine(error.message))}` };
  }
}

/** From the start of a comment-only or blank line, the start of the next line that holds YAML. */
function pastCommentsAndBlanks(text: string, offset: number): number {
  let at = offset;
  for (;;) {
    const lineStart = text.lastIndexOf("\n", at - 1) + 1;
    if (lineStart !== at) return at;
    const lineEnd = text.indexOf("\n", at);
    if (lineEnd === -1) return at;
    const line = text.slice(at, lineEnd).trim();
    if (line !== "" && !line.startsWith("#")) return at;
    at = lineEnd + 1;
  }
}

/** The offset of the last `open` before `offset` that has no matching `close` between them. */
function unclosedOpening(text: string, offset: number, open: string, close: string): number | undefined {
  let depth = 0;
  for (let at = Math.min(offset, text.length) - 1; at >= 0; at--) {
    const character = text[at];
    if (character === close) depth += 1;
    else if (character === open) {
      if (depth === 0) return at;
      depth -= 1;
    }
  }
  return undefined;
}

/** The top-level keys whose sections overlap lines `from`..`to` (1-based). */
function sectionsOf(lines: readonly string[], from: number, to: number): string[] {
  const sections: string[] = [];
  let current: string | undefined;
  for (let index = 0; index < Math.min(lines.length, to); index++) {
    const key = /^([A-Za-z_$][\w$-]*)\s*:/.exec(lines[index] ?? "")?.[1];
    if (key !== undefined) current = key;
    if (index + 1 >= from && current !== undefined && !sections.includes(current)) sections.push(current);
  }
  return sections;
}

function firstLine(message: string): string {
  return message.split("\n")[0]?.trim() ?? message;
}

function lowerFirst(message: string): string {
  return message.charAt(0).toLowerCase() + message.slice(1);
}
