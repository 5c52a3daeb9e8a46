/**
 * A local emulator for the three services the IAM inventory calls, on one node:http server:
 * - IAM and STS speak the AWS Query protocol: a form-encoded POST (`Action=...&Version=...`), XML
 *   responses wrapped in `<ActionResponse><ActionResult>`, and `<ErrorResponse>` errors.
 * - CloudTrail speaks AWS JSON 1.1: `X-Amz-Target: CloudTrail_20131101.LookupEvents` (what SDK v3
 *   sends; the long `com.amazonaws.cloudtrail.v20131101.` form in AWS's API examples is accepted too).
 * Which account a request is for comes from the SigV4 `Credential=` of the Authorization header:
 * AssumeRole hands out access key ids that spell the account (`ASIA` + 12 digits + 4 letters); any
 * other key is the caller's own, in `homeAccountId`. The region and the service come from the same
 * credential scope. CloudTrail is limited to `cloudTrailPerSecond` per account and region, like AWS.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface SeedAccessKey {
  id: string;
  status?: "Active" | "Inactive";
  createdAt: string;
  lastUsed?: { at: string; service: string; region: string };
}

export interface SeedUser {
  userName: string;
  createdAt: string;
  /** A console password; `lastUsed` absent means it was never used. */
  password?: { lastUsed?: string };
  mfaDevices?: string[];
  accessKeys?: SeedAccessKey[];
  groups?: string[];
  attachedPolicyArns?: string[];
  inlinePolicies?: Record<string, unknown>;
  tags?: Record<string, string>;
}

export interface SeedGroup {
  name: string;
  attachedPolicyArns?: string[];
  inlinePolicies?: Record<string, unknown>;
}

export interface SeedEvent {
  accessKeyId: string;
  at: string;
  region: string;
  eventSource: string;
  eventName: string;
  sourceIp: string;
  userAgent: string;
}

export interface SeedAccount {
  id: string;
  users: SeedUser[];
  groups?: SeedGroup[];
  events?: SeedEvent[];
  /** AssumeRole into this account answers AccessDenied (the role is missing or does not trust us). */
  denyAssumeRole?: boolean;
}

export interface IamEmulatorOptions {
  accounts: SeedAccount[];
  /** The account of any credentials AssumeRole did not issue (the caller's own). */
  homeAccountId: string;
  /** The role AssumeRole accepts in every account. Default `idc-sync-audit`. */
  roleName?: string;
  /** GenerateCredentialReport calls answered STARTED/INPROGRESS before COMPLETE. Default 1. */
  reportPollsBeforeComplete?: number;
  /**
   * Wall clock (milliseconds) for the credential report's age and `GeneratedTime`; injectable so a test
   * can let hours pass. Default `Date.now`.
   */
  wallClock?: () => number;
  /** LookupEvents per second per account and region; 0 switches throttling off. Default 2 (AWS). */
  cloudTrailPerSecond?: number;
  /** Milliseconds clock for the CloudTrail limiter; injectable so tests share a fake clock. */
  now?: () => number;
  port?: number;
  host?: string;
}

export interface IamEmulator {
  url: string;
  close(): Promise<void>;
  /** Requests per "service:Action", e.g. "iam:ListUsers", "cloudtrail:LookupEvents". */
  count(key: string): number;
  /** LookupEvents answered with ThrottlingException, by the rate limit or a fault. */
  throttled(): number;
  /** Answers the next `count` LookupEvents with ThrottlingException. */
  throttleNextLookups(count: number): void;
  /** Every request: which account, region and action, in arrival order. */
  requests(): { account: string; region: string; service: string; action: string }[];
  /**
   * Changes a user as an administrator would (an MFA device removed, a console password added): the
   * live reads see it at once, a credential report generated before does not.
   */
  updateUser(accountId: string, userName: string, patch: Partial<Omit<SeedUser, "userName">>): void;
}

