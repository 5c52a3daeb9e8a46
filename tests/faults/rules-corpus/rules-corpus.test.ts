/**
 * Every case of the malformed-rules corpus through the real command, in-process: it ends with the exit
 * code the case expects (64, or 0 where the file is valid), never prints a stack trace, shapes every
 * error as FILE:LINE:COL: message (JSON issues carry the same), prints nothing of any file that is not a
 * policy, and completes. The cases whose regression could block the process itself (a pipe, /dev/zero,
 * /proc/self/environ) run once more in a child process with a deadline.
 */
import { execFile } from "node:child_process";
import { symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { examples, idcSync, repoRoot } from "../../cli/cli-harness.js";
import { corpus, type RulesCase } from "./cases.js";
import { aSandbox, type Sandbox } from "./sandbox.js";

/** Generous: a case takes milliseconds; this only turns a hang into a failure. */
const perCaseTimeoutMs = 60_000;

const stackTrace = /^\s+at .+|node:internal|\.ts:\d+:\d+\)?$/m;

interface Outcome {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function expectNoLeakAndNoStack(outcome: Outcome, sandbox: Sandbox): void {
  const printed = `${outcome.stdout}\n${outcome.stderr}`;
  expect(printed).not.toMatch(stackTrace);
  for (const canary of sandbox.canaries) expect(printed).not.toContain(canary);
  expect([0, 64]).toContain(outcome.exitCode);
}

/**
 * Every stderr line is a positioned error, a positioned warning, or the closing count; under each error
 * come exactly the two lines that show it: the rules file's line with its number, then a caret under the
 * column. Those continuation lines are indented and belong to the error above them, never loose.
 */
function expectShapedErrorLines(stderr: string, rulesFile: string): string[] {
  const errors: string[] = [];
  const file = rulesFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const lines = stderr.split("\n").filter((text) => text !== "");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const error = new RegExp(`^${file}:([1-9]\\d*):([1-9]\\d*): \\S`).exec(line);
    if (error) {
      errors.push(line);
      const [, lineNumber] = error;
      // A file that could not be read has no line to show.
      if (/: cannot read the rules file: /.test(line)) continue;
      // The excerpt: `  12 | text`, then `     |   ^` with the bar in the same column.
      const shown = lines[index + 1] ?? "";
      const caret = lines[index + 2] ?? "";
      expect(shown, `the line under ${line}`).toMatch(new RegExp(`^  ${lineNumber} \\|( |$)`));
      expect(caret, `the caret under ${line}`).toMatch(
        new RegExp(`^  ${" ".repeat(lineNumber!.length)} \\| *\\^$`),
      );
      index += 2;
    } else if (new RegExp(`^warning: ${file}:[1-9]\\d*:[1-9]\\d*: \\S`).test(line)) continue;
    else expect(line).toMatch(/^\d+ problems? in the rules; nothing was changed\.$/);
  }
  return errors;
}

/** Cases that change nothing but the rules file share one checkout; the others get their own. */
let shared: Sandbox | undefined;
beforeAll(async () => {
  shared = await aSandbox();
});
afterAll(async () => {
  await shared?.remove();
});

