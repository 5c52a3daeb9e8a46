/**
 * Fault suite, AWS side: identitystore, sso-admin and Organizations answering reads with something
 * that is not an output object (an empty 200, a JSON string, null, an HTML page), peers that stall after
 * their headers, and throttling storms on a test clock. The real SDK v3 clients talk to the emulator.
 */
import { SSOAdminClient } from "@aws-sdk/client-sso-admin";
import { afterEach, describe, expect, it } from "vitest";
import { adapterClientConfig } from "../../src/adapters/aws/client-config.js";
import { discoverInstance } from "../../src/adapters/aws/discover-instance.js";
import { AccountDirectoryReadError } from "../../src/adapters/errors.js";
import { ConfigurationError, IdentityCenterReadError } from "../../src/sync/errors.js";
import { EmulatedService, type MalformedAnswer, malformedAnswers } from "../emulators/aws/emulator.js";
import {
  anIdentityCenter,
  anOrganization,
  aScope,
  aStoredPermissionSet,
  aUser,
  type Harness,
  startHarness,
} from "../integration/aws/harness.js";
import { testClock } from "./test-clock.js";

const alice = aUser("alice");
const bob = aUser("bob");
const seed = anIdentityCenter({
  users: [alice, bob],
  groups: [{ id: "g-developers", displayName: "developers", members: ["alice@example.com"] }],
  permissionSets: [aStoredPermissionSet("Developer", { provisionedAccountIds: ["222222222222"] })],
  assignments: [
    {
      principalType: "GROUP",
      principalName: "developers",
      permissionSetName: "Developer",
      accountId: "222222222222",
    },
  ],
});
const scope = aScope({ groupNames: ["developers"], permissionSetNames: ["Developer"] });
const answers = Object.keys(malformedAnswers) as MalformedAnswer[];

const identityCenterReads = [
  { service: EmulatedService.identityStore, operation: "ListUsers" },
  { service: EmulatedService.identityStore, operation: "ListGroups" },
  { service: EmulatedService.identityStore, operation: "ListGroupMemberships" },
  { service: EmulatedService.ssoAdmin, operation: "ListPermissionSets" },
  { service: EmulatedService.ssoAdmin, operation: "ListAccountsForProvisionedPermissionSet" },
  { service: EmulatedService.ssoAdmin, operation: "ListAccountAssignments" },
] as const;
const organizationsReads = ["ListRoots", "ListAccountsForParent", "ListOrganizationalUnitsForParent"];

describe("an AWS read answered with something that is not an output", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  for (const read of identityCenterReads) {
    for (const answer of answers) {
      it(`retries ${read.operation} answered 200 with ${answer}, and reads what a calm read does`, async () => {
        harness = await startHarness({ state: seed });
        const calm = await harness.identityCenter.readState(scope);
        harness.emulator.faults.malformNext(2, answer, read);

        const stormy = await harness.newIdentityCenter().readState(scope);

        expect(stormy).toEqual(calm);
      });
    }

    it(`fails the whole read when ${read.operation} stays malformed, naming it`, async () => {
      harness = await startHarness({ state: seed }, { retry: { maxAttempts: 3 } });
      harness.emulator.faults.malformNext(1_000, "empty", read);

      const reading = harness.identityCenter.readState(scope);

      await expect(reading).rejects.toBeInstanceOf(IdentityCenterReadError);
      await expect(reading).rejects.toThrow(
        new RegExp(`${read.operation}: AWS answered 200 with an empty body`),
      );
    });
  }

  for (const operation of organizationsReads) {
    it(`retries Organizations ${operation} answered with a JSON string, then fails if it persists`, async () => {
      harness = await startHarness({ organization: anOrganization() });
      const calm = await harness.accounts.listAccounts();
      const filter = { service: EmulatedService.organizations, operation };

      harness.emulator.faults.malformNext(2, "jsonString", filter);
      expect(await harness.accounts.listAccounts()).toEqual(calm);

      harness.emulator.faults.malformNext(10_000, "jsonString", filter);
      await expect(harness.accounts.listAccounts()).rejects.toBeInstanceOf(AccountDirectoryReadError);
      await expect(harness.accounts.listAccounts()).rejects.toThrow(/JSON that is a string, not an object/);
    }, 60_000);
  }
});

