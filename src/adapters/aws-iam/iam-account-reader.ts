/**
 * Reads the IAM users of one account: the credential report (generated and polled until COMPLETE),
 * ListUsers, and per user its access keys with their last use, groups, attached and inline policies
 * (its own and its groups'), MFA devices and tags. Read-only: GenerateCredentialReport only asks IAM
 * to refresh the report, it changes nothing in the account.
 */
import {
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetCredentialReportCommand,
  GetGroupPolicyCommand,
  GetUserPolicyCommand,
  type IAMClient,
  ListAccessKeysCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedUserPoliciesCommand,
  ListGroupPoliciesCommand,
  ListGroupsForUserCommand,
  ListMFADevicesCommand,
  ListUserPoliciesCommand,
  ListUsersCommand,
  ListUserTagsCommand,
  type User,
} from "@aws-sdk/client-iam";
import { currentCredentials, parseCredentialReport } from "../../audit/credential-report.js";
import type {
  AccessKeyRecord,
  AttachedPolicyRecord,
  CredentialReportEntry,
  IamUserRecord,
  InlinePolicyRecord,
} from "../../audit/model.js";
import type { ProgressListener } from "../../sync/ports.js";
import { allMarkerPages } from "../aws/all-pages.js";
import { awsErrorName, type RetryContext, sendAwsRequest } from "../aws/aws-caller.js";
import { mapConcurrently, TokenBucket } from "../aws/limits.js";
import { CredentialReportError } from "../errors.js";

export interface IamAccountReaderOptions extends RetryContext {
  iam: IAMClient;
  /** IAM requests per second for this account (AWS publishes no number; IAM throttles bursts). */
  iamPerSecond: number;
  /** Users read at once. */
  concurrency: number;
  /** Wait between GenerateCredentialReport polls. */
  reportPollIntervalMs: number;
  /** Polls before giving up on the report. */
  reportMaxPolls: number;
}

const notReady = new Set(["CredentialReportNotReadyException", "ReportInProgress"]);

export class IamAccountReader {
  private readonly bucket: TokenBucket;
  private readonly groupPolicies = new Map<
    string,
    Promise<{ attached: AttachedPolicyRecord[]; inline: InlinePolicyRecord[] }>
  >();

  constructor(private readonly options: IamAccountReaderOptions) {
    this.bucket = new TokenBucket(options.iamPerSecond, options.sleep);
  }

  /** Every IAM user of the account with its credentials and permissions. */
  async readUsers(progress?: ProgressListener, phase = "users"): Promise<IamUserRecord[]> {
    const report = await this.credentialReport();
    const byName = new Map(report.entries.map((entry) => [entry.user, entry]));
    const users = await allMarkerPages<User>(async (Marker) => {
      const page = await this.send("ListUsers", () =>
        this.options.iam.send(new ListUsersCommand({ Marker })),
      );
      return { items: page.Users ?? [], marker: page.Marker, isTruncated: page.IsTruncated };
    });
    let done = 0;
    progress?.({ phase, done, total: users.length });
    const records = await mapConcurrently(users, this.options.concurrency, async (user) => {
      const record = await this.readUser(user, byName.get(user.UserName ?? ""), report.generatedAt);
      done += 1;
      progress?.({ phase, done, total: users.length });
      return record;
    });
    return records.sort((a, b) => (a.userName < b.userName ? -1 : a.userName > b.userName ? 1 : 0));
  }

