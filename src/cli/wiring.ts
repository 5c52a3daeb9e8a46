/**
 * Builds adapters from `--source` / `--target` values. `google` and `aws` are the live systems;
 * `file:PATH` is a snapshot on disk (offline plans, the demo, tests).
 */
import { resolve } from "node:path";
import type { ApiCallListeners } from "../adapters/api-calls.js";
import { FileDirectorySource } from "../adapters/file/file-directory-source.js";
import { FileIdentityCenter } from "../adapters/file/file-identity-center.js";
import { rateScaleFrom, scaleAwsRates } from "../adapters/rate-scale.js";
import { retryWindowFrom } from "../adapters/retry.js";
import { type Rules, rulesPartition } from "../mapping/index.js";
import type { AccountDirectory, DirectorySource, IdentityCenter, RevocationPolicies } from "../sync/ports.js";

export type EndpointSpec = { kind: "live" } | { kind: "file"; path: string };

/** Parses `google`, `aws` or `file:PATH`; returns an error message for anything else. */
export function parseEndpointSpec(
  value: string,
  liveName: "google" | "aws",
  cwd: string,
): EndpointSpec | { error: string } {
  if (value === liveName) return { kind: "live" };
  if (value.startsWith("file:") && value.length > "file:".length) {
    return { kind: "file", path: resolve(cwd, value.slice("file:".length)) };
  }
  return { error: `expected '${liveName}' or 'file:PATH', got '${value}'` };
}

/** The directory: the live Google directory, or a snapshot file. */
export async function buildDirectorySource(
  spec: EndpointSpec,
  env: Record<string, string | undefined>,
  calls?: ApiCallListeners,
): Promise<DirectorySource> {
  if (spec.kind === "file") return new FileDirectorySource(spec.path);
  const { createGoogleDirectorySource, googleDirectoryDefaults } = await import(
    "../adapters/google/index.js"
  );
  const scale = rateScaleFrom(env);
  const retryWindowMs = retryWindowFrom(env);
  // IDC_SYNC_RATE_SCALE is for the benchmark only (see rate-scale.ts); unset, the defaults apply.
  return createGoogleDirectorySource(env, {
    ...(scale === 1 ? {} : { requestsPerSecond: googleDirectoryDefaults.requestsPerSecond * scale }),
    ...(retryWindowMs === undefined ? {} : { retryWindowMs }),
    ...calls?.google,
  });
}

/** The AWS accounts: AWS Organizations, or the organization section of a snapshot file. */
export async function buildAccountDirectory(
  spec: EndpointSpec,
  env: Record<string, string | undefined> = {},
  calls?: ApiCallListeners,
): Promise<AccountDirectory> {
  if (spec.kind === "file") return new FileDirectorySource(spec.path);
  const { createAwsAccountDirectory, defaultAwsLimits } = await import("../adapters/aws/index.js");
  const scale = rateScaleFrom(env);
  return createAwsAccountDirectory({
    ...(scale === 1 ? {} : { limits: scaleAwsRates(defaultAwsLimits, scale) }),
    ...awsRetry(env),
    ...calls?.aws,
  });
}

/**
 * Identity Center: the live one, or a state file. `readEveryPrincipal` makes the live one read every
 * group's members and every principal's assignments (a state file always has everything).
 */
export async function buildTarget(
  spec: EndpointSpec,
  rules: Rules,
  env: Record<string, string | undefined> = {},
  options: { readEveryPrincipal?: boolean; calls?: ApiCallListeners } = {},
): Promise<IdentityCenter> {
  if (spec.kind === "file") return FileIdentityCenter.open(spec.path);
  const { createAwsIdentityCenter, defaultAwsLimits } = await import("../adapters/aws/index.js");
  const scale = rateScaleFrom(env);
  return createAwsIdentityCenter({
    instanceArn: rules.identityCenter?.instanceArn,
    identityStoreId: rules.identityCenter?.identityStoreId,
    managedPolicyPartition: rulesPartition(rules.identityCenter),
    ...awsRetry(env),
    ...(options.readEveryPrincipal ? { readEveryPrincipal: true } : {}),
    ...options.calls?.aws,
    // IDC_SYNC_RATE_SCALE is for the benchmark only: simulated time runs F times faster, polls included.
    ...(scale === 1
      ? {}
      : { limits: scaleAwsRates(defaultAwsLimits, scale), pollIntervalMs: defaultPollIntervalMs / scale }),
  });
}

/**
 * AWS Organizations' service control policies for `leavers.revokeSessions: scp`, beside a live target.
 * None otherwise: a `file:` target has no Organizations, so such a plan says its denies are not written.
 */
export async function buildRevocationPolicies(
  target: EndpointSpec,
  rules: Rules,
  env: Record<string, string | undefined> = {},
  calls?: ApiCallListeners,
): Promise<{ revocation?: RevocationPolicies }> {
  if (rules.leavers.revokeSessions !== "scp" || target.kind === "file") return {};
  const { createAwsRevocationPolicies, defaultAwsLimits } = await import("../adapters/aws/index.js");
  const scale = rateScaleFrom(env);
  return {
    revocation: createAwsRevocationPolicies({
      ...(scale === 1 ? {} : { limits: scaleAwsRates(defaultAwsLimits, scale) }),
      ...awsRetry(env),
      ...calls?.aws,
    }),
  };
}

/** `IDC_SYNC_RETRY_WINDOW_SECONDS`, when set, as the AWS adapters' retry option. */
function awsRetry(env: Record<string, string | undefined>): { retry?: { windowMs: number } } {
  const windowMs = retryWindowFrom(env);
  return windowMs === undefined ? {} : { retry: { windowMs } };
}

/** AwsIdentityCenter's first status poll interval, scaled with the rates under IDC_SYNC_RATE_SCALE. */
const defaultPollIntervalMs = 1000;
