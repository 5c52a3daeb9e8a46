/**
 * The `AccountDirectory` port over AWS Organizations: walks the OU tree from the root, so each
 * account comes with the chain of OUs above it (what `{ ou: ... }` account sets match), and reads
 * each account's tags (what `{ tag: ... }` sets match).
 */
import {
  type Account,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  ListTagsForResourceCommand,
  type OrganizationsClient,
  type Root,
} from "@aws-sdk/client-organizations";
import { SyncError } from "../../sync/errors.js";
import {
  type AccountStatus,
  AccountStatus as AccountStatuses,
  type AwsAccount,
  type Organization,
  type OrganizationalUnit,
} from "../../sync/model.js";
import type { AccountDirectory, ProgressListener } from "../../sync/ports.js";
import { AccountDirectoryReadError } from "../errors.js";
import type { Sleep } from "../retry.js";
import { allPages } from "./all-pages.js";
import { AwsCaller, AwsService, type CallListener, type RetryPolicy } from "./aws-caller.js";
import { type AwsLimits, type AwsRateBuckets, defaultAwsLimits, mapConcurrently } from "./limits.js";

export interface AwsAccountDirectoryOptions {
  organizations: OrganizationsClient;
  limits?: Partial<AwsLimits>;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  /** Milliseconds, for the retry window; injectable with `sleep`. */
  now?: () => number;
  onCall?: CallListener;
  /** Told about every answer that was AWS throttling a request. */
  onThrottled?: CallListener;
  /** Token buckets shared with the process's other adapters (`processRateBuckets`); default: its own. */
  rateBuckets?: AwsRateBuckets;
}

/** Organizations pages hold at most 20 entries. */
const organizationsPageSize = 20;

export class AwsAccountDirectory implements AccountDirectory {
  private readonly organizations: OrganizationsClient;
  private readonly caller: AwsCaller;
  private readonly limits: AwsLimits;

  constructor(options: AwsAccountDirectoryOptions) {
    this.organizations = options.organizations;
    this.limits = { ...defaultAwsLimits, ...options.limits };
    this.caller = new AwsCaller({
      limits: this.limits,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.onCall ? { onCall: options.onCall } : {}),
      ...(options.onThrottled ? { onThrottled: options.onThrottled } : {}),
      ...(options.rateBuckets ? { rateBuckets: options.rateBuckets } : {}),
    });
  }

  /** Every account under every root, inactive ones included with their status (the rules drop them). */
  async listAccounts(progress?: ProgressListener): Promise<AwsAccount[]> {
    return (await this.readOrganization(progress)).accounts;
  }

  /** The accounts and every OU on the way, empty ones included, from one walk of the tree. */
  async readOrganization(progress?: ProgressListener): Promise<Organization> {
    try {
      const roots = await this.pages<Root>("ListRoots", async (NextToken) => {
        const page = await this.organizations.send(new ListRootsCommand({ NextToken }));
        return [page.Roots ?? [], page.NextToken];
      });
      const found: { account: Account; parentId: string; ancestorIds: string[] }[] = [];
      const organizationalUnits: OrganizationalUnit[] = [];
      const visit = async (parentId: string, ancestorIds: string[]): Promise<void> => {
        const chain = [...ancestorIds, parentId];
        const accounts = await this.pages<Account>("ListAccountsForParent", async (NextToken) => {
          const page = await this.organizations.send(
            new ListAccountsForParentCommand({
              ParentId: parentId,
              MaxResults: organizationsPageSize,
              NextToken,
            }),
          );
          return [page.Accounts ?? [], page.NextToken];
        });
        for (const account of accounts) found.push({ account, parentId, ancestorIds: chain });
        progress?.({ phase: "accounts", done: found.length });
        const children = await this.pages("ListOrganizationalUnitsForParent", async (NextToken) => {
          const page = await this.organizations.send(
            new ListOrganizationalUnitsForParentCommand({
              ParentId: parentId,
              MaxResults: organizationsPageSize,
              NextToken,
            }),
          );
          return [page.OrganizationalUnits ?? [], page.NextToken];
        });
        for (const child of children) {
          if (!child.Id) continue;
          organizationalUnits.push({ id: child.Id, name: child.Name ?? child.Id, parentId });
          await visit(child.Id, chain);
        }
      };
      for (const root of roots) if (root.Id) await visit(root.Id, []);

      let tagged = 0;
      const accounts = await mapConcurrently(found, this.limits.readConcurrency, async (entry) => {
        const id = entry.account.Id ?? "";
        const tags = await this.pages("ListTagsForResource", async (NextToken) => {
          const page = await this.organizations.send(
            new ListTagsForResourceCommand({ ResourceId: id, NextToken }),
          );
          return [page.Tags ?? [], page.NextToken];
        });
        tagged += 1;
        progress?.({ phase: "accountTags", done: tagged, total: found.length });
        const account: AwsAccount = {
          id,
          name: entry.account.Name ?? id,
          status: statusOf(entry.account),
          parentId: entry.parentId,
          ancestorIds: entry.ancestorIds,
          tags: Object.fromEntries(
            tags.filter((tag) => tag.Key !== undefined).map((tag) => [tag.Key!, tag.Value ?? ""]),
          ),
        };
        return account;
      });
      return {
        rootId: roots[0]?.Id ?? "",
        organizationalUnits: organizationalUnits.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
        accounts: accounts.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
      };
    } catch (error) {
      if (error instanceof SyncError) throw error;
      throw new AccountDirectoryReadError(`cannot list AWS accounts: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  private async pages<T>(
    operation: string,
    fetch: (nextToken: string | undefined) => Promise<[T[], string | undefined]>,
  ): Promise<T[]> {
    return allPages(async (nextToken) => {
      const [items, next] = await this.caller.call(AwsService.organizations, operation, () =>
        fetch(nextToken),
      );
      return { items, nextToken: next };
    });
  }
}

/**
 * The account's state in the model's terms. `State` replaces the deprecated `Status`; states the
 * model has no word for (CLOSED, PENDING_ACTIVATION) are not usable, so they read as SUSPENDED.
 */
function statusOf(account: Account): AccountStatus {
  const state = account.State ?? account.Status;
  if (state === AccountStatuses.active) return AccountStatuses.active;
  if (state === AccountStatuses.pendingClosure) return AccountStatuses.pendingClosure;
  return AccountStatuses.suspended;
}