describe("an AWS peer that stalls after its headers", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  it("costs one deadline; the request is retried and the read completes", async () => {
    harness = await startHarness({ state: seed });
    const calm = await harness.identityCenter.readState(scope);
    harness.emulator.faults.stallNext(1, { operation: "ListUsers" });

    const started = performance.now();
    const read = await harness.newIdentityCenter().readState(scope);

    expect(read).toEqual(calm);
    // The harness's clients have a 2 s deadline; without one this read never ends.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1_900);
  });
});

describe("AWS throttling, budgeted by time", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  it("rides out a 30-second ThrottlingException storm on ListUsers", async () => {
    const clock = testClock();
    harness = await startHarness({ state: seed }, { sleep: clock.sleep, now: clock.now });
    harness.emulator.faults.throttleWhile(() => clock.now() < 30_000, { operation: "ListUsers" });

    const read = await harness.identityCenter.readState(scope);

    expect(read.users).toHaveLength(2);
    expect(clock.now()).toBeGreaterThanOrEqual(30_000);
    expect(harness.emulator.counts().throttled).toBeGreaterThan(5);
  });

  it("fails a storm longer than the window with AWS's own error, within the window", async () => {
    const clock = testClock();
    harness = await startHarness({ state: seed }, { sleep: clock.sleep, now: clock.now });
    harness.emulator.faults.throttleWhile(() => true, { operation: "ListGroups" });

    await expect(harness.identityCenter.readState(scope)).rejects.toThrow(
      /ThrottlingException|Rate exceeded/,
    );
    expect(clock.now()).toBeLessThanOrEqual(60_000);
    expect(clock.now()).toBeGreaterThan(30_000);
  });

  it("honours identitystore's RetryAfterSeconds", async () => {
    const clock = testClock();
    harness = await startHarness({ state: seed }, { sleep: clock.sleep, now: clock.now });
    // The first identitystore call takes the one token all of them share; every later one is throttled.
    harness.emulator.faults.setThrottle({ identityStore: 0.000_001 });

    await expect(harness.identityCenter.readState(scope)).rejects.toThrow(/Rate exceeded/);
    // The emulator's ThrottlingException carries RetryAfterSeconds: 1; no wait may be shorter.
    expect(Math.min(...clock.sleeps)).toBeGreaterThanOrEqual(1_000);
  });

  it("the window is configurable: a 5-second window gives up on a 30-second storm", async () => {
    const clock = testClock();
    harness = await startHarness(
      { state: seed },
      { sleep: clock.sleep, now: clock.now, retry: { windowMs: 5_000 } },
    );
    harness.emulator.faults.throttleWhile(() => clock.now() < 30_000, { operation: "ListUsers" });

    await expect(harness.identityCenter.readState(scope)).rejects.toBeInstanceOf(IdentityCenterReadError);
    expect(clock.now()).toBeLessThanOrEqual(5_000);
  });
});

describe("a throttled ListInstances", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  it("says AWS is throttling, not that the credentials are wrong", async () => {
    harness = await startHarness({ state: seed });
    const clock = testClock();
    harness.emulator.faults.throttleWhile(() => true, { operation: "ListInstances" });
    const ssoAdmin = new SSOAdminClient({
      endpoint: harness.emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator-secret" },
      ...adapterClientConfig({ deadlineMs: 2_000 }),
    });

    const discovering = discoverInstance(ssoAdmin, { sleep: clock.sleep, now: clock.now });

    await expect(discovering).rejects.toBeInstanceOf(IdentityCenterReadError);
    await expect(discovering).rejects.toThrow(/AWS kept throttling sso:ListInstances/);
    await expect(discovering).rejects.not.toThrow(/check the credentials/);
    ssoAdmin.destroy();
  });

  it("still points at the credentials when AWS refuses them", async () => {
    harness = await startHarness({ state: seed });
    harness.emulator.faults.failNext(
      1,
      { type: "AccessDeniedException", status: 400 },
      { operation: "ListInstances" },
    );
    const ssoAdmin = new SSOAdminClient({
      endpoint: harness.emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator-secret" },
      ...adapterClientConfig(),
    });

    await expect(discoverInstance(ssoAdmin)).rejects.toThrow(
      new ConfigurationError(
        "cannot list IAM Identity Center instances (sso:ListInstances): AccessDeniedException: injected AccessDeniedException; check the credentials, the region and that the caller may call sso:ListInstances",
      ),
    );
    ssoAdmin.destroy();
  });
});
