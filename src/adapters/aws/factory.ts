/**
 * Builds the AWS adapters with default SDK clients. Region, credentials and endpoints come from the
 * SDK's own environment handling (AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, profiles),
 * so tests and the benchmark point them at an emulator without any code here knowing about it.
 */
import { IdentitystoreClient } from "@aws-sdk/client-identitystore";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SSOAdminClient } from "@aws-sdk/client-sso-admin";
import { ConfigurationError } from "../../sync/errors.js";
import { AwsAccountDirectory } from "./aws-account-directory.js";
import type { CallListener, RetryPolicy } from "./aws-caller.js";
import { AwsIdentityCenter } from "./aws-identity-center.js";
import { AwsRevocationPolicies } from "./aws-revocation-policies.js";
import { adapterClientConfig } from "./client-config.js";
import { discoverInstance } from "./discover-instance.js";
import { type AwsLimits, defaultAwsLimits, processRateBuckets } from "./limits.js";

export interface AwsIdentityCenterConfig {
  /** From the rules; both discovered with sso-admin ListInstances when either is missing. */
  instanceArn?: string;
  identityStoreId?: string;
  limits?: Partial<AwsLimits>;
  retry?: Partial<RetryPolicy>;
  onCall?: CallListener;
  /** Told about every answer that was AWS throttling a request. */
  onThrottled?: CallListener;
  /** First wait before polling an asynchronous request (AwsIdentityCenter's default when omitted). */
  pollIntervalMs?: number;
  /** Read every group's members and every principal's assignments (the access report). */
  readEveryPrincipal?: boolean;
  /**
   * The partition the rules expanded AWS managed policy names into (`arn:PARTITION:iam::aws:policy/NAME`).
   * A discovered instance in another partition is refused: every such name would be a policy it cannot
   * attach, so the run would fail change by change instead of once, before anything is applied.
   */
  managedPolicyPartition?: string;
}

/**
 * Clients retry nothing themselves (`maxAttempts: 1`): the adapters own retries, so the rate
 * limiter sees every attempt and the backoff is ours. Every request has a deadline covering its body.
 */
const clientConfig = () => adapterClientConfig();

/** The Identity Center adapter over default clients, discovering the instance when the config omits it. */
export async function createAwsIdentityCenter(
  config: AwsIdentityCenterConfig = {},
): Promise<AwsIdentityCenter> {
  const identityStore = new IdentitystoreClient(clientConfig());
  const ssoAdmin = new SSOAdminClient(clientConfig());
  const instance =
    config.instanceArn && config.identityStoreId
      ? { instanceArn: config.instanceArn, identityStoreId: config.identityStoreId }
      : await discoverInstance(ssoAdmin, {
          ...(config.onCall ? { onCall: config.onCall } : {}),
          ...(config.onThrottled ? { onThrottled: config.onThrottled } : {}),
          ...(config.retry ? { retry: config.retry } : {}),
        });
  const partition = instance.instanceArn.split(":")[1];
  if (config.managedPolicyPartition !== undefined && partition !== config.managedPolicyPartition) {
    identityStore.destroy();
    ssoAdmin.destroy();
    throw new ConfigurationError(
      `the Identity Center instance ${instance.instanceArn} is in the partition ${partition}, but the rules name no instance, so AWS managed policy names were read as arn:${config.managedPolicyPartition}:iam::aws:policy/...; set identityCenter.instanceArn and identityStoreId in the rules`,
    );
  }
  return new AwsIdentityCenter({
    identityStore,
    ssoAdmin,
    ...instance,
    ...(config.limits ? { limits: config.limits } : {}),
    rateBuckets: sharedBuckets(config.limits),
    ...(config.retry ? { retry: config.retry } : {}),
    ...(config.onCall ? { onCall: config.onCall } : {}),
    ...(config.onThrottled ? { onThrottled: config.onThrottled } : {}),
    ...(config.pollIntervalMs !== undefined ? { pollIntervalMs: config.pollIntervalMs } : {}),
    ...(config.readEveryPrincipal ? { readEveryPrincipal: true } : {}),
  });
}

export interface AwsAccountDirectoryConfig {
  limits?: Partial<AwsLimits>;
  retry?: Partial<RetryPolicy>;
  onCall?: CallListener;
  /** Told about every answer that was AWS throttling a request. */
  onThrottled?: CallListener;
}

/** The Organizations account directory over a default client. */
export function createAwsAccountDirectory(config: AwsAccountDirectoryConfig = {}): AwsAccountDirectory {
  return new AwsAccountDirectory({
    organizations: new OrganizationsClient(clientConfig()),
    rateBuckets: sharedBuckets(config.limits),
    ...config,
  });
}

/** The kill switch's service control policies over a default Organizations client. */
export function createAwsRevocationPolicies(config: AwsAccountDirectoryConfig = {}): AwsRevocationPolicies {
  return new AwsRevocationPolicies({
    organizations: new OrganizationsClient(clientConfig()),
    rateBuckets: sharedBuckets(config.limits),
    ...config,
  });
}

/** The process's buckets for these limits: runs in one container, and adapters in one run, share them. */
function sharedBuckets(limits: Partial<AwsLimits> | undefined) {
  return processRateBuckets({ ...defaultAwsLimits, ...limits });
}
