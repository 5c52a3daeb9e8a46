/**
 * Reads the IAM user inventory of many accounts: the current account with the caller's own
 * credentials, every other one through `sts:AssumeRole` into the audit role. Accounts are read in
 * parallel; an account whose role cannot be assumed (or whose IAM cannot be read) is reported as
 * unreachable and the others go on. It only reads; what the users are is decided in `src/audit`.
 */
import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { IAMClient } from "@aws-sdk/client-iam";
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  type GetCallerIdentityCommandOutput,
  type STSClient,
} from "@aws-sdk/client-sts";
import type { AccessKeyRecord, AccountInventory, AuditedAccount, KeyActivity } from "../../audit/model.js";
import type { ProgressListener } from "../../sync/ports.js";
import type { RetryPolicy } from "../aws/aws-caller.js";
import { sendAwsRequest } from "../aws/aws-caller.js";
import { mapConcurrently } from "../aws/limits.js";
import { IamInventoryReadError } from "../errors.js";
import { realSleep, type Sleep } from "../retry.js";
import { CloudTrailKeyLookup } from "./cloudtrail-key-lookup.js";
import { IamAccountReader } from "./iam-account-reader.js";

/** Temporary (or the caller's own, when undefined) credentials for one account. */
export interface AccountCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Makes the SDK clients of one account; `credentials` is undefined for the current account. */
export interface AccountClientFactory {
  iam(credentials: (() => Promise<AccountCredentials>) | undefined): IAMClient;
  cloudTrail(credentials: (() => Promise<AccountCredentials>) | undefined, region: string): CloudTrailClient;
}

export interface CloudTrailRequest {
  /** Days back from `now`, at most 90. */
  days: number;
  /** Regions searched for every key, besides the region IAM says the key was last used in. */
  regions: string[];
  now: Date;
}

export interface AwsIamInventoryOptions {
  sts: STSClient;
  clients: AccountClientFactory;
  /** The role assumed in every account but the current one. */
  roleName: string;
  accountConcurrency?: number;
  userConcurrency?: number;
  iamPerSecond?: number;
  cloudTrailPerSecond?: number;
  maxEventsPerKey?: number;
  reportPollIntervalMs?: number;
  reportMaxPolls?: number;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  /** For the CloudTrail rate limiter and credential refresh; injectable for tests. */
  monotonicNow?: () => number;
  wallClock?: () => number;
}

export const defaultInventoryLimits = {
  accountConcurrency: 4,
  userConcurrency: 4,
  iamPerSecond: 10,
  maxEventsPerKey: 2_000,
  reportPollIntervalMs: 2_000,
  reportMaxPolls: 30,
} as const;

const day = 86_400_000;
/** Re-assume this long before the temporary credentials expire. */
const refreshMarginMs = 5 * 60_000;

export class AwsIamInventory {
  private readonly sleep: Sleep;

  constructor(private readonly options: AwsIamInventoryOptions) {
    this.sleep = options.sleep ?? realSleep;
  }

  /** The account the caller's credentials belong to, and the partition (for role ARNs). */
  async currentAccount(): Promise<{ accountId: string; partition: string }> {
    let identity: GetCallerIdentityCommandOutput;
    try {
      identity = await sendAwsRequest("sts:GetCallerIdentity", undefined, { sleep: this.sleep }, () =>
        this.options.sts.send(new GetCallerIdentityCommand({})),
      );
    } catch (error) {
      throw new IamInventoryReadError(
        `cannot tell which AWS account the credentials belong to (sts:GetCallerIdentity): ${(error as Error).message}; check the network or AWS_ENDPOINT_URL, the region and the credentials`,
        { cause: error },
      );
    }
    return { accountId: identity.Account ?? "", partition: identity.Arn?.split(":")[1] ?? "aws" };
  }

  /** Reads every account; the result keeps the input order. */
  async readAccounts(
    accounts: readonly AuditedAccount[],
    cloudTrail: CloudTrailRequest | undefined,
    progress?: ProgressListener,
  ): Promise<AccountInventory[]> {
    const current = await this.currentAccount();
    return mapConcurrently(
      accounts,
      this.options.accountConcurrency ?? defaultInventoryLimits.accountConcurrency,
      async (account) => {
        const phase =
          account.name && account.name !== account.id ? `${account.name} ${account.id}` : account.id;
        let credentials: (() => Promise<AccountCredentials>) | undefined;
        if (account.id !== current.accountId) {
          try {
            credentials = await this.assumeRole(account.id, current.partition);
          } catch (error) {
            progress?.({ phase: `${phase} unreachable`, done: 0 });
            return {
              account,
              status: "unreachable",
              reason: `cannot assume ${this.roleArn(account.id, current.partition)}: ${describe(error)}`,
            };
          }
        }
        try {
          return await this.readAccount(account, credentials, cloudTrail, progress, phase);
        } catch (error) {
          return { account, status: "unreachable", reason: `cannot read IAM: ${describe(error)}` };
        }
      },
    );
  }

