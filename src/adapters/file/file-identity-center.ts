import type { Change, IdentityCenterState, Scope } from "../../sync/model.js";
import type { IdentityCenter } from "../../sync/ports.js";
import type { DescribedPrincipal, IdentityCenterPeopleRequest } from "../../sync/targeted/reads.js";
import { sweepTemporaryFiles } from "./atomic-write.js";
import { loadStateFile, saveStateFile } from "./state-file.js";
import { StrictInMemoryIdentityCenter } from "./strict-in-memory-identity-center.js";

/**
 * `--target file:PATH`: Identity Center as a JSON state file. The in-memory Identity Center does the
 * work; this wrapper loads the file once and writes it back as changes are applied (atomically),
 * so an apply killed halfway leaves a file that says exactly what was done, and a re-run converges.
 */
export class FileIdentityCenter implements IdentityCenter {
  private flushing: Promise<void> | undefined;
  private dirty = false;

  private constructor(
    private readonly path: string,
    private readonly inner: StrictInMemoryIdentityCenter,
  ) {}

  /**
   * Opens the state file; a missing file is an empty Identity Center, a corrupt one a StateFileError.
   * Temporary files that a killed run left beside it are removed first.
   */
  static async open(path: string): Promise<FileIdentityCenter> {
    await sweepTemporaryFiles(path);
    return new FileIdentityCenter(path, new StrictInMemoryIdentityCenter(await loadStateFile(path)));
  }

  readState(scope: Scope): Promise<IdentityCenterState> {
    return this.inner.readState(scope);
  }

  readPeople(request: IdentityCenterPeopleRequest, scope: Scope): Promise<IdentityCenterState> {
    return this.inner.readPeople(request, scope);
  }

  describePrincipal(
    principal: { userId: string } | { groupId: string },
  ): Promise<DescribedPrincipal | undefined> {
    return this.inner.describePrincipal(principal);
  }

  async applyChange(change: Change): Promise<void> {
    await this.inner.applyChange(change);
    await this.persist();
  }

  snapshot(): IdentityCenterState {
    return this.inner.snapshot();
  }

  /**
   * Resolves once the file holds every change applied so far. Changes that finish while a write is under
   * way are folded into one more write, so concurrent applies cost a write per batch, not per change.
   */
  private persist(): Promise<void> {
    this.dirty = true;
    this.flushing ??= this.flush();
    return this.flushing;
  }

  private async flush(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        await saveStateFile(this.path, this.inner.snapshot());
      }
    } finally {
      this.flushing = undefined;
    }
  }
}
