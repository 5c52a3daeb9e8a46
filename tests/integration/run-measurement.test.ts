/**
 * The counts behind the ApiCalls, Throttles and ReadTime metrics, taken from the live adapters the
 * function builds (real Google and AWS clients against the emulators): every request the emulators
 * received is counted once, per service, and every throttled answer they gave.
 */
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadDirectorySnapshot } from "../../src/adapters/file/directory-snapshot.js";
import { loadRules } from "../../src/adapters/file/rules-file.js";
import { loadStateFile } from "../../src/adapters/file/state-file.js";
import { buildLivePorts } from "../../src/app/live-ports.js";
import { RunMeasurement } from "../../src/handlers/run-measurement.js";
import { runSync } from "../../src/sync/run-sync.js";
import { type AwsEmulator, startAwsEmulator } from "../emulators/aws/emulator.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../emulators/google-directory/emulator.js";

const root = resolve(import.meta.dirname, "../..");
const sdkVariables = [
  "AWS_ENDPOINT_URL",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
] as const;

describe("what a run measures of its calls and reads", () => {
  let google: GoogleDirectoryEmulator;
  let aws: AwsEmulator;
  let env: Record<string, string>;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    const snapshot = await loadDirectorySnapshot(join(root, "examples/directory.yaml"));
    google = await startGoogleDirectoryEmulator({ snapshot });
    aws = await startAwsEmulator({
      organization: snapshot.organization,
      state: await loadStateFile(join(root, "examples/identity-center.json")),
    });
    env = {
      IDC_SYNC_GOOGLE_ROOT_URL: google.url,
      IDC_SYNC_GOOGLE_ACCESS_TOKEN: google.accessToken,
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "emulator-secret",
      // Throttled requests are retried after a short wait, well inside the window.
      IDC_SYNC_RETRY_WINDOW_SECONDS: "30",
    };
    // The SDK clients read their endpoint and credentials from the process environment.
    for (const name of sdkVariables) {
      saved[name] = process.env[name];
      process.env[name] = env[name];
    }
  });
  afterAll(async () => {
    for (const name of sdkVariables) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
    await google.close();
    await aws.close();
  });

  it("counts each request the emulators received, per service, throttled answers apart, and times the reads", async () => {
    const loaded = await loadRules(join(root, "examples/rules.yaml"));
    if (!loaded.ok) throw new Error("the example rules should load");
    aws.resetCounts();
    google.resetCounts();
    aws.faults.throttleNext(2, { service: "identitystore", operation: "ListUsers" });
    aws.faults.throttleNext(1, { service: "sso-admin" });
    google.faults.rateLimit({ path: "/users" });
    const measurement = new RunMeasurement();

    const ports = measurement.timed(
      await buildLivePorts(loaded.rules, env, undefined, measurement.calls.listeners),
    );
    const result = await runSync({
      rules: loaded.rules,
      ports,
      mode: "apply",
      clock: { now: () => new Date() },
    });

    expect(result.status).toBe("applied");
    const { calls, readMs } = measurement.measured();
    const received = (service: string) =>
      Object.entries(aws.counts().byOperation)
        .filter(([key]) => key.startsWith(`${service}:`))
        .reduce((sum, [, n]) => sum + n, 0);
    expect(calls.calls).toEqual({
      google: Object.values(google.requestCounts()).reduce((sum, n) => sum + n, 0),
      identitystore: received("identitystore"),
      "sso-admin": received("sso-admin"),
      organizations: received("organizations"),
    });
    expect(calls.calls.identitystore).toBeGreaterThan(50);
    expect(calls.throttled).toEqual({ google: 1, identitystore: 2, "sso-admin": 1, organizations: 0 });
    expect(aws.counts().throttled).toBe(3);
    expect(readMs).toBeGreaterThan(0);
  }, 120_000);
});