  private async readAccount(
    account: AuditedAccount,
    credentials: (() => Promise<AccountCredentials>) | undefined,
    cloudTrail: CloudTrailRequest | undefined,
    progress: ProgressListener | undefined,
    phase: string,
  ): Promise<AccountInventory> {
    const options = this.options;
    const iam = options.clients.iam(credentials);
    const reader = new IamAccountReader({
      iam,
      iamPerSecond: options.iamPerSecond ?? defaultInventoryLimits.iamPerSecond,
      concurrency: options.userConcurrency ?? defaultInventoryLimits.userConcurrency,
      reportPollIntervalMs: options.reportPollIntervalMs ?? defaultInventoryLimits.reportPollIntervalMs,
      reportMaxPolls: options.reportMaxPolls ?? defaultInventoryLimits.reportMaxPolls,
      sleep: this.sleep,
      ...(options.retry ? { retry: options.retry } : {}),
    });
    const users = await reader.readUsers(progress, phase);
    if (!cloudTrail) return { account, status: "read", users };

    const start = new Date(cloudTrail.now.getTime() - cloudTrail.days * day);
    const clients = new Map<string, CloudTrailClient>();
    const lookup = new CloudTrailKeyLookup({
      clientFor: (region) => {
        let client = clients.get(region);
        if (!client) {
          client = options.clients.cloudTrail(credentials, region);
          clients.set(region, client);
        }
        return client;
      },
      ...(options.cloudTrailPerSecond ? { perSecond: options.cloudTrailPerSecond } : {}),
      maxEventsPerKey: options.maxEventsPerKey ?? defaultInventoryLimits.maxEventsPerKey,
      sleep: this.sleep,
      ...(options.monotonicNow ? { now: options.monotonicNow } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
    });
    const keys = users.flatMap((user) => user.accessKeys.filter((key) => key.status === "Active"));
    const activity: Record<string, KeyActivity> = {};
    let done = 0;
    progress?.({ phase: `${phase} CloudTrail`, done, total: keys.length });
    // Keys of one account share the per-region limiter, so running them together costs no extra rate.
    await Promise.all(
      keys.map(async (key) => {
        // No regions when IAM's last use is before the window: CloudTrail cannot hold events of it then.
        const regions = regionsToSearch(key, start, cloudTrail.regions);
        activity[key.id] = await lookup.activity(key.id, regions, start, cloudTrail.now);
        done += 1;
        progress?.({ phase: `${phase} CloudTrail`, done, total: keys.length });
      }),
    );
    for (const client of clients.values()) client.destroy();
    return { account, status: "read", users, activity };
  }

  private roleArn(accountId: string, partition: string): string {
    return `arn:${partition}:iam::${accountId}:role/${this.options.roleName}`;
  }

  /** Assumes the role now (so a refusal shows at once) and again whenever the session nears its end. */
  private async assumeRole(accountId: string, partition: string): Promise<() => Promise<AccountCredentials>> {
    const assume = async (): Promise<AccountCredentials> => {
      const response = await sendAwsRequest("sts:AssumeRole", undefined, { sleep: this.sleep }, () =>
        this.options.sts.send(
          new AssumeRoleCommand({
            RoleArn: this.roleArn(accountId, partition),
            RoleSessionName: "idc-sync-audit",
          }),
        ),
      );
      const credentials = response.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey)
        throw new Error("AssumeRole returned no credentials");
      return {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        ...(credentials.SessionToken ? { sessionToken: credentials.SessionToken } : {}),
        ...(credentials.Expiration ? { expiration: credentials.Expiration } : {}),
      };
    };
    const clock = this.options.wallClock ?? Date.now;
    let current = await assume();
    let pending: Promise<AccountCredentials> | undefined;
    return async () => {
      if (current.expiration && current.expiration.getTime() - clock() < refreshMarginMs) {
        pending ??= assume().finally(() => {
          pending = undefined;
        });
        current = await pending;
      }
      return current;
    };
  }
}

/** The key's last-used region when that use falls in the window, plus the regions always searched. */
export function regionsToSearch(
  key: AccessKeyRecord,
  windowStart: Date,
  always: readonly string[],
): string[] {
  const regions = new Set<string>();
  if (key.lastUsed && key.lastUsed.at >= windowStart) {
    for (const region of always) regions.add(region);
    if (key.lastUsed.region) regions.add(key.lastUsed.region);
  }
  return [...regions].sort();
}

function describe(error: unknown): string {
  if (error instanceof Error)
    return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
