/**
 * Atomic writes for the files idc-sync keeps (the `file:` Identity Center, the run state): the text goes
 * to a temporary file beside the target, which is then renamed over it, so a reader sees the old file or
 * the new one and never half of either. A writer killed between the two (SIGKILL, a timeout, a full disk)
 * leaves its temporary file behind. The name says whose it is, `ic.json.<host>.<pid>.<nonce>.tmp`, so the
 * next writer removes the leftovers of writers that are gone and never one that is still writing.
 */
import { randomBytes } from "node:crypto";
import { lstat, readdir, rename, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";

export const temporaryFileLimits = {
  /**
   * A temporary file older than this is a leftover whoever wrote it: a write takes milliseconds. Younger
   * ones are removed only when their writer ran on this host and its process is gone.
   */
  staleAfterMs: 10 * 60_000,
} as const;

/** Writes `text` to `path` through a temporary file and a rename; the temporary file never outlives a failure. */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = temporaryPathFor(path);
  try {
    // "wx": never write through something already at the temporary name, such as a planted link.
    await writeFile(temporary, text, { encoding: "utf8", flag: "wx" });
    await rename(temporary, path);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}

/** The temporary file a writer with process id `pid` on this host uses for `path`. */
export function temporaryPathFor(path: string, pid: number = process.pid): string {
  return `${path}.${thisHost()}.${pid}.${randomBytes(4).toString("hex")}.tmp`;
}

export interface SweepOptions {
  now?: () => number;
  /** Whether a process of this host is running; by default `kill(pid, 0)`. */
  isRunning?: (pid: number) => boolean;
}

/**
 * Removes the temporary files of `path` whose writer is gone: one from this host whose process no longer
 * runs, or any older than `temporaryFileLimits.staleAfterMs` (also the uuid-named ones of earlier
 * versions). Anything else in the folder is left alone. Never throws: a sweep that fails is retried by
 * the next writer. Resolves to the names it removed.
 */
export async function sweepTemporaryFiles(path: string, options: SweepOptions = {}): Promise<string[]> {
  const now = options.now ?? Date.now;
  const isRunning = options.isRunning ?? processIsRunning;
  const folder = dirname(path);
  const prefix = `${basename(path)}.`;
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const entry of entries) {
    if (!entry.startsWith(prefix) || !entry.endsWith(".tmp")) continue;
    const writer = writerOf(entry.slice(prefix.length, -".tmp".length));
    if (writer === undefined) continue;
    try {
      const stats = await lstat(join(folder, entry));
      if (!stats.isFile()) continue;
      const old = now() - stats.mtimeMs > temporaryFileLimits.staleAfterMs;
      const gone = writer.host === thisHost() && writer.pid !== undefined && !isRunning(writer.pid);
      if (!old && !gone) continue;
      await unlink(join(folder, entry));
      removed.push(entry);
    } catch {
      // Removed by someone else meanwhile, or not ours to remove: either way, leave it.
    }
  }
  return removed;
}

/** `<host>.<pid>.<nonce>` of this version, or the bare uuid of earlier ones (no host, no pid). */
function writerOf(middle: string): { host?: string; pid?: number } | undefined {
  const current = /^([A-Za-z0-9-]+)\.(\d+)\.[0-9a-f]{8}$/.exec(middle);
  if (current) return { host: current[1], pid: Number(current[2]) };
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(middle)) return {};
  return undefined;
}

/** The host name as it goes into a file name: letters, digits and hyphens. */
function thisHost(): string {
  return hostname().replace(/[^A-Za-z0-9-]/g, "-") || "host";
}

function processIsRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
