/**
 * The checks `idc-sync doctor` makes against the live systems, each one cheap read of an API a plan uses:
 * the Identity Center instance (ListInstances, DescribeInstance), its identity store (ListUsers, one
 * user), permission sets (ListPermissionSets, one), assignments by principal (whether the caller is the
 * management account), Organizations (DescribeOrganization, ListRoots), and Google (users.list, one
 * user). Nothing is written. Every failure becomes a ✗ with what to do; none is thrown.
 */
import { IdentitystoreClient, ListUsersCommand } from "@aws-sdk/client-identitystore";
import {
  DescribeOrganizationCommand,
  ListRootsCommand,
  OrganizationsClient,
} from "@aws-sdk/client-organizations";
import {
  DescribeInstanceCommand,
  type DescribeInstanceCommandOutput,
  type InstanceMetadata,
  ListAccountAssignmentsForPrincipalCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  SSOAdminClient,
} from "@aws-sdk/client-sso-admin";
import { admin, type admin_directory_v1 } from "@googleapis/admin";
import { AwsCaller, AwsService, awsErrorName, isRetryableAwsError } from "../adapters/aws/aws-caller.js";
import { adapterClientConfig } from "../adapters/aws/client-config.js";
import { defaultAwsLimits } from "../adapters/aws/limits.js";
import { googleClientSettings } from "../adapters/google/create-google-directory-source.js";
import { misconfigurationError } from "../adapters/google/google-directory-source.js";
import { classifyGoogleError, FailureKind } from "../adapters/google/google-errors.js";
import { fetchWithDeadline } from "../adapters/http-deadline.js";
import { retryWindowFrom } from "../adapters/retry.js";
import { type CheckResult, FailureCause, failed, noted, passed } from "./checklist.js";

type Env = Record<string, string | undefined>;

/** What the rules (and the flags) say to check against. */
export interface AwsExpectations {
  /** identityCenter.instanceArn and identityStoreId from the rules, when they name them. */
  instanceArn?: string;
  identityStoreId?: string;
  /** The rules file, for the fixes that say to change it. */
  rulesFile: string;
}

/** Identity Center and Organizations, through the SDK's own region and credentials (AWS_REGION, AWS_PROFILE...). */
export async function checkAws(expected: AwsExpectations, env: Env): Promise<CheckResult[]> {
  const ssoAdmin = new SSOAdminClient(adapterClientConfig());
  const identityStore = new IdentitystoreClient(adapterClientConfig());
  const organizations = new OrganizationsClient(adapterClientConfig());
  try {
    return await new AwsProbe(ssoAdmin, identityStore, organizations, expected, env).run();
  } finally {
    ssoAdmin.destroy();
    identityStore.destroy();
    organizations.destroy();
  }
}

class AwsProbe {
  private readonly caller: AwsCaller;
  private readonly results: CheckResult[] = [];
  /** Set by the first call that found no credentials: every other call would say the same. */
  private noCredentials = false;

  constructor(
    private readonly ssoAdmin: SSOAdminClient,
    private readonly identityStore: IdentitystoreClient,
    private readonly organizations: OrganizationsClient,
    private readonly expected: AwsExpectations,
    env: Env,
  ) {
    const windowMs = retryWindowFrom(env);
    this.caller = new AwsCaller({
      limits: defaultAwsLimits,
      ...(windowMs === undefined ? {} : { retry: { windowMs } }),
    });
  }

  async run(): Promise<CheckResult[]> {
    const region = await this.ssoAdmin.config.region().catch(() => undefined);
    if (!region) {
      this.results.push(
        failed(
          "AWS region",
          "none is set",
          "set AWS_REGION (or a profile's region) to the region IAM Identity Center is enabled in",
          FailureCause.configuration,
        ),
      );
      return this.results;
    }
    this.results.push(passed("AWS region", region));
    const instance = await this.instance(region);
    if (instance) {
      const userId = await this.listUsers(instance.identityStoreId);
      await this.listPermissionSets(instance.instanceArn);
      if (userId) await this.assignmentsByPrincipal(instance.instanceArn, userId);
    }
    if (!this.noCredentials) await this.organization();
    return this.results;
  }

