import { afterEach, describe, expect, it } from "vitest";
import { realSleep } from "../../../src/adapters/retry.js";
import { ChangeFailedError, IdentityCenterReadError } from "../../../src/sync/errors.js";
import type { Assignment } from "../../../src/sync/model.js";
import {
  anIdentityCenter,
  aPermissionSet,
  aScope,
  aStoredPermissionSet,
  aUser,
  type Harness,
  startHarness,
  userAttributes,
} from "./harness.js";

const alice = aUser("alice");
const developer = aStoredPermissionSet("Developer", {
  managedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
});
const seed = anIdentityCenter({
  users: [alice],
  groups: [{ id: "g-developers", displayName: "developers", members: [] }],
  permissionSets: [developer],
});
const scope = aScope({ groupNames: ["developers"], permissionSetNames: ["Developer"] });
const toAlice: Assignment = {
  principalType: "USER",
  principalName: "alice@example.com",
  permissionSetName: "Developer",
  accountId: "222222222222",
};

describe("the AWS adapter under failures, throttling and half-finished runs", () => {
  let harness: Harness;
  afterEach(async () => {
    await harness.close();
  });

  it("reports an assignment AWS FAILED as ChangeFailedError carrying AWS's FailureReason", async () => {
    harness = await startHarness({ state: seed });
    harness.emulator.faults.failAssignment = (request) =>
      request.accountId === "222222222222" ? "Received a 404 status error: Not supported account" : undefined;

    const creating = harness.identityCenter.applyChange({
      kind: "createAssignment",
      key: "a1",
      reason: "",
      assignment: toAlice,
    });

    await expect(creating).rejects.toBeInstanceOf(ChangeFailedError);
    await expect(creating).rejects.toMatchObject({
      changeKey: "a1",
      message: expect.stringContaining("Received a 404 status error: Not supported account"),
    });
    expect(harness.emulator.state().assignments).toEqual([]);
  });

  it("reports a FAILED provisioning with AWS's reason", async () => {
    harness = await startHarness({ state: seed });
    harness.emulator.faults.failProvisioning = () => "Policy is not attachable in this account";

    const provisioning = harness.identityCenter.applyChange({
      kind: "provisionPermissionSet",
      key: "provision:Developer",
      reason: "",
      permissionSetName: "Developer",
      accountIds: ["222222222222"],
    });

    await expect(provisioning).rejects.toThrow(
      /provisioning failed: Policy is not attachable in this account/,
    );
  });

  it("gives up on a request still IN_PROGRESS after the poll deadline, saying so", async () => {
    harness = await startHarness(
      { state: seed, asyncPolls: 1_000 },
      { pollIntervalMs: 10, pollDeadlineMs: 200 },
    );

    const creating = harness.identityCenter.applyChange({
      kind: "createAssignment",
      key: "a1",
      reason: "",
      assignment: toAlice,
    });

    await expect(creating).rejects.toThrow(/still IN_PROGRESS after \d+ ms/);
    // Backoff: 10, 20, 40, 80, 100 (capped at 10×)... not one poll per 10 ms.
    expect(harness.emulator.count("sso-admin", "DescribeAccountAssignmentCreationStatus")).toBeLessThan(8);
  });

  it("rides out a throttling storm on reads and writes with backoff", async () => {
    harness = await startHarness({ state: seed });
    harness.emulator.faults.throttleNext(5, { operation: "ListUsers" });
    harness.emulator.faults.throttleNext(4, { service: "sso-admin" });

    const state = await harness.identityCenter.readState(scope);
    await harness.identityCenter.applyChange({
      kind: "createAssignment",
      key: "a1",
      reason: "",
      assignment: toAlice,
    });

    expect(state.users).toHaveLength(1);
    expect(harness.emulator.counts().throttled).toBe(9);
    expect(harness.emulator.count("identitystore", "ListUsers")).toBe(6);
    expect(harness.emulator.state().assignments).toEqual([toAlice]);
  });

  it("retries server errors, but not forever", async () => {
    harness = await startHarness({ state: seed }, { retry: { maxAttempts: 3, baseDelayMs: 1 } });
    harness.emulator.faults.failNext(
      2,
      { type: "InternalServerException", status: 500 },
      { operation: "ListGroups" },
    );

    await harness.identityCenter.readState(scope);
    harness.emulator.faults.failNext(
      3,
      { type: "InternalServerException", status: 500 },
      { operation: "ListGroups" },
    );
    const reading = harness.identityCenter.readState(scope);

    await expect(reading).rejects.toBeInstanceOf(IdentityCenterReadError);
    await expect(reading).rejects.toThrow(/InternalServerException/);
  });

  it("does not retry what cannot succeed: a validation error fails at once", async () => {
    harness = await startHarness({ state: seed });

    const creating = harness.identityCenter.applyChange({
      kind: "createUser",
      key: "user:x",
      reason: "",
      user: { ...userAttributes(aUser("x")), givenName: "" },
    });

    await expect(creating).rejects.toThrow(/ValidationException/);
    expect(harness.emulator.count("identitystore", "CreateUser")).toBe(1);
  });

  it("stays under the emulator's AWS-like rate limits by its own token buckets", async () => {
    harness = await startHarness(
      { state: seed, throttle: { identityStore: 40, ssoAdmin: 40 } },
      { limits: { identityStorePerSecond: 30, ssoAdminPerSecond: 30 } },
    );
    const adapter = harness.identityCenter;

    await Promise.all(
      Array.from({ length: 45 }, (_, index) =>
        adapter.applyChange({
          kind: "createUser",
          key: `user:${index}`,
          reason: "",
          user: userAttributes(aUser(`burst${index}`)),
        }),
      ),
    );

    expect(harness.emulator.count("identitystore", "CreateUser")).toBe(45);
    expect(harness.emulator.counts().throttled).toBe(0);
  });

  it("keeps every identity store operation under one collective rate, users and groups created at once", async () => {
    harness = await startHarness(
      { state: seed, throttle: { identityStore: 5 } },
      { limits: { identityStorePerSecond: 3 } },
    );
    const adapter = harness.identityCenter;

    await Promise.all([
      ...Array.from({ length: 6 }, (_, index) =>
        adapter.applyChange({
          kind: "createUser",
          key: `user:${index}`,
          reason: "",
          user: userAttributes(aUser(`together${index}`)),
        }),
      ),
      ...Array.from({ length: 6 }, (_, index) =>
        adapter.applyChange({
          kind: "createGroup",
          key: `group:${index}`,
          reason: "",
          displayName: `together-${index}`,
        }),
      ),
    ]);

    expect(harness.emulator.count("identitystore", "CreateUser")).toBe(6);
    expect(harness.emulator.count("identitystore", "CreateGroup")).toBe(6);
    expect(harness.emulator.counts().throttled).toBe(0);
  });

  it("recovers from the emulator's rate limit when the adapter is allowed more than AWS gives", async () => {
    harness = await startHarness(
      { state: seed, throttle: { identityStore: 20 } },
      // Real sleeping here: the backoff itself is what lets the emulator's bucket refill.
      {
        limits: { identityStorePerSecond: 1_000 },
        retry: { baseDelayMs: 20, maxDelayMs: 400, maxAttempts: 12 },
        sleep: realSleep,
      },
    );
    const adapter = harness.identityCenter;

    await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        adapter.applyChange({
          kind: "createUser",
          key: `user:${index}`,
          reason: "",
          user: userAttributes(aUser(`storm${index}`)),
        }),
      ),
    );

    expect(harness.emulator.state().users).toHaveLength(31);
    expect(harness.emulator.counts().throttled).toBeGreaterThan(0);
  });

  it("keeps at most the configured number of assignment requests outstanding", async () => {
    harness = await startHarness(
      { state: seed, asyncPolls: 3 },
      { limits: { maxOutstandingAssignmentRequests: 2 } },
    );
    let inFlight = 0;
    let most = 0;
    const originalPredicate = (): undefined => {
      inFlight -= 1;
      return undefined;
    };
    harness.emulator.faults.failAssignment = originalPredicate;
    const adapter = harness.newIdentityCenter({
      onCall: (_service, operation) => {
        if (operation === "CreateAccountAssignment") {
          inFlight += 1;
          most = Math.max(most, inFlight);
        }
      },
    });

    await Promise.all(
      ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555"].map((accountId) =>
        adapter.applyChange({
          kind: "createAssignment",
          key: accountId,
          reason: "",
          assignment: { ...toAlice, accountId },
        }),
      ),
    );

    expect(harness.emulator.state().assignments).toHaveLength(5);
    expect(most).toBe(2);
  });

  describe("creating what an interrupted earlier run already created", () => {
    it("adopts an existing user on ConflictException and brings its attributes in line", async () => {
      harness = await startHarness({ state: seed });
      const wanted = { ...userAttributes(alice), displayName: "Alice Liddell", title: "Lead" };

      await harness
        .newIdentityCenter()
        .applyChange({ kind: "createUser", key: "user:alice", reason: "", user: wanted });

      expect(harness.emulator.state().users).toEqual([{ ...wanted, id: alice.id }]);
      expect(harness.emulator.count("identitystore", "GetUserId")).toBe(1);
    });

    it("adopts an existing group, an existing membership and an existing assignment", async () => {
      harness = await startHarness({
        state: anIdentityCenter({
          ...seed,
          groups: [{ id: "g-developers", displayName: "developers", members: ["alice@example.com"] }],
          assignments: [toAlice],
        }),
      });
      const adapter = harness.newIdentityCenter();

      await adapter.applyChange({
        kind: "createGroup",
        key: "group:developers",
        reason: "",
        displayName: "developers",
      });
      await adapter.applyChange({
        kind: "addMember",
        key: "member",
        reason: "",
        groupName: "developers",
        userName: "alice@example.com",
      });
      await adapter.applyChange({ kind: "createAssignment", key: "a1", reason: "", assignment: toAlice });

      const state = harness.emulator.state();
      expect(state.groups).toEqual([
        { id: "g-developers", displayName: "developers", members: ["alice@example.com"] },
      ]);
      expect(state.assignments).toEqual([toAlice]);
    });

    it("finishes a permission set whose creation stopped halfway", async () => {
      harness = await startHarness({ state: seed });
      const wanted = aPermissionSet("Developer", {
        managedPolicyArns: [
          "arn:aws:iam::aws:policy/PowerUserAccess",
          "arn:aws:iam::aws:policy/ReadOnlyAccess",
        ],
        tags: { team: "platform" },
      });

      await harness.newIdentityCenter().applyChange({
        kind: "createPermissionSet",
        key: "permissionSet:Developer",
        reason: "",
        permissionSet: wanted,
      });

      const state = await harness.newIdentityCenter().readState(scope);
      expect(state.permissionSets).toEqual([{ ...wanted, arn: developer.arn, provisionedAccountIds: [] }]);
    });
  });
});
