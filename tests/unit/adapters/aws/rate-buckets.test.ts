/**
 * The AWS token buckets a process shares (limits.ts `processRateBuckets`): AWS meters the account's
 * requests per second whoever sends them, so a run that follows another must not start with a full
 * bucket of its own.
 */
import { describe, expect, it } from "vitest";
import { AwsCaller, AwsService } from "../../../../src/adapters/aws/aws-caller.js";
import {
  type AwsRateBuckets,
  defaultAwsLimits,
  processRateBuckets,
  TokenBucket,
} from "../../../../src/adapters/aws/limits.js";

/** A clock that moves only when someone sleeps. */
function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
  };
}

const limits = { ...defaultAwsLimits, identityStorePerSecond: 2 };

describe("rate buckets", () => {
  it("are one set per process for the same rates", () => {
    expect(processRateBuckets(limits)).toBe(processRateBuckets({ ...limits }));
    expect(processRateBuckets(limits)).not.toBe(processRateBuckets({ ...limits, ssoAdminPerSecond: 7 }));
  });

  it("make a caller that follows another wait for what the first one spent", async () => {
    const time = fakeTime();
    const bucket = new TokenBucket(2, time.sleep, time.now);
    const shared: AwsRateBuckets = { identityStore: bucket, ssoAdmin: bucket, organizations: bucket };
    const callers = [1, 2].map(
      () => new AwsCaller({ limits, sleep: time.sleep, now: time.now, rateBuckets: shared }),
    );
    const send = async () => "ok";

    await callers[0]?.call(AwsService.identityStore, "ListGroups", send);
    await callers[0]?.call(AwsService.identityStore, "ListGroups", send);
    expect(time.sleeps).toEqual([]);
    // The second run's first request: the second's worth is spent, so it waits half a second.
    await callers[1]?.call(AwsService.identityStore, "GetUserId", send);
    expect(time.sleeps).toEqual([500]);
  });

  it("without sharing, each caller starts with a full bucket", async () => {
    const time = fakeTime();
    const callers = [1, 2].map(() => new AwsCaller({ limits, sleep: time.sleep, now: time.now }));
    const send = async () => "ok";
    for (const caller of callers) {
      await caller.call(AwsService.identityStore, "ListGroups", send);
      await caller.call(AwsService.identityStore, "ListGroups", send);
    }
    expect(time.sleeps).toEqual([]);
  });
});
