import { describe, expect, it } from "vitest";
import { defaultAwsLimits } from "../../src/adapters/aws/limits.js";
import { rateScaleFrom, scaleAwsRates } from "../../src/adapters/rate-scale.js";
import { buildAccountDirectory, buildDirectorySource, buildTarget } from "../../src/app/live-ports.js";
import { someRules } from "../builders/rules.js";

const live = { kind: "live" } as const;
const rules = someRules({
  identityCenter: {
    instanceArn: "arn:aws:sso:::instance/ssoins-72230000a1b2c3d4",
    identityStoreId: "d-9067a1b2c3",
  },
});
const awsEnv = { AWS_REGION: "us-east-1", AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "x" };

describe("IDC_SYNC_RATE_SCALE, the benchmark's time factor", () => {
  it("is 1 when unset or blank, and the number when set", () => {
    expect(rateScaleFrom({})).toBe(1);
    expect(rateScaleFrom({ IDC_SYNC_RATE_SCALE: " " })).toBe(1);
    expect(rateScaleFrom({ IDC_SYNC_RATE_SCALE: "12.5" })).toBe(12.5);
  });

  it("refuses zero, negative and non-numeric values", () => {
    for (const value of ["0", "-2", "fast", "Infinity"]) {
      expect(() => rateScaleFrom({ IDC_SYNC_RATE_SCALE: value })).toThrow(/IDC_SYNC_RATE_SCALE/);
    }
  });

  it("multiplies the AWS rates but keeps AWS's concurrency caps", () => {
    const scaled = scaleAwsRates(defaultAwsLimits, 10);
    expect(scaled.identityStorePerSecond).toBe(200);
    expect(scaled.ssoAdminPerSecond).toBe(200);
    expect(scaled.organizationsPerSecond).toBe(50);
    expect(scaled.maxOutstandingAssignmentRequests).toBe(defaultAwsLimits.maxOutstandingAssignmentRequests);
    expect(scaled.maxConcurrentProvisionings).toBe(defaultAwsLimits.maxConcurrentProvisionings);
  });

  it("reaches the Identity Center the CLI builds: rates × F and status polls F times sooner", async () => {
    const scaled = await buildTarget(live, rules, { ...awsEnv, IDC_SYNC_RATE_SCALE: "10" });
    const plain = await buildTarget(live, rules, awsEnv);
    // Private fields, read on purpose: the knob has no other observable effect short of timing.
    expect(scaled["limits" as keyof typeof scaled]).toMatchObject({ ssoAdminPerSecond: 200 });
    expect(scaled["pollIntervalMs" as keyof typeof scaled]).toBe(100);
    expect(plain["limits" as keyof typeof plain]).toMatchObject({ ssoAdminPerSecond: 20 });
    expect(plain["pollIntervalMs" as keyof typeof plain]).toBe(1000);
  });

  it("reaches the Organizations account directory the CLI builds", async () => {
    const scaled = await buildAccountDirectory(live, { ...awsEnv, IDC_SYNC_RATE_SCALE: "4" });
    expect(scaled["limits" as keyof typeof scaled]).toMatchObject({ organizationsPerSecond: 20 });
  });

  it("reaches the Google directory source's request budget", async () => {
    const google = { IDC_SYNC_GOOGLE_ACCESS_TOKEN: "emulator-token" };
    const scaled = await buildDirectorySource(live, { ...google, IDC_SYNC_RATE_SCALE: "10" });
    const plain = await buildDirectorySource(live, google);
    expect(scaled["requestsPerSecond" as keyof typeof scaled]).toBe(300);
    expect(plain["requestsPerSecond" as keyof typeof plain]).toBe(30);
  });
});
