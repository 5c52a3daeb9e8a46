import { execFile } from "node:child_process";
import { copyFile, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { CliIo } from "../../src/cli/io.js";
import { runCli } from "../../src/cli/main.js";

export const repoRoot = resolve(import.meta.dirname, "../..");
export const examples = (file: string) => join(repoRoot, "examples", file);

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with a fake terminal: fast, and lets a test answer the confirmation prompt. */
export async function idcSync(
  args: string[],
  options: {
    interactive?: boolean;
    answer?: string;
    env?: Record<string, string>;
    /** Called with each piece of stdout as it is written (to see what the world was like then). */
    onStdout?: (text: string) => void;
  } = {},
): Promise<CliRun & { questions: string[] }> {
  let stdout = "";
  let stderr = "";
  const questions: string[] = [];
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
      options.onStdout?.(text);
    },
    stderr: (text) => {
      stderr += text;
    },
    isInteractive: options.interactive ?? false,
    ask: async (question) => {
      questions.push(question);
      return options.answer ?? "";
    },
    env: { NO_COLOR: "1", ...options.env },
    cwd: repoRoot,
  };
  const exitCode = await runCli(args, io);
  return { exitCode, stdout, stderr, questions };
}

const execFileAsync = promisify(execFile);

/** Runs the real `idc-sync` command (bin/idc-sync.mjs) in a child process. */
export async function idcSyncProcess(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  try {
    const { stdout, stderr } = await execFileAsync(
      process.execPath,
      [join(repoRoot, "bin/idc-sync.mjs"), ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: "1", ...env },
      },
    );
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== "number") throw error;
    return { exitCode: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

/** A fresh copy of the sample Identity Center (break-glass user and Control Tower group only). */
export async function aTemporaryIdentityCenter(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), "idc-sync-cli-"));
  const path = join(directory, "identity-center.json");
  await copyFile(examples("identity-center.json"), path);
  return path;
}