  /** ListInstances, then DescribeInstance of the one the rules name (or the only one): ACTIVE, right store. */
  private async instance(
    region: string,
  ): Promise<{ instanceArn: string; identityStoreId: string } | undefined> {
    const listed = await this.read("sso:ListInstances", AwsService.ssoAdmin, () =>
      this.ssoAdmin.send(new ListInstancesCommand({ MaxResults: 100 })),
    );
    if (listed === undefined) return undefined;
    const instances = (listed.Instances ?? []).filter(
      (entry): entry is InstanceMetadata & { InstanceArn: string } => Boolean(entry.InstanceArn),
    );
    const named = this.expected.instanceArn;
    const chosen = named ? instances.find((entry) => entry.InstanceArn === named) : instances[0];
    if (instances.length === 0) {
      this.results.push(
        failed(
          "Identity Center instance",
          `none in ${region} for these credentials`,
          "IAM Identity Center lives in one region: set AWS_REGION to it, and use credentials of the management account or of its delegated administrator",
          FailureCause.configuration,
        ),
      );
      return undefined;
    }
    if (chosen === undefined) {
      this.results.push(
        failed(
          "Identity Center instance",
          `${this.expected.rulesFile} names ${named}, but ${region} has ${instances.map((entry) => entry.InstanceArn).join(", ")}`,
          `set identityCenter.instanceArn in ${this.expected.rulesFile} to the instance above, or AWS_REGION to the region of ${named}`,
          FailureCause.configuration,
        ),
      );
      return undefined;
    }
    if (!named && instances.length > 1) {
      this.results.push(
        failed(
          "Identity Center instance",
          `${instances.length} instances in ${region} and the rules name none`,
          `name one with identityCenter.instanceArn and identityStoreId in ${this.expected.rulesFile}`,
          FailureCause.configuration,
        ),
      );
      return undefined;
    }
    const described = await this.read("sso:DescribeInstance", AwsService.ssoAdmin, () =>
      this.ssoAdmin.send(new DescribeInstanceCommand({ InstanceArn: chosen.InstanceArn })),
    );
    if (described === undefined) return undefined;
    if (!this.instanceIsActive(described)) return undefined;
    const storeId = described.IdentityStoreId ?? chosen.IdentityStoreId ?? "";
    this.results.push(
      passed(
        "Identity Center instance",
        `${chosen.InstanceArn} is ACTIVE${described.OwnerAccountId ? ` (owned by account ${described.OwnerAccountId})` : ""}${named ? "" : ", discovered: the rules name none"}`,
      ),
    );
    const expectedStore = this.expected.identityStoreId;
    if (expectedStore !== undefined && expectedStore !== storeId) {
      this.results.push(
        failed(
          "Identity store",
          `${this.expected.rulesFile} names ${expectedStore}, but the instance's identity store is ${storeId}`,
          `set identityCenter.identityStoreId: ${storeId} in ${this.expected.rulesFile}`,
          FailureCause.configuration,
        ),
      );
      return undefined;
    }
    this.results.push(passed("Identity store", `${storeId}, the instance's own`));
    return { instanceArn: chosen.InstanceArn, identityStoreId: storeId };
  }

  /**
   * API_DescribeInstance: CREATE_IN_PROGRESS ("you can call only DescribeInstance and DeleteInstance"),
   * DELETE_IN_PROGRESS ("The instance is being deleted"), ACTIVE.
   */
  private instanceIsActive(described: DescribeInstanceCommandOutput): boolean {
    const arn = described.InstanceArn ?? this.expected.instanceArn ?? "the instance";
    if (described.Status === "ACTIVE") return true;
    if (described.Status === "CREATE_IN_PROGRESS") {
      this.results.push(
        failed(
          "Identity Center instance",
          `${arn} is still being created (CREATE_IN_PROGRESS); until it is ACTIVE nothing else can be called`,
          "wait a few minutes and run idc-sync doctor again",
          FailureCause.unavailable,
        ),
      );
    } else {
      this.results.push(
        failed(
          "Identity Center instance",
          `${arn} is ${described.Status ?? "in no known status"}, not ACTIVE`,
          "an instance being deleted cannot be synced: enable IAM Identity Center again and name the new instance in the rules",
          FailureCause.configuration,
        ),
      );
    }
    return false;
  }

  private async listUsers(identityStoreId: string): Promise<string | undefined> {
    const page = await this.read("identitystore:ListUsers", AwsService.identityStore, () =>
      this.identityStore.send(new ListUsersCommand({ IdentityStoreId: identityStoreId, MaxResults: 1 })),
    );
    if (page === undefined) return undefined;
    this.results.push(passed("identitystore:ListUsers", "the identity store's users can be read"));
    return page.Users?.[0]?.UserId;
  }