  /**
   * Generates the report, polling until IAM says COMPLETE, then downloads and parses it. IAM may hand
   * out one it made up to four hours ago; `generatedAt` says when.
   */
  async credentialReport(): Promise<{ entries: CredentialReportEntry[]; generatedAt?: Date }> {
    for (let poll = 1; ; poll += 1) {
      const state = (
        await this.send("GenerateCredentialReport", () =>
          this.options.iam.send(new GenerateCredentialReportCommand({})),
        )
      ).State;
      if (state === "COMPLETE") {
        try {
          const report = await this.send("GetCredentialReport", () =>
            this.options.iam.send(new GetCredentialReportCommand({})),
          );
          const entries = parseCredentialReport(new TextDecoder().decode(report.Content ?? new Uint8Array()));
          return report.GeneratedTime ? { entries, generatedAt: report.GeneratedTime } : { entries };
        } catch (error) {
          // Generated but not downloadable yet: poll again like any other not-ready answer.
          if (!notReady.has(awsErrorName(error) ?? "")) throw error;
        }
      }
      if (poll >= this.options.reportMaxPolls)
        throw new CredentialReportError(
          `the IAM credential report was not ready after ${poll} polls (last state ${state ?? "unknown"})`,
        );
      await this.options.sleep(this.options.reportPollIntervalMs);
    }
  }

