/**
 * Realistic editing mistakes, several to a file (tests/fixtures/editing-mistakes/): each file marks its
 * mistakes with `# mistake: REGEX` comments right above the line the error must point at. One run of
 * `validate --source` against the example directory must report every one of them, at that line, and
 * nothing else: no mistake left for a second round, no echo of a slip in other words.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { idcSync, repoRoot } from "../../cli/cli-harness.js";

const folder = join(repoRoot, "tests/fixtures/editing-mistakes");
const files = readdirSync(folder)
  .filter((name) => name.endsWith(".yaml"))
  .sort();

interface Mistake {
  line: number;
  says: RegExp;
}

/** The marked mistakes of a file: every marker run points at the first line after it. */
function mistakesIn(text: string): Mistake[] {
  const mistakes: Mistake[] = [];
  let pending: RegExp[] = [];
  text.split("\n").forEach((line, index) => {
    const marker = /^# mistake: (.+)$/.exec(line);
    if (marker) {
      pending.push(new RegExp(marker[1]!));
      return;
    }
    for (const says of pending) mistakes.push({ line: index + 1, says });
    pending = [];
  });
  return mistakes;
}

describe("realistic editing mistakes, every one in the first run", () => {
  it("has at least 50 mistakes in at least 8 files, several to a file", () => {
    const counts = files.map((file) => mistakesIn(readFileSync(join(folder, file), "utf8")).length);
    expect(files.length).toBeGreaterThanOrEqual(8);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(50);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(5);
  });

  for (const file of files) {
    it(`reports every mistake of ${file}, each at its line, and nothing else`, async () => {
      const rules = relative(repoRoot, join(folder, file));
      const mistakes = mistakesIn(readFileSync(join(folder, file), "utf8"));

      const run = await idcSync(["validate", "--rules", rules, "--source", "file:examples/directory.yaml"]);

      expect(run.exitCode).toBe(64);
      const errors = run.stderr
        .split("\n")
        .map((line) => new RegExp(`^${rules.replace(/[.]/g, "\\.")}:(\\d+):(\\d+): (.*)$`).exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => ({ line: Number(match[1]), message: match[3]!, text: match[0] }));
      const missed = mistakes
        .filter(
          (mistake) =>
            !errors.some((error) => error.line === mistake.line && mistake.says.test(error.message)),
        )
        .map((mistake) => `line ${mistake.line}: ${mistake.says}`);
      const unexpected = errors
        .filter(
          (error) =>
            !mistakes.some((mistake) => mistake.line === error.line && mistake.says.test(error.message)),
        )
        .map((error) => error.text);
      expect({ missed, unexpected }, run.stderr).toEqual({ missed: [], unexpected: [] });
      // In file order, with the count of them all.
      expect(errors.map((error) => error.line)).toEqual(
        [...errors.map((error) => error.line)].sort((a, b) => a - b),
      );
      expect(run.stderr).toContain(`${errors.length} problem${errors.length === 1 ? "" : "s"} in the rules`);
    });
  }
});
