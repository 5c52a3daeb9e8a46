/**
 * The run state in a local JSON file (the CLI's default, `.idc-sync/state.json` next to the rules).
 * Writes go to a temporary file that is renamed over the old one, so a crash never leaves half a file
 * (and the temporary files of killed runs are swept away); `save` re-reads the revision first and refuses when another run saved since this one loaded.
 */
import { mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { StateConflictError, StateStoreError } from "../../sync/errors.js";
import type { StateStore, StoredRunState } from "../../sync/ports.js";
import type { RunRecord, RunState } from "../../sync/run-state.js";
import { sweepTemporaryFiles, writeFileAtomically } from "../file/atomic-write.js";
import { parseRunRecord, parseRunState } from "./run-state-codec.js";

/** How many runs the file keeps; older ones are dropped as new ones are recorded. */
export const fileHistoryLimit = 200;

interface StateFileContent {
  version: 1;
  revision: number;
  state?: RunState;
  runs: RunRecord[];
}

export class FileStateStore implements StateStore {
  /** Leftover temporary files of killed runs are removed before this store's first write. */
  private swept: Promise<unknown> | undefined;

  constructor(
    readonly path: string,
    private readonly historyLimit = fileHistoryLimit,
  ) {}

  async load(): Promise<StoredRunState> {
    const content = await this.read();
    if (content === undefined || content.state === undefined) {
      return { state: undefined, revision: content === undefined ? undefined : String(content.revision) };
    }
    return { state: content.state, revision: String(content.revision) };
  }

  async save(state: RunState, expectedRevision: string | undefined): Promise<string> {
    const content = await this.read();
    const current = content === undefined ? undefined : String(content.revision);
    if (current !== expectedRevision) {
      throw new StateConflictError(
        `${this.path} was saved by another run (revision ${current ?? "none"}, expected ${expectedRevision ?? "none"}); this run's state was not saved`,
        expectedRevision,
      );
    }
    const revision = (content?.revision ?? 0) + 1;
    await this.write({ version: 1, revision, state, runs: content?.runs ?? [] });
    return String(revision);
  }

  async recordRun(run: RunRecord): Promise<void> {
    const content = (await this.read()) ?? { version: 1, revision: 0, runs: [] };
    const runs = [...content.runs.filter((kept) => kept.runId !== run.runId), run].slice(-this.historyLimit);
    // Recording a run does not move the revision: it must not make a concurrent save of the state fail.
    await this.write({ ...content, runs });
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    const content = await this.read();
    return [...(content?.runs ?? [])].sort(newestFirst).slice(0, Math.max(0, limit));
  }

  private async read(): Promise<StateFileContent | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw new StateStoreError(`cannot read the run state ${this.path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new StateStoreError(`${this.path} is not JSON; move it aside to start afresh`, { cause: error });
    }
    const object = raw as Partial<StateFileContent> | null;
    if (
      object === null ||
      typeof object !== "object" ||
      object.version !== 1 ||
      typeof object.revision !== "number"
    ) {
      throw new StateStoreError(
        `${this.path} is not an idc-sync run state file; move it aside to start afresh`,
      );
    }
    return {
      version: 1,
      revision: object.revision,
      ...(object.state === undefined ? {} : { state: parseRunState(object.state, this.path) }),
      runs: Array.isArray(object.runs) ? object.runs.map((run) => parseRunRecord(run, this.path)) : [],
    };
  }

  private async write(content: StateFileContent): Promise<void> {
    try {
      await mkdir(dirname(this.path), { recursive: true });
      this.swept ??= sweepTemporaryFiles(this.path);
      await this.swept;
      await writeFileAtomically(this.path, `${JSON.stringify(content, null, 2)}\n`);
    } catch (error) {
      throw new StateStoreError(`cannot write the run state ${this.path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}

function newestFirst(a: RunRecord, b: RunRecord): number {
  return a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : 0;
}