/**
 * How long IAM serves a credential report it already has. IAM User Guide, "Getting credential reports
 * for your AWS account" (id_credentials_getting-report.html): "You can generate a credential report as
 * often as once every four hours. When you request a report, IAM first checks whether a report for the
 * AWS account has been generated within the past four hours. If so, the most recent report is
 * downloaded. If the most recent report for the account is older than four hours, or if there are no
 * previous reports for the account, IAM generates and downloads a new report."
 */
export const credentialReportReuseMs = 4 * 3_600_000;

class QueryError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const iamNamespace = "https://iam.amazonaws.com/doc/2010-05-08/";
const stsNamespace = "https://sts.amazonaws.com/doc/2011-06-15/";
const reportColumns = [
  "user",
  "arn",
  "user_creation_time",
  "password_enabled",
  "password_last_used",
  "password_last_changed",
  "password_next_rotation",
  "mfa_active",
  "access_key_1_active",
  "access_key_1_last_rotated",
  "access_key_1_last_used_date",
  "access_key_1_last_used_region",
  "access_key_1_last_used_service",
  "access_key_2_active",
  "access_key_2_last_rotated",
  "access_key_2_last_used_date",
  "access_key_2_last_used_region",
  "access_key_2_last_used_service",
  "cert_1_active",
  "cert_1_last_rotated",
  "cert_2_active",
  "cert_2_last_rotated",
] as const;

