import type { AwsAccount, Directory, DirectoryRequest } from "../../sync/model.js";
import type { AccountDirectory, DirectorySource } from "../../sync/ports.js";
import { domainOf } from "../../sync/scope.js";
import {
  accountsFromSnapshot,
  type DirectorySnapshot,
  directoryFromSnapshot,
  loadDirectorySnapshot,
} from "./directory-snapshot.js";

/**
 * `--source file:PATH`: the directory and the organization from a snapshot file. It filters like the
 * Google source does (users outside the managed domains are dropped, only requested groups are kept), so
 * a plan from a snapshot equals a plan from the live directory it was taken from.
 */
export class FileDirectorySource implements DirectorySource, AccountDirectory {
  /** Read and parsed once: a run asks for the directory and then for the accounts of the same file. */
  private snapshot: Promise<DirectorySnapshot> | undefined;

  constructor(private readonly path: string) {}

  async readDirectory(request: DirectoryRequest): Promise<Directory> {
    const directory = directoryFromSnapshot(await this.load());
    const domains = new Set(request.domains.map((domain) => domain.toLowerCase()));
    const wantedGroups = new Set(request.groupEmails.map((address) => address.toLowerCase()));
    return {
      users: directory.users.filter((user) => domains.has(domainOf(user.primaryEmail))),
      groups: directory.groups.filter((group) => wantedGroups.has(group.email)),
      orgUnits: directory.orgUnits,
      completeness: directory.completeness,
    };
  }

  async listAccounts(): Promise<AwsAccount[]> {
    return accountsFromSnapshot(await this.load(), this.path);
  }

  private load(): Promise<DirectorySnapshot> {
    this.snapshot ??= loadDirectorySnapshot(this.path);
    return this.snapshot;
  }
}