async function runCase(testCase: RulesCase): Promise<void> {
  const own = testCase.prepare !== undefined || testCase.plan === true;
  const sandbox = own || shared === undefined ? await aSandbox() : shared;
  try {
    await testCase.prepare?.(sandbox);
    await writeFile(sandbox.rulesFile, testCase.text(sandbox));

    const text = await idcSync(["validate", "--rules", sandbox.rulesFile]);
    expectNoLeakAndNoStack(text, sandbox);
    expect(text.exitCode, text.stderr.slice(0, 2000)).toBe(testCase.expected);
    const errors = expectShapedErrorLines(text.stderr, sandbox.rulesFile);
    if (testCase.expected === 64) {
      expect(errors.length).toBeGreaterThan(0);
      for (const message of testCase.says ?? [])
        expect(
          errors.some((line) => message.test(line)),
          `${message}`,
        ).toBe(true);
    } else {
      expect(errors).toEqual([]);
      expect(text.stdout).toBe(`${sandbox.rulesFile}: valid\n`);
    }

    if (testCase.generated) return;
    const json = await idcSync(["validate", "--json", "--rules", sandbox.rulesFile]);
    expectNoLeakAndNoStack(json, sandbox);
    expect(json.exitCode).toBe(testCase.expected);
    const report = JSON.parse(json.stdout) as { valid: boolean; issues?: Record<string, unknown>[] };
    expect(report.valid).toBe(testCase.expected === 0);
    for (const issue of report.issues ?? []) {
      expect(issue).toEqual({
        file: sandbox.rulesFile,
        line: expect.any(Number),
        column: expect.any(Number),
        message: expect.any(String),
      });
      expect(Math.min(issue.line as number, issue.column as number)).toBeGreaterThanOrEqual(1);
    }

    if (testCase.plan) {
      const plan = await idcSync([
        "plan",
        "--json",
        "--rules",
        sandbox.rulesFile,
        "--source",
        `file:${examples("directory.yaml")}`,
        "--target",
        `file:${join(sandbox.root, "identity-center.json")}`,
      ]);
      expectNoLeakAndNoStack(plan, sandbox);
      expect(plan.exitCode, plan.stderr.slice(0, 2000)).toBe(testCase.expected);
    }
  } finally {
    if (sandbox !== shared) await sandbox.remove();
  }
}

describe("the malformed-rules corpus", () => {
  it("has at least 200 cases, each with its own name", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    expect(new Set(corpus.map((testCase) => testCase.name)).size).toBe(corpus.length);
  });

  for (const testCase of corpus) {
    it(
      `${testCase.expected === 0 ? "accepts" : "refuses"} ${testCase.name}`,
      () => runCase(testCase),
      perCaseTimeoutMs,
    );
  }
});

describe("policy paths that could block the process, run in a child process with a deadline", () => {
  it("refuses a pipe, /proc/self/environ and links to it and to /dev/zero, printing no environment", async () => {
    const sandbox = await aSandbox();
    const canary = `CANARY-environment-${process.pid}`;
    try {
      const policies = join(sandbox.rulesFolder, "policies");
      await promisify(execFile)("mkfifo", [join(policies, "pipe.json")]);
      await symlink("/proc/self/environ", join(policies, "environ.json"));
      await symlink("/dev/zero", join(policies, "zero.json"));
      await writeFile(
        sandbox.rulesFile,
        [
          "version: 1",
          "google: { domains: [example.com] }",
          "permissionSets:",
          "  - { name: Pipe, inlinePolicy: policies/pipe.json }",
          "  - { name: Environ, inlinePolicy: /proc/self/environ }",
          "  - { name: EnvironLink, inlinePolicy: policies/environ.json }",
          "  - { name: Zero, inlinePolicy: policies/zero.json }",
          "",
        ].join("\n"),
      );

      // One process is enough: plan --json loads the rules the same way and runs on these paths above.
      for (const command of [["validate"]]) {
        const run = await inAChildProcess([...command, "--rules", sandbox.rulesFile], {
          IDC_SYNC_CANARY: canary,
        });
        expect(run.timedOut).toBe(false);
        expect(run.exitCode).toBe(64);
        const printed = `${run.stdout}${run.stderr}`;
        expect(printed).not.toContain(canary);
        expect(printed).not.toMatch(stackTrace);
        expect(printed).toContain("policies/pipe.json' is not a regular file but a named pipe");
        expect(printed).toContain("'/proc/self/environ' is an absolute path");
        expect(printed).toContain("policies/environ.json' leads outside the rules file's folder");
        expect(printed).toContain("policies/zero.json' leads outside the rules file's folder");
      }
    } finally {
      await sandbox.remove();
    }
  });
});

/** The real command in a child process, killed if it is still running after 60 s. */
async function inAChildProcess(
  args: string[],
  env: Record<string, string>,
): Promise<Outcome & { timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, "bin/idc-sync.mjs"), ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: "1", ...env },
        timeout: 60_000,
        killSignal: "SIGKILL",
      },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number; killed?: boolean }) | null;
        resolve({
          exitCode: typeof failure?.code === "number" ? failure.code : failure ? -1 : 0,
          stdout,
          stderr,
          timedOut: failure?.killed === true,
        });
      },
    );
  });
}