export async function startIamEmulator(options: IamEmulatorOptions): Promise<IamEmulator> {
  const accounts = new Map(options.accounts.map((account) => [account.id, account]));
  const roleName = options.roleName ?? "idc-sync-audit";
  const pollsBeforeComplete = options.reportPollsBeforeComplete ?? 1;
  const wallClock = options.wallClock ?? Date.now;
  /** The last report generated per account: what the users looked like then, not now. */
  const reports = new Map<string, { generatedAt: number; csv: string }>();
  const rate = options.cloudTrailPerSecond ?? 2;
  const now = options.now ?? (() => performance.now());
  const reportPolls = new Map<string, number>();
  const buckets = new Map<string, { tokens: number; last: number }>();
  const counts = new Map<string, number>();
  const log: { account: string; region: string; service: string; action: string }[] = [];
  let throttled = 0;
  let forcedThrottles = 0;

  const accountOf = (accessKeyId: string): SeedAccount => {
    const assumed = /^ASIA(\d{12})[A-Z]{4}$/.exec(accessKeyId)?.[1];
    const account = accounts.get(assumed ?? options.homeAccountId);
    if (!account)
      throw new QueryError(
        "InvalidClientTokenId",
        "The security token included in the request is invalid.",
        403,
      );
    return account;
  };

  // ─── IAM ──────────────────────────────────────────────────────────────────────────────────────────
  const userOf = (account: SeedAccount, name: string | null): SeedUser => {
    const user = account.users.find((candidate) => candidate.userName === name);
    if (!user) throw new QueryError("NoSuchEntity", `The user with name ${name} cannot be found.`, 404);
    return user;
  };
  const groupOf = (account: SeedAccount, name: string | null): SeedGroup => {
    const group = account.groups?.find((candidate) => candidate.name === name);
    if (!group) throw new QueryError("NoSuchEntity", `The group with name ${name} cannot be found.`, 404);
    return group;
  };
  const userArn = (account: SeedAccount, user: SeedUser) =>
    `arn:aws:iam::${account.id}:user/${user.userName}`;
  const policyName = (arn: string) => arn.slice(arn.lastIndexOf("/") + 1);

  const iam: Record<string, (account: SeedAccount, params: URLSearchParams) => string> = {
    // A report under four hours old is served as it is (credentialReportReuseMs): COMPLETE at once, with
    // its old content and GeneratedTime. Otherwise a new one is generated, taking `pollsBeforeComplete`
    // calls, and its content is the users as they are when it completes.
    GenerateCredentialReport(account) {
      const last = reports.get(account.id);
      if (last && wallClock() - last.generatedAt < credentialReportReuseMs && !reportPolls.has(account.id))
        return tag("State", "COMPLETE") + tag("Description", "Report generated within the last four hours");
      const polls = (reportPolls.get(account.id) ?? 0) + 1;
      reportPolls.set(account.id, polls);
      if (polls > pollsBeforeComplete) {
        reportPolls.delete(account.id);
        reports.set(account.id, { generatedAt: wallClock(), csv: credentialReportCsv(account) });
        return tag("State", "COMPLETE") + tag("Description", "Report generation complete");
      }
      // The STARTED description is the one in the AWS CLI example of generate-credential-report.
      return polls === 1
        ? tag("State", "STARTED") +
            tag("Description", "No report exists. Starting a new report generation task")
        : tag("State", "INPROGRESS") + tag("Description", "Report generation in progress");
    },
    // API reference, GetCredentialReport errors: ReportInProgress (404) "still being generated",
    // ReportNotPresent (410) "does not exist", ReportExpired (410) "the most recent credential report has
    // expired" (taken as: older than the four hours IAM reuses a report for).
    GetCredentialReport(account) {
      if (reportPolls.has(account.id))
        throw new QueryError("ReportInProgress", "Report is in progress.", 404);
      const report = reports.get(account.id);
      if (!report)
        throw new QueryError(
          "ReportNotPresent",
          "Credential report does not exist. Use GenerateCredentialReport.",
          410,
        );
      if (wallClock() - report.generatedAt >= credentialReportReuseMs)
        throw new QueryError(
          "ReportExpired",
          "Credential report is expired. Use GenerateCredentialReport to generate a new report.",
          410,
        );
      return (
        tag("Content", Buffer.from(report.csv, "utf8").toString("base64")) +
        tag("ReportFormat", "text/csv") +
        tag("GeneratedTime", new Date(report.generatedAt).toISOString())
      );
    },
    ListUsers(account, params) {
      const { items, more } = page(account.users, params);
      return (
        list(
          "Users",
          items.map(
            (user) =>
              tag("Path", "/") +
              tag("UserName", user.userName) +
              tag(
                "UserId",
                `AIDA${account.id}${user.userName
                  .toUpperCase()
                  .replace(/[^A-Z]/g, "")
                  .slice(0, 6)}`,
              ) +
              tag("Arn", userArn(account, user)) +
              tag("CreateDate", user.createdAt) +
              (user.password?.lastUsed ? tag("PasswordLastUsed", user.password.lastUsed) : ""),
          ),
        ) + more
      );
    },
    ListAccessKeys(account, params) {
      const user = userOf(account, params.get("UserName"));
      const { items, more } = page(user.accessKeys ?? [], params);
      return (
        list(
          "AccessKeyMetadata",
          items.map(
            (key) =>
              tag("UserName", user.userName) +
              tag("AccessKeyId", key.id) +
              tag("Status", key.status ?? "Active") +
              tag("CreateDate", key.createdAt),
          ),
        ) + more
      );
    },
    GetAccessKeyLastUsed(account, params) {
      const id = params.get("AccessKeyId");
      for (const user of account.users) {
        const key = user.accessKeys?.find((candidate) => candidate.id === id);
        if (!key) continue;
        const used = key.lastUsed;
        return (
          tag("UserName", user.userName) +
          node(
            "AccessKeyLastUsed",
            (used ? tag("LastUsedDate", used.at) : "") +
              tag("ServiceName", used?.service ?? "N/A") +
              tag("Region", used?.region ?? "N/A"),
          )
        );
      }
      throw new QueryError("AccessDenied", `The access key ${id} does not belong to this account.`, 403);
    },
    ListGroupsForUser(account, params) {
      const user = userOf(account, params.get("UserName"));
      const { items, more } = page(user.groups ?? [], params);
      return (
        list(
          "Groups",
          items.map(
            (name) =>
              tag("Path", "/") +
              tag("GroupName", name) +
              tag("GroupId", `AGPA${name.toUpperCase()}`) +
              tag("Arn", `arn:aws:iam::${account.id}:group/${name}`) +
              tag("CreateDate", "2019-01-01T00:00:00Z"),
          ),
        ) + more
      );
    },
    ListAttachedUserPolicies(account, params) {
      const user = userOf(account, params.get("UserName"));
      return attachedPolicies(user.attachedPolicyArns ?? [], params);
    },
    ListUserPolicies(account, params) {
      const user = userOf(account, params.get("UserName"));
      return policyNames(Object.keys(user.inlinePolicies ?? {}), params);
    },
    GetUserPolicy(account, params) {
      const user = userOf(account, params.get("UserName"));
      const name = params.get("PolicyName") ?? "";
      const document = user.inlinePolicies?.[name];
      if (document === undefined)
        throw new QueryError("NoSuchEntity", `The user policy ${name} cannot be found.`, 404);
      return (
        tag("UserName", user.userName) + tag("PolicyName", name) + tag("PolicyDocument", policyText(document))
      );
    },
    ListMFADevices(account, params) {
      const user = userOf(account, params.get("UserName"));
      const { items, more } = page(user.mfaDevices ?? [], params);
      return (
        list(
          "MFADevices",
          items.map(
            (serial) =>
              tag("UserName", user.userName) +
              tag("SerialNumber", serial) +
              tag("EnableDate", user.createdAt),
          ),
        ) + more
      );
    },
    ListUserTags(account, params) {
      const user = userOf(account, params.get("UserName"));
      const { items, more } = page(Object.entries(user.tags ?? {}), params);
      return (
        list(
          "Tags",
          items.map(([key, value]) => tag("Key", key) + tag("Value", value)),
        ) + more
      );
    },
    ListAttachedGroupPolicies(account, params) {
      return attachedPolicies(groupOf(account, params.get("GroupName")).attachedPolicyArns ?? [], params);
    },
    ListGroupPolicies(account, params) {
      return policyNames(Object.keys(groupOf(account, params.get("GroupName")).inlinePolicies ?? {}), params);
    },
    GetGroupPolicy(account, params) {
      const group = groupOf(account, params.get("GroupName"));
      const name = params.get("PolicyName") ?? "";
      const document = group.inlinePolicies?.[name];
      if (document === undefined)
        throw new QueryError("NoSuchEntity", `The group policy ${name} cannot be found.`, 404);
      return (
        tag("GroupName", group.name) + tag("PolicyName", name) + tag("PolicyDocument", policyText(document))
      );
    },
  };

  function attachedPolicies(arns: string[], params: URLSearchParams): string {
    const { items, more } = page(arns, params);
    return (
      list(
        "AttachedPolicies",
        items.map((arn) => tag("PolicyName", policyName(arn)) + tag("PolicyArn", arn)),
      ) + more
    );
  }
  function policyNames(names: string[], params: URLSearchParams): string {
    const { items, more } = page(names, params);
    return `<PolicyNames>${items.map((name) => tag("member", name)).join("")}</PolicyNames>${more}`;
  }

  function credentialReportCsv(account: SeedAccount): string {
    const rows: string[][] = [
      [...reportColumns],
      [
        "<root_account>",
        `arn:aws:iam::${account.id}:root`,
        "2018-01-01T00:00:00+00:00",
        "not_supported",
        "2023-01-01T00:00:00+00:00",
        "not_supported",
        "not_supported",
        "true",
        ...Array(14)
          .fill("N/A")
          .map((value, index) => ([0, 5, 10, 12].includes(index) ? "false" : value)),
      ],
    ];
    for (const user of account.users) {
      const keys = user.accessKeys ?? [];
      const keyColumns = [0, 1].flatMap((index) => {
        const key = keys[index];
        if (!key) return ["false", "N/A", "N/A", "N/A", "N/A"];
        return [
          String((key.status ?? "Active") === "Active"),
          reportDate(key.createdAt),
          key.lastUsed ? reportDate(key.lastUsed.at) : "N/A",
          key.lastUsed?.region ?? "N/A",
          key.lastUsed?.service ?? "N/A",
        ];
      });
      rows.push([
        user.userName,
        userArn(account, user),
        reportDate(user.createdAt),
        String(user.password !== undefined),
        user.password
          ? user.password.lastUsed
            ? reportDate(user.password.lastUsed)
            : "no_information"
          : "N/A",
        user.password ? reportDate(user.createdAt) : "N/A",
        "N/A",
        String((user.mfaDevices ?? []).length > 0),
        ...keyColumns,
        "false",
        "N/A",
        "false",
        "N/A",
      ]);
    }
    return `${rows.map((row) => row.map(csvCell).join(",")).join("\n")}\n`;
  }

  // ─── STS ──────────────────────────────────────────────────────────────────────────────────────────
  const sts: Record<string, (account: SeedAccount, params: URLSearchParams, accessKeyId: string) => string> =
    {
      GetCallerIdentity(account, _params, accessKeyId) {
        const assumed = accessKeyId.startsWith("ASIA");
        return (
          tag(
            "Arn",
            assumed
              ? `arn:aws:sts::${account.id}:assumed-role/${roleName}/idc-sync-audit`
              : `arn:aws:iam::${account.id}:user/auditor`,
          ) +
          tag("UserId", assumed ? `AROA${account.id}:idc-sync-audit` : `AIDA${account.id}AUDITOR`) +
          tag("Account", account.id)
        );
      },
      AssumeRole(account, params) {
        const roleArn = params.get("RoleArn") ?? "";
        const session = params.get("RoleSessionName") ?? "";
        const match = /^arn:aws:iam::(\d{12}):role\/(.+)$/.exec(roleArn);
        const target = match ? accounts.get(match[1]!) : undefined;
        if (!match || !target || target.denyAssumeRole || match[2] !== roleName) {
          throw new QueryError(
            "AccessDenied",
            `User: arn:aws:iam::${account.id}:user/auditor is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
            403,
          );
        }
        const suffix = Array.from({ length: 4 }, () =>
          String.fromCharCode(65 + Math.floor(Math.random() * 26)),
        ).join("");
        return (
          node(
            "Credentials",
            tag("AccessKeyId", `ASIA${target.id}${suffix}`) +
              tag("SecretAccessKey", randomUUID()) +
              tag("SessionToken", Buffer.from(`${target.id}:${randomUUID()}`).toString("base64")) +
              tag("Expiration", new Date(Date.now() + 3_600_000).toISOString()),
          ) +
          node(
            "AssumedRoleUser",
            tag("AssumedRoleId", `AROA${target.id}:${session}`) +
              tag("Arn", `arn:aws:sts::${target.id}:assumed-role/${roleName}/${session}`),
          )
        );
      },
    };

  // ─── CloudTrail ───────────────────────────────────────────────────────────────────────────────────
  const overRate = (key: string): boolean => {
    if (forcedThrottles > 0) {
      forcedThrottles -= 1;
      return true;
    }
    if (!(rate > 0)) return false;
    const time = now();
    const bucket = buckets.get(key) ?? { tokens: Math.max(1, rate), last: time };
    bucket.tokens = Math.min(Math.max(1, rate), bucket.tokens + ((time - bucket.last) / 1000) * rate);
    bucket.last = time;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) return true;
    bucket.tokens -= 1;
    return false;
  };

  const lookupEvents = (account: SeedAccount, region: string, input: Record<string, unknown>): unknown => {
    if (overRate(`${account.id}:${region}`)) {
      throttled += 1;
      throw new JsonError("ThrottlingException", "Rate exceeded");
    }
    const attributes = (input.LookupAttributes ?? []) as { AttributeKey?: string; AttributeValue?: string }[];
    if (attributes.length > 1)
      throw new JsonError("InvalidLookupAttributesException", "You can only specify one lookup attribute.");
    const maxResults = input.MaxResults === undefined ? 50 : Number(input.MaxResults);
    if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50)
      throw new JsonError("InvalidMaxResultsException", "MaxResults must be between 1 and 50.");
    const start = input.StartTime === undefined ? 0 : Number(input.StartTime) * 1000;
    const end = input.EndTime === undefined ? Number.POSITIVE_INFINITY : Number(input.EndTime) * 1000;
    if (start > end) throw new JsonError("InvalidTimeRangeException", "StartTime must be before EndTime.");
    const wanted = attributes[0];
    if (wanted && wanted.AttributeKey !== "AccessKeyId")
      throw new JsonError("InvalidLookupAttributesException", `${wanted.AttributeKey} is not emulated.`);
    const matching = (account.events ?? [])
      .filter(
        (event) =>
          event.region === region &&
          (!wanted || event.accessKeyId === wanted.AttributeValue) &&
          Date.parse(event.at) >= start &&
          Date.parse(event.at) <= end,
      )
      .sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    const scope = `${account.id}:${region}:${wanted?.AttributeValue ?? ""}:${start}:${end}`;
    let offset = 0;
    if (input.NextToken !== undefined) {
      const decoded = decodeToken(String(input.NextToken));
      if (!decoded || decoded.scope !== scope)
        throw new JsonError("InvalidNextTokenException", "Invalid NextToken.");
      offset = decoded.offset;
    }
    const slice = matching.slice(offset, offset + maxResults);
    const next = offset + maxResults;
    return {
      Events: slice.map((event, index) => ({
        EventId: `${account.id}-${offset + index}-${event.accessKeyId}`,
        EventName: event.eventName,
        ReadOnly: String(/^(Get|List|Describe|Head)/.test(event.eventName)),
        AccessKeyId: event.accessKeyId,
        EventTime: Date.parse(event.at) / 1000,
        EventSource: event.eventSource,
        Username: account.users.find((user) => user.accessKeys?.some((key) => key.id === event.accessKeyId))
          ?.userName,
        Resources: [],
        CloudTrailEvent: JSON.stringify({
          eventVersion: "1.09",
          userIdentity: { type: "IAMUser", accessKeyId: event.accessKeyId, accountId: account.id },
          eventTime: event.at,
          eventSource: event.eventSource,
          eventName: event.eventName,
          awsRegion: event.region,
          sourceIPAddress: event.sourceIp,
          userAgent: event.userAgent,
          recipientAccountId: account.id,
        }),
      })),
      ...(next < matching.length
        ? { NextToken: Buffer.from(JSON.stringify({ scope, offset: next })).toString("base64") }
        : {}),
    };
  };

  // ─── The server ───────────────────────────────────────────────────────────────────────────────────
  const bump = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);

  const serve = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(
      String(request.headers.authorization ?? ""),
    );
    const target = String(request.headers["x-amz-target"] ?? "");
    if (target) {
      try {
        if (!credential)
          throw new JsonError("MissingAuthenticationTokenException", "Missing Authentication Token", 403);
        const [, accessKeyId = "", region = "", service = ""] = credential;
        const operation = target.replace(/^com\.amazonaws\.cloudtrail\.v20131101\./, "");
        if (operation !== "CloudTrail_20131101.LookupEvents")
          throw new JsonError("UnknownOperationException", `${target} is not emulated`);
        const account = accountOfJson(accessKeyId);
        bump("cloudtrail:LookupEvents");
        log.push({ account: account.id, region, service, action: "LookupEvents" });
        const output = lookupEvents(
          account,
          region,
          body ? (JSON.parse(body) as Record<string, unknown>) : {},
        );
        sendJson(response, 200, output);
      } catch (error) {
        const failure =
          error instanceof JsonError
            ? error
            : new JsonError("InternalFailure", (error as Error).message, 500);
        response.setHeader("x-amzn-ErrorType", failure.type);
        sendJson(response, failure.status, { __type: failure.type, message: failure.message });
      }
      return;
    }

    const params = new URLSearchParams(body);
    const action = params.get("Action") ?? "";
    const service = credential?.[3] ?? (action in sts ? "sts" : "iam");
    const namespace = service === "sts" ? stsNamespace : iamNamespace;
    try {
      if (request.method !== "POST" || !credential)
        throw new QueryError("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
      const [, accessKeyId = "", region = ""] = credential;
      const expectedVersion = service === "sts" ? "2011-06-15" : "2010-05-08";
      if (params.get("Version") !== expectedVersion)
        throw new QueryError("InvalidAction", `Version ${params.get("Version")} is not ${expectedVersion}`);
      const account = accountOf(accessKeyId);
      bump(`${service}:${action}`);
      log.push({ account: account.id, region, service, action });
      const handler = service === "sts" ? sts[action] : iam[action];
      if (!handler)
        throw new QueryError("InvalidAction", `The action ${action} is not valid for this endpoint.`);
      const result = handler(account, params, accessKeyId);
      sendXml(
        response,
        200,
        `<${action}Response xmlns="${namespace}"><${action}Result>${result}</${action}Result>${metadata()}</${action}Response>`,
      );
    } catch (error) {
      const failure =
        error instanceof QueryError ? error : new QueryError("ServiceFailure", (error as Error).message, 500);
      sendXml(
        response,
        failure.status,
        `<ErrorResponse xmlns="${namespace}"><Error><Type>${failure.status >= 500 ? "Receiver" : "Sender"}</Type>${tag("Code", failure.code)}${tag("Message", failure.message)}</Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
    }
  };

  const accountOfJson = (accessKeyId: string): SeedAccount => {
    try {
      return accountOf(accessKeyId);
    } catch {
      throw new JsonError(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        400,
      );
    }
  };

  const server = createServer((request, response) => {
    serve(request, response).catch((error: unknown) => {
      response.statusCode = 500;
      response.end(String(error));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
    count: (key) => counts.get(key) ?? 0,
    throttled: () => throttled,
    throttleNextLookups(count) {
      forcedThrottles += count;
    },
    requests: () => [...log],
    updateUser(accountId, userName, patch) {
      const account = accounts.get(accountId);
      const user = account?.users.find((candidate) => candidate.userName === userName);
      if (!user) throw new Error(`updateUser: no user ${userName} in ${accountId}`);
      Object.assign(user, patch);
    },
  };
}

class JsonError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** IAM pages: MaxItems (default 100) and an opaque Marker. */
function page<T>(items: T[], params: URLSearchParams): { items: T[]; more: string } {
  const size = Number(params.get("MaxItems") ?? 100);
  if (!Number.isInteger(size) || size < 1 || size > 1000)
    throw new QueryError("ValidationError", "MaxItems must be between 1 and 1000");
  const marker = params.get("Marker");
  const offset = marker ? Number(Buffer.from(marker, "base64").toString("utf8")) : 0;
  if (!Number.isInteger(offset) || offset < 0) throw new QueryError("ValidationError", "Invalid Marker");
  const next = offset + size;
  const truncated = next < items.length;
  return {
    items: items.slice(offset, next),
    more:
      tag("IsTruncated", String(truncated)) +
      (truncated ? tag("Marker", Buffer.from(String(next), "utf8").toString("base64")) : ""),
  };
}

function list(name: string, members: string[]): string {
  return `<${name}>${members.map((member) => `<member>${member}</member>`).join("")}</${name}>`;
}

/** An element holding text, escaped. */
function tag(name: string, value: string): string {
  return `<${name}>${escapeXml(value)}</${name}>`;
}

/** An element holding other elements. */
function node(name: string, innerXml: string): string {
  return `<${name}>${innerXml}</${name}>`;
}

function escapeXml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

function metadata(): string {
  return `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>`;
}

/** IAM returns policy documents URL-encoded. */
function policyText(document: unknown): string {
  return encodeURIComponent(typeof document === "string" ? document : JSON.stringify(document));
}

/** The report writes dates as `2024-01-02T03:04:05+00:00`. */
function reportDate(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, "+00:00");
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function decodeToken(token: string): { scope: string; offset: number } | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as {
      scope?: unknown;
      offset?: unknown;
    };
    return typeof decoded.scope === "string" && typeof decoded.offset === "number"
      ? { scope: decoded.scope, offset: decoded.offset }
      : undefined;
  } catch {
    return undefined;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function sendXml(response: ServerResponse, status: number, body: string): void {
  response.statusCode = status;
  response.setHeader("Content-Type", "text/xml");
  response.setHeader("x-amzn-RequestId", randomUUID());
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader("Content-Type", "application/x-amz-json-1.1");
  response.setHeader("x-amzn-RequestId", randomUUID());
  response.end(JSON.stringify(body));
}