  private async readUser(
    user: User,
    entry: CredentialReportEntry | undefined,
    reportGeneratedAt: Date | undefined,
  ): Promise<IamUserRecord> {
    const { iam } = this.options;
    const UserName = user.UserName ?? "";
    const [keys, groups, attached, inlineNames, mfaDevices, tags] = await Promise.all([
      allMarkerPages(async (Marker) => {
        const page = await this.send("ListAccessKeys", () =>
          iam.send(new ListAccessKeysCommand({ UserName, Marker })),
        );
        return { items: page.AccessKeyMetadata ?? [], marker: page.Marker, isTruncated: page.IsTruncated };
      }),
      allMarkerPages(async (Marker) => {
        const page = await this.send("ListGroupsForUser", () =>
          iam.send(new ListGroupsForUserCommand({ UserName, Marker })),
        );
        return { items: page.Groups ?? [], marker: page.Marker, isTruncated: page.IsTruncated };
      }),
      allMarkerPages(async (Marker) => {
        const page = await this.send("ListAttachedUserPolicies", () =>
          iam.send(new ListAttachedUserPoliciesCommand({ UserName, Marker })),
        );
        return { items: page.AttachedPolicies ?? [], marker: page.Marker, isTruncated: page.IsTruncated };
      }),
      allMarkerPages(async (Marker) => {
        const page = await this.send("ListUserPolicies", () =>
          iam.send(new ListUserPoliciesCommand({ UserName, Marker })),
        );
        return { items: page.PolicyNames ?? [], marker: page.Marker, isTruncated: page.IsTruncated };
      }),
      allMarkerPages(async (Marker) => {
        const page = await this.send("ListMFADevices", () =>
          iam.send(new ListMFADevicesCommand({ UserName, Marker })),
        );
        return { items: page.MFADevices ?? [], marker: page.Marker, isTruncated: page.IsTruncated };
      }),
      allMarkerPages(async (Marker) => {
        const page = await this.send("ListUserTags", () =>
          iam.send(new ListUserTagsCommand({ UserName, Marker })),
        );
        return { items: page.Tags ?? [], marker: page.Marker, isTruncated: page.IsTruncated };
      }),
    ]);

    const accessKeys = await Promise.all(
      keys.map(async (key): Promise<AccessKeyRecord> => {
        const id = key.AccessKeyId ?? "";
        const used = (
          await this.send("GetAccessKeyLastUsed", () =>
            iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: id })),
          )
        ).AccessKeyLastUsed;
        return {
          id,
          status: key.Status === "Active" ? "Active" : "Inactive",
          ...(key.CreateDate ? { createdAt: key.CreateDate } : {}),
          ...(used?.LastUsedDate
            ? {
                lastUsed: {
                  at: used.LastUsedDate,
                  ...(known(used.ServiceName) ? { service: used.ServiceName } : {}),
                  ...(known(used.Region) ? { region: used.Region } : {}),
                },
              }
            : {}),
        };
      }),
    );
    const inlineOwn = await Promise.all(
      inlineNames.map(async (PolicyName): Promise<InlinePolicyRecord> => {
        const policy = await this.send("GetUserPolicy", () =>
          iam.send(new GetUserPolicyCommand({ UserName, PolicyName })),
        );
        return { name: PolicyName, via: { kind: "user" }, ...policyDocument(policy.PolicyDocument) };
      }),
    );
    const groupNames = groups.map((group) => group.GroupName ?? "").filter((name) => name !== "");
    const fromGroups = await Promise.all(groupNames.map((group) => this.policiesOfGroup(group)));

    // The report can be hours old; what ListUsers and ListMFADevices just said comes first.
    const mfaSerials = mfaDevices
      .map((device) => device.SerialNumber ?? "")
      .filter((serial) => serial !== "");
    const credentials = currentCredentials(entry, reportGeneratedAt, {
      passwordLastUsed: user.PasswordLastUsed,
      mfaDevices: mfaSerials,
    });
    return {
      userName: UserName,
      userId: user.UserId ?? "",
      arn: user.Arn ?? "",
      path: user.Path ?? "/",
      ...(user.CreateDate ? { createdAt: user.CreateDate } : {}),
      ...credentials,
      mfaDevices: mfaSerials,
      accessKeys,
      groups: groupNames.sort(),
      attachedPolicies: [
        ...attached.map(
          (policy): AttachedPolicyRecord => ({
            name: policy.PolicyName ?? "",
            arn: policy.PolicyArn ?? "",
            via: { kind: "user" },
          }),
        ),
        ...fromGroups.flatMap((group) => group.attached),
      ],
      inlinePolicies: [...inlineOwn, ...fromGroups.flatMap((group) => group.inline)],
      tags: Object.fromEntries(tags.map((tag) => [tag.Key ?? "", tag.Value ?? ""])),
    };
  }

  /** A group's policies, read once per account however many users share the group. */
  private policiesOfGroup(
    GroupName: string,
  ): Promise<{ attached: AttachedPolicyRecord[]; inline: InlinePolicyRecord[] }> {
    let cached = this.groupPolicies.get(GroupName);
    if (!cached) {
      cached = this.readGroupPolicies(GroupName);
      this.groupPolicies.set(GroupName, cached);
    }
    return cached;
  }

  private async readGroupPolicies(
    GroupName: string,
  ): Promise<{ attached: AttachedPolicyRecord[]; inline: InlinePolicyRecord[] }> {
    const { iam } = this.options;
    const via = { kind: "group", group: GroupName } as const;
    const [attached, names] = await Promise.all([
      allMarkerPages(async (Marker) => {
        const page = await this.send("ListAttachedGroupPolicies", () =>
          iam.send(new ListAttachedGroupPoliciesCommand({ GroupName, Marker })),
        );
        return { items: page.AttachedPolicies ?? [], marker: page.Marker, isTruncated: page.IsTruncated };
      }),
      allMarkerPages(async (Marker) => {
        const page = await this.send("ListGroupPolicies", () =>
          iam.send(new ListGroupPoliciesCommand({ GroupName, Marker })),
        );
        return { items: page.PolicyNames ?? [], marker: page.Marker, isTruncated: page.IsTruncated };
      }),
    ]);
    const inline = await Promise.all(
      names.map(async (PolicyName): Promise<InlinePolicyRecord> => {
        const policy = await this.send("GetGroupPolicy", () =>
          iam.send(new GetGroupPolicyCommand({ GroupName, PolicyName })),
        );
        return { name: PolicyName, via, ...policyDocument(policy.PolicyDocument) };
      }),
    );
    return {
      attached: attached.map((policy) => ({
        name: policy.PolicyName ?? "",
        arn: policy.PolicyArn ?? "",
        via,
      })),
      inline,
    };
  }

  private send<T>(operation: string, send: () => Promise<T>): Promise<T> {
    return sendAwsRequest(`iam:${operation}`, this.bucket, this.options, send);
  }
}

/** IAM answers "N/A" for the service and region of a key that was never used. */
function known(value: string | undefined): value is string {
  return value !== undefined && value !== "" && value !== "N/A";
}

/** IAM returns policy documents URL-encoded (RFC 3986). */
function policyDocument(encoded: string | undefined): { document?: string } {
  if (!encoded) return {};
  try {
    return { document: decodeURIComponent(encoded) };
  } catch {
    return { document: encoded };
  }
}
