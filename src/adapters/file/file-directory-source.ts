import type { AwsAccount, Directory, DirectoryRequest, Organization } from "../../sync/model.js";
import type { AccountDirectory, DirectorySource } from "../../sync/ports.js";
import { domainOf } from "../../sync/scope.js";
import { peopleFromDirectory } from "../../sync/targeted/people-from-directory.js";
import type { PeopleRead, PeopleRequest } from "../../sync/targeted/reads.js";
import {
  accountsFromSnapshot,
  type DirectorySnapshot,
  directoryFromSnapshot,
  loadDirectorySnapshot,
} from "./directory-snapshot.js";

/** What a snapshot file holds, so what it lacks is not blamed on the rules. */
export interface SnapshotContents {
  /** `all`: every Google group was read; `referenced`: only those the rules of the day named. */
  groups: "all" | "referenced";
  organization: boolean;
}

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
      groups: request.allGroups
        ? directory.groups
        : directory.groups.filter((group) => wantedGroups.has(group.email)),
      orgUnits: directory.orgUnits,
      completeness: directory.completeness,
      knownGroupEmails: directory.groups.map((group) => group.email),
    };
  }

  /** A targeted run's read, cut from the snapshot the way the Google source reads it. */
  async readPeople(request: PeopleRequest): Promise<PeopleRead> {
    return peopleFromDirectory(directoryFromSnapshot(await this.load()), request);
  }

  async listAccounts(): Promise<AwsAccount[]> {
    return accountsFromSnapshot(await this.load(), this.path);
  }

  /** The organization section; empty (no root, no accounts) when the snapshot has none. */
  async readOrganization(): Promise<Organization> {
    const snapshot = await this.load();
    return {
      rootId: snapshot.organization?.rootId ?? "",
      organizationalUnits: snapshot.organization?.organizationalUnits ?? [],
      accounts: accountsFromSnapshot(snapshot, this.path),
    };
  }

  /** What the file holds; a snapshot that does not say holds only the groups its rules named. */
  async contents(): Promise<SnapshotContents> {
    const snapshot = await this.load();
    return {
      groups: snapshot.contents?.groups ?? "referenced",
      organization: snapshot.organization !== undefined,
    };
  }

  private load(): Promise<DirectorySnapshot> {
    this.snapshot ??= loadDirectorySnapshot(this.path);
    return this.snapshot;
  }
}
