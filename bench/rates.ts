/**
 * Rate limits the benchmark measures against, and the serial time model: a sync reads Google, then
 * Organizations, then Identity Center, then applies phase after phase, so its fastest possible time is
 * the sum over rate buckets of calls / rate.
 */
import type { CallCounts } from "./lower-bound.js";

export interface RateTable {
  google: number;
  organizations: number;
  /** All identitystore operations together. */
  identityStore: number;
  /** All sso-admin operations together. */
  ssoAdmin: number;
}

/**
 * The documented limits (DESIGN.md §5): Google 2,400 a minute, identitystore 20/s for all its APIs
 * together (the collective reading of the quotas page, see src/adapters/aws/limits.ts), sso-admin 20/s
 * together. AWS publishes no rate for Organizations; 5/s is the adapter's cautious assumption.
 */
export const documentedRates: RateTable = { google: 40, organizations: 5, identityStore: 20, ssoAdmin: 20 };

/** What the adapters actually allow themselves: Google's budget is 30/s, under the 40/s quota. */
export const adapterRates: RateTable = { google: 30, organizations: 5, identityStore: 20, ssoAdmin: 20 };

/** The rate bucket a "service:Operation" key draws from: one per service. */
export function bucketOf(key: string): string {
  return key.split(":")[0] ?? "";
}

export function rateOf(bucket: string, rates: RateTable): number {
  if (bucket === "google") return rates.google;
  if (bucket === "organizations") return rates.organizations;
  if (bucket === "sso-admin") return rates.ssoAdmin;
  if (bucket === "identitystore") return rates.identityStore;
  throw new RangeError(`no rate for bucket '${bucket}'`);
}

/** Seconds the calls take at `rates` when buckets run one after the other (each at its full rate). */
export function serialSeconds(calls: CallCounts, rates: RateTable): number {
  const byBucket = new Map<string, number>();
  for (const [key, count] of Object.entries(calls)) {
    const bucket = bucketOf(key);
    byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + count);
  }
  let seconds = 0;
  for (const [bucket, count] of byBucket) seconds += count / rateOf(bucket, rates);
  return seconds;
}

/** Calls made during apply (writes, status polls, id lookups) as opposed to reading state. */
export function isApplyCall(key: string): boolean {
  const operation = key.split(":")[1] ?? "";
  if (/^(Describe\w+Status|Get(User|Group|GroupMembership)Id)$/.test(operation)) return true;
  return !/^(List|Describe|Get|IsMember|users\.|groups\.|members\.|orgunits\.)/.test(operation);
}

/** Writes only: everything that is not a read (List*, Describe*, Get*, the Google reads). */
export function isWriteCall(key: string): boolean {
  const operation = key.split(":")[1] ?? "";
  return !/^(List|Describe|Get|IsMember|users\.|groups\.|members\.|orgunits\.)/.test(operation);
}
