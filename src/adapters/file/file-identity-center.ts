import type { Change, IdentityCenterState, Scope } from "../../sync/model.js";
import type { IdentityCenter } from "../../sync/ports.js";
import { InMemoryIdentityCenter } from "./in-memory-identity-center.js";
import { loadStateFile, saveStateFile } from "./state-file.js";

/**
 * `--target file:PATH`: Identity Center as a JSON state file. The in-memory Identity Center does the
 * work; this wrapper loads the file once and writes it back after every applied change (atomically),
 * so an apply killed halfway leaves a file that says exactly what was done, and a re-run converges.
 */
export class FileIdentityCenter implements IdentityCenter {
  private writes: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly inner: InMemoryIdentityCenter,
  ) {}

  /** Opens the state file; a missing file is an empty Identity Center, a corrupt one a StateFileError. */
  static async open(path: string): Promise<FileIdentityCenter> {
    return new FileIdentityCenter(path, new InMemoryIdentityCenter(await loadStateFile(path)));
  }

  readState(scope: Scope): Promise<IdentityCenterState> {
    return this.inner.readState(scope);
  }

  async applyChange(change: Change): Promise<void> {
    await this.inner.applyChange(change);
    // Writes are chained so concurrent changes never race on the file; each write carries every change
    // applied so far.
    this.writes = this.writes.then(() => saveStateFile(this.path, this.inner.snapshot()));
    await this.writes;
  }

  snapshot(): IdentityCenterState {
    return this.inner.snapshot();
  }
}
