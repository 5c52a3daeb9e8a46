/**
 * The disk side of loading the rules (the core in src/mapping parses text and reads nothing): the rules file itself and the policy files it names. A rules file
 * comes from a pull request, so what it names is untrusted: a policy path must stay inside the rules
 * file's folder once symbolic links are resolved, and only regular files under a size cap are read, so
 * `../service-account-key.json`, a link to `/etc/passwd`, `/dev/zero` or a FIFO never get read at all.
 * Problems are phrases about the path; none of them ever quotes what a file contains.
 */
import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readSync,
  realpathSync,
  type Stats,
  statSync,
} from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import type { PolicyFileRead } from "../../mapping/checks.js";
import { type LoadRulesResult, parseRules } from "../../mapping/index.js";

export const fileLimits = {
  /**
   * A policy file's size on disk. Identity Center stores an inline policy of at most 32,768 bytes, 10,240
   * of them not white space (IAM Identity Center quotas page; `checks.ts` holds a policy to the 10,240):
   * 64 KiB leaves room for any indentation and stops a huge or endless file before it is read into memory.
   */
  policyFileBytes: 64 * 1024,
  /** The rules file itself: thousands of static users and groups fit many times over. */
  rulesFileBytes: 4 * 1024 * 1024,
} as const;

/**
 * Reads a regular file of at most `maxBytes` as UTF-8 text, or says why not (never quoting it). With
 * `followLinks: false` a path that has become a symbolic link since it was resolved is refused.
 */
export function readRegularFile(
  path: string,
  maxBytes: number,
  options: { followLinks: boolean } = { followLinks: true },
): PolicyFileRead {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    return { problem: describeFsError(error) };
  }
  const unfit = unfitFile(stats, maxBytes);
  if (unfit !== undefined) return { problem: unfit };

  let descriptor: number;
  try {
    // O_NONBLOCK: should the path have become a FIFO since the stat, opening it must not wait for a writer.
    const noFollow = options.followLinks ? 0 : (constants.O_NOFOLLOW ?? 0);
    descriptor = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | noFollow);
  } catch (error) {
    return { problem: describeFsError(error) };
  }
  try {
    const opened = fstatSync(descriptor);
    const unfitNow = unfitFile(opened, maxBytes);
    if (unfitNow !== undefined) return { problem: unfitNow };
    // Read at most one byte past the cap whatever the size said: /proc files report a size of 0.
    const chunks: Buffer[] = [];
    let length = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(readChunkBytes, maxBytes + 1 - length));
      const read = readSync(descriptor, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      length += read;
      if (length > maxBytes) return { problem: `is larger than ${maxBytes} bytes, the most that is read` };
    }
    try {
      return { text: new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks, length)) };
    } catch {
      return { problem: "is not UTF-8 text" };
    }
  } catch (error) {
    return { problem: describeFsError(error) };
  } finally {
    closeSync(descriptor);
  }
}

/**
 * Reads policy files named in `rulesFile`. The reader takes a path relative to the rules file's folder
 * (as `parseRules` hands it over: normalised, neither absolute nor climbing out with `..`) and refuses
 * any that a symbolic link leads out of the folder.
 */
export function policyFileReader(rulesFile: string): (path: string) => PolicyFileRead {
  const folder = dirname(resolve(rulesFile));
  let realFolder: string | undefined;
  return (path) => {
    let real: string;
    try {
      realFolder ??= realpathSync(folder);
      real = realpathSync(join(realFolder, path));
    } catch (error) {
      return { problem: describeFsError(error) };
    }
    const inside = relative(realFolder, real);
    if (inside === ".." || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
      return { problem: "leads outside the rules file's folder through a symbolic link" };
    }
    return readRegularFile(real, fileLimits.policyFileBytes, { followLinks: false });
  };
}

const readChunkBytes = 64 * 1024;

function unfitFile(stats: Stats, maxBytes: number): string | undefined {
  if (!stats.isFile()) return `is not a regular file but ${kindOf(stats)}`;
  if (stats.size > maxBytes) return `is ${stats.size} bytes, more than the ${maxBytes} bytes allowed`;
  return undefined;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return "a folder";
  if (stats.isFIFO()) return "a named pipe";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  if (stats.isSocket()) return "a socket";
  return "something else";
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") return "does not exist";
  if (code === "EACCES" || code === "EPERM") return "cannot be read: permission denied";
  if (code === "ELOOP") return "is a loop of symbolic links";
  if (code === "EISDIR") return "is not a regular file but a folder";
  return `cannot be read (${code ?? (error as Error).name})`;
}

// ─── the disk wrapper ───────────────────────────────────────────────────────────────────────────────

/**
 * Reads a rules file from disk and parses it. Inline policy paths resolve against the rules file's
 * folder (relative to the working directory when the rules path is relative) and must stay inside it.
 * A missing or unreadable rules file is reported as an issue, like every other user mistake. `file` is
 * the name issues carry (the path as the user gave it), `path` where to read.
 */
export async function loadRules(path: string, options: { file?: string } = {}): Promise<LoadRulesResult> {
  const file = options.file ?? path;
  const read = readRegularFile(path, fileLimits.rulesFileBytes);
  if ("problem" in read) {
    return {
      ok: false,
      issues: [{ file, line: 1, column: 1, message: `cannot read the rules file: it ${read.problem}` }],
    };
  }
  return parseRules(read.text, { file, readPolicyFile: policyFileReader(path) });
}
