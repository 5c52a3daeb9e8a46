/**
 * Benchmark and testing only: `IDC_SYNC_RATE_SCALE=F` multiplies every request rate the adapters keep to
 * (Google's budget, the AWS token buckets) and divides the asynchronous status poll interval by F, so
 * the benchmark can run a large organisation against emulators that throttle at the documented limits
 * × F and finish in minutes instead of hours. Never set it against the real APIs: AWS and Google would
 * throttle, and the retries would cost more than the scale saves.
 */
import type { AwsLimits } from "./aws/limits.js";

export const rateScaleVariable = "IDC_SYNC_RATE_SCALE";

/** The scale F from the environment: 1 when unset; a positive finite number otherwise, or a RangeError. */
export function rateScaleFrom(env: Record<string, string | undefined>): number {
  const raw = env[rateScaleVariable]?.trim();
  if (raw === undefined || raw === "") return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0) {
    throw new RangeError(`${rateScaleVariable} must be a positive number, got '${raw}'`);
  }
  return scale;
}

/** The rates of `limits` multiplied by `scale`; concurrency caps stay as AWS sets them. */
export function scaleAwsRates(limits: AwsLimits, scale: number): AwsLimits {
  return {
    ...limits,
    identityStorePerSecond: limits.identityStorePerSecond * scale,
    ssoAdminPerSecond: limits.ssoAdminPerSecond * scale,
    organizationsPerSecond: limits.organizationsPerSecond * scale,
  };
}