  private async listPermissionSets(instanceArn: string): Promise<void> {
    const page = await this.read("sso:ListPermissionSets", AwsService.ssoAdmin, () =>
      this.ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, MaxResults: 1 })),
    );
    if (page !== undefined)
      this.results.push(passed("sso:ListPermissionSets", "the permission sets can be read"));
  }

  /**
   * API_ListAccountAssignmentsForPrincipal "must be called from the management account": a delegated
   * administrator is refused, and idc-sync reads assignments per permission set and account instead.
   */
  private async assignmentsByPrincipal(instanceArn: string, userId: string): Promise<void> {
    const name = "sso:ListAccountAssignmentsForPrincipal";
    try {
      await this.caller.call(AwsService.ssoAdmin, "ListAccountAssignmentsForPrincipal", () =>
        this.ssoAdmin.send(
          new ListAccountAssignmentsForPrincipalCommand({
            InstanceArn: instanceArn,
            PrincipalId: userId,
            PrincipalType: "USER",
            MaxResults: 1,
          }),
        ),
      );
      this.results.push(
        passed(name, "called from the management account: assignments are read per principal"),
      );
    } catch (error) {
      if (
        awsErrorName(error) === "AccessDeniedException" &&
        /management account/i.test(String((error as Error).message))
      ) {
        this.results.push(
          noted(
            name,
            "refused: these credentials are of a delegated administrator, not the management account",
            "fine for plan and apply (assignments are read per permission set and account instead, with more calls); access in the management account itself cannot be assigned from here: keep it out of the rules, or run in the management account",
          ),
        );
        return;
      }
      this.results.push(this.failure(name, error));
    }
  }

  private async organization(): Promise<void> {
    const described = await this.read("organizations:DescribeOrganization", AwsService.organizations, () =>
      this.organizations.send(new DescribeOrganizationCommand({})),
    );
    if (described !== undefined)
      this.results.push(
        passed(
          "organizations:DescribeOrganization",
          `${described.Organization?.Id ?? "the organization"}, management account ${described.Organization?.MasterAccountId ?? "unknown"}`,
        ),
      );
    const roots = await this.read("organizations:ListRoots", AwsService.organizations, () =>
      this.organizations.send(new ListRootsCommand({ MaxResults: 1 })),
    );
    if (roots !== undefined)
      this.results.push(passed("organizations:ListRoots", "the organization's accounts and OUs can be read"));
  }

  /** One read under the retry policy; a failure is recorded as a ✗ and answers undefined. */
  private async read<T>(name: string, service: AwsService, send: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.caller.call(service, name.split(":")[1] ?? name, send);
    } catch (error) {
      this.results.push(this.failure(name, error));
      return undefined;
    }
  }

  private failure(name: string, error: unknown): CheckResult {
    const errorName = awsErrorName(error) ?? "Error";
    const said = `${errorName}: ${(error as Error).message}`;
    if (isRetryableAwsError(error))
      return failed(
        name,
        `kept failing for the whole retry window (${said})`,
        "AWS or the network is having trouble, or another client uses the API's rate: try again later",
        FailureCause.unavailable,
      );
    if (errorName === "CredentialsProviderError" || /credential/i.test(said)) {
      this.noCredentials = true;
      return failed(
        name,
        `no usable AWS credentials (${said})`,
        "sign in (aws sso login, AWS_PROFILE) or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
        FailureCause.configuration,
      );
    }
    if (errorName === "AWSOrganizationsNotInUseException")
      return failed(
        name,
        "this account is not in an organization",
        "run with credentials of the organization's management account or of Identity Center's delegated administrator",
        FailureCause.configuration,
      );
    if (/AccessDenied|Unauthorized|Forbidden/i.test(errorName))
      return failed(
        name,
        `refused (${said})`,
        `allow ${name} to these credentials (README, "IAM permissions"; the deployed function's role has it)`,
        FailureCause.configuration,
      );
    return failed(name, said, "see the message; IDC_SYNC_DEBUG=1 shows more", FailureCause.configuration);
  }
}

/** Google: one users.list of one user, as the admin the credentials act as. */
export async function checkGoogle(customerId: string, env: Env): Promise<CheckResult> {
  const name = "Google users.list";
  let client: admin_directory_v1.Admin;
  try {
    const settings = googleClientSettings(env);
    client = admin({
      version: "directory_v1",
      auth: settings.auth,
      ...(settings.rootUrl ? { rootUrl: settings.rootUrl } : {}),
    });
  } catch (error) {
    return failed(name, "no usable Google credentials", (error as Error).message, FailureCause.configuration);
  }
  try {
    await client.users.list(
      { customer: customerId, maxResults: 1 },
      { retry: false, fetchImplementation: fetchWithDeadline(60_000) },
    );
    return passed(name, `the directory of customer ${customerId} can be read`);
  } catch (error) {
    const failure = classifyGoogleError(error);
    if (failure.kind === FailureKind.retryable)
      return failed(
        name,
        `Google did not answer (${failure.summary})`,
        "Google or the network is having trouble, or the quota is used up: try again later",
        FailureCause.unavailable,
      );
    if (failure.kind === FailureKind.misconfiguration)
      return failed(
        name,
        failure.summary,
        misconfigurationError(failure).message,
        FailureCause.configuration,
      );
    return failed(
      name,
      failure.summary,
      `check google.customerId in the rules ('${customerId}'; my_customer means the admin's own)`,
      FailureCause.configuration,
    );
  }
}
