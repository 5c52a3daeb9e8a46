/**
 * Finds the Identity Center instance when the rules do not name it: an organization has at most one
 * organization instance, so exactly one is expected; anything else needs the rules to say which.
 */
import { type InstanceMetadata, ListInstancesCommand, type SSOAdminClient } from "@aws-sdk/client-sso-admin";
import { ConfigurationError, IdentityCenterReadError, type SyncError } from "../../sync/errors.js";
import type { Sleep } from "../retry.js";
import { allPages } from "./all-pages.js";
import {
  AwsCaller,
  AwsService,
  awsErrorName,
  type CallListener,
  isAwsThrottling,
  isRetryableAwsError,
  type RetryPolicy,
} from "./aws-caller.js";
import { defaultAwsLimits } from "./limits.js";

export interface IdentityCenterInstance {
  instanceArn: string;
  identityStoreId: string;
}

export interface DiscoverInstanceOptions {
  onCall?: CallListener;
  /** Told about every answer that was AWS throttling a request. */
  onThrottled?: CallListener;
  sleep?: Sleep;
  now?: () => number;
  retry?: Partial<RetryPolicy>;
}

/**
 * The one Identity Center instance `ListInstances` reports. Throws ConfigurationError when there is
 * none (wrong account or region) or more than one (the rules must name `identityCenter.instanceArn`).
 */
export async function discoverInstance(
  ssoAdmin: SSOAdminClient,
  options: DiscoverInstanceOptions = {},
): Promise<IdentityCenterInstance> {
  const caller = new AwsCaller({
    limits: defaultAwsLimits,
    ...(options.onCall ? { onCall: options.onCall } : {}),
    ...(options.onThrottled ? { onThrottled: options.onThrottled } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.retry ? { retry: options.retry } : {}),
  });
  let instances: InstanceMetadata[];
  try {
    instances = await allPages<InstanceMetadata>(async (nextToken) => {
      const page = await caller.call(AwsService.ssoAdmin, "ListInstances", () =>
        ssoAdmin.send(new ListInstancesCommand({ MaxResults: 100, NextToken: nextToken })),
      );
      return { items: page.Instances, nextToken: page.NextToken };
    });
  } catch (error) {
    throw listInstancesError(error);
  }
  const usable = instances.filter((instance) => instance.InstanceArn && instance.IdentityStoreId);
  const [only] = usable;
  if (only === undefined) {
    throw new ConfigurationError(
      "no IAM Identity Center instance found in this account and region; check AWS_REGION (Identity Center lives in one region) or set identityCenter.instanceArn and identityStoreId in the rules",
    );
  }
  if (usable.length > 1) {
    const arns = usable.map((instance) => instance.InstanceArn).join(", ");
    throw new ConfigurationError(
      `${usable.length} IAM Identity Center instances found (${arns}); name one with identityCenter.instanceArn and identityStoreId in the rules`,
    );
  }
  return { instanceArn: only.InstanceArn!, identityStoreId: only.IdentityStoreId! };
}

/**
 * Why ListInstances failed, in words that point at the cause: throttling and outages are not a
 * credentials problem, and telling people to check their credentials then sends them the wrong way.
 */
function listInstancesError(error: unknown): SyncError {
  const what = `${awsErrorName(error) ?? "Error"}: ${(error as Error).message}`;
  if (isAwsThrottling(error)) {
    return new IdentityCenterReadError(
      `AWS kept throttling sso:ListInstances for the whole retry window (${what}); another client is using the ` +
        "SSO admin API's request rate. Try again later, raise IDC_SYNC_RETRY_WINDOW_SECONDS, or name " +
        "identityCenter.instanceArn and identityStoreId in the rules so no discovery is needed",
      { cause: error },
    );
  }
  if (isRetryableAwsError(error)) {
    return new IdentityCenterReadError(
      `sso:ListInstances kept failing for the whole retry window (${what}); AWS or the network is having trouble. Try again later`,
      { cause: error },
    );
  }
  return new ConfigurationError(
    `cannot list IAM Identity Center instances (sso:ListInstances): ${what}; check the credentials, the region and that the caller may call sso:ListInstances`,
    { cause: error },
  );
}
