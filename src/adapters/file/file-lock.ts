/**
 * An exclusive lock on a file that a run reads and then writes back: the Identity Center state file of
 * `--target file:PATH` and the run state file. Two applies to one file would otherwise each write their
 * own picture over the other's (lost updates), and the run state saved by one would then describe a
 * target the other wrote: a false drift on the next run.
 *
 * `proper-lockfile` does the locking: an atomic `mkdir` of `PATH.lock` (atomic on local and network file
 * systems, unlike a pid file, which says nothing across machines sharing a folder), whose mtime the holder
 * refreshes while it runs. A lock whose mtime is older than `staleMs` was left by a run that died
 * (SIGKILL, a power cut) and is taken over, so a crash never needs a person to delete a file.
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { lock } from "proper-lockfile";
import { FailureKind, SyncError } from "../../sync/errors.js";
import { FileLockedError } from "../errors.js";

/** A lock older than this (not refreshed by a live holder) was left by a dead run. */
export const defaultStaleLockMs = 30_000;

export interface FileLock {
  /** Releases the lock; never throws (a lock that cannot be removed goes stale and is taken over). */
  release(): Promise<void>;
  /** Set when the lock was lost while held (its folder removed, or the event loop blocked past stale). */
  readonly compromised: Error | undefined;
}

/**
 * Takes the lock on `path` (which need not exist yet) or throws `FileLockedError` at once: a second run
 * stops cleanly rather than queue behind the first and apply a plan made before the first one's changes.
 */
export async function lockFile(path: string, what: string, staleMs = defaultStaleLockMs): Promise<FileLock> {
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    // The file's folder may not exist yet (a first run's `.idc-sync/`); the lock lives beside the file.
    await mkdir(dirname(path), { recursive: true });
    release = await lock(path, {
      realpath: false,
      stale: staleMs,
      retries: 0,
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ELOCKED") {
      throw new FileLockedError(
        `another idc-sync run is using ${what} ${path} (lock ${path}.lock); nothing was changed. Run again when ` +
          `it has finished; a lock left by a run that died is taken over after ${Math.round(staleMs / 1000)} s.`,
        path,
        { cause: error },
      );
    }
    throw new SyncError(`cannot lock ${what} ${path}: ${(error as Error).message}`, {
      cause: error,
      kind: FailureKind.unavailable,
    });
  }
  return {
    release: async () => {
      await release().catch(() => undefined);
    },
    get compromised() {
      return compromised;
    },
  };
}
