import { afterEach, describe, expect, it } from "vitest";
import { classifyUser, defaultAuditOptions } from "../../../src/audit/classify.js";
import { FindingKind } from "../../../src/audit/model.js";
import { seedAccountIds } from "../../emulators/aws/iam/seed.js";
import { type AuditHarness, now, seededAccounts, startAuditHarness } from "./harness.js";

const cloudTrail = { days: 30, regions: [], now };
const hour = 3_600_000;

describe("reading the IAM inventory of an organisation through STS, IAM and CloudTrail", () => {
  let harness: AuditHarness;
  afterEach(async () => {
    await harness.close();
  });

  it("reads the current account directly and the others through the audit role", async () => {
    harness = await startAuditHarness();

    const [management, dev, prod] = await harness
      .inventory()
      .readAccounts(seededAccounts.slice(0, 3), undefined);

    expect(management?.status === "read" && management.users.map((user) => user.userName)).toEqual([
      "alice.smith",
      "bob",
      "old-backup",
    ]);
    expect(dev?.status === "read" && dev.users.map((user) => user.userName)).toEqual([
      "carol.jones",
      "ci-deployer",
      "dave-scripts",
      "terraform",
    ]);
    expect(prod?.status).toBe("read");
    const assumed = harness.emulator.requests().filter((request) => request.action === "AssumeRole");
    expect(assumed).toHaveLength(2);
    const listUsersBy = harness.emulator
      .requests()
      .filter((request) => request.action === "ListUsers")
      .map((request) => request.account)
      .sort();
    expect(listUsersBy).toEqual([seedAccountIds.management, seedAccountIds.dev, seedAccountIds.prod]);
  });

  it("gives each user its credential report facts, keys with last use, groups, policies, MFA and tags", async () => {
    harness = await startAuditHarness();

    const [management, dev] = await harness.inventory().readAccounts(seededAccounts.slice(0, 2), undefined);

    const alice = management?.status === "read" ? management.users[0] : undefined;
    expect(alice).toMatchObject({
      userName: "alice.smith",
      arn: "arn:aws:iam::111111111111:user/alice.smith",
      passwordEnabled: true,
      passwordLastUsed: new Date(now.getTime() - 2 * 86_400_000),
      mfaActive: true,
      mfaDevices: ["arn:aws:iam::111111111111:mfa/alice.smith"],
      groups: ["admins"],
      attachedPolicies: [
        {
          name: "AdministratorAccess",
          arn: "arn:aws:iam::aws:policy/AdministratorAccess",
          via: { kind: "group", group: "admins" },
        },
      ],
    });
    const terraform =
      dev?.status === "read" ? dev.users.find((user) => user.userName === "terraform") : undefined;
    expect(terraform?.accessKeys).toEqual([
      {
        id: "AKIA2222TERRAFORM001",
        status: "Active",
        createdAt: new Date(now.getTime() - 60 * 86_400_000),
        lastUsed: { at: new Date(now.getTime() - 86_400_000), service: "ec2", region: "eu-west-1" },
      },
    ]);
    expect(JSON.parse(terraform?.inlinePolicies[0]?.document ?? "{}")).toEqual({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    });
    const old =
      management?.status === "read"
        ? management.users.find((user) => user.userName === "old-backup")
        : undefined;
    expect(old?.accessKeys[0]?.lastUsed).toBeUndefined();
    const dave =
      dev?.status === "read" ? dev.users.find((user) => user.userName === "dave-scripts") : undefined;
    expect(dave?.tags).toEqual({ owner: "dave.ito@example.com" });
  });

  it("polls GenerateCredentialReport until the report is COMPLETE", async () => {
    harness = await startAuditHarness({ reportPollsBeforeComplete: 3 });

    const [management] = await harness.inventory().readAccounts(seededAccounts.slice(0, 1), undefined);

    expect(management?.status).toBe("read");
    expect(harness.emulator.count("iam:GenerateCredentialReport")).toBe(4);
    expect(harness.emulator.count("iam:GetCredentialReport")).toBe(1);
  });

  it("lets no credential report IAM still reuses (up to four hours old) hide MFA removed or a password used since", async () => {
    let clock = now.getTime();
    harness = await startAuditHarness({ wallClock: () => clock });
    const management = seedAccountIds.management;
    // The first audit makes IAM generate the report; within four hours IAM hands that one out again.
    await harness.inventory().readAccounts(seededAccounts.slice(0, 1), undefined);
    harness.emulator.updateUser(management, "alice.smith", { mfaDevices: [] });
    clock += 2 * hour;
    const signedIn = new Date(clock);
    harness.emulator.updateUser(management, "old-backup", { password: { lastUsed: signedIn.toISOString() } });
    clock += hour;

    const [inventory] = await harness.inventory().readAccounts(seededAccounts.slice(0, 1), undefined);

    // Generated once (STARTED, COMPLETE), then reused at once: the second audit read the old report.
    expect(harness.emulator.count("iam:GenerateCredentialReport")).toBe(3);
    const users = inventory?.status === "read" ? inventory.users : [];
    const alice = users.find((user) => user.userName === "alice.smith");
    const backup = users.find((user) => user.userName === "old-backup");
    expect(alice).toMatchObject({ passwordEnabled: true, mfaActive: false, mfaDevices: [] });
    expect(backup).toMatchObject({ passwordEnabled: true, passwordLastUsed: signedIn, mfaActive: false });
    const options = { ...defaultAuditOptions, now: new Date(clock) };
    for (const user of [alice, backup]) {
      const classified =
        user &&
        classifyUser(
          user,
          { id: management, name: "management", activity: undefined, person: undefined },
          options,
        );
      expect(classified?.findings.map((finding) => finding.kind)).toContain(FindingKind.consoleWithoutMfa);
    }
  });

  it("reports an account whose credential report never completes, and goes on with the others", async () => {
    harness = await startAuditHarness({ reportPollsBeforeComplete: 50 });

    const [management] = await harness
      .inventory({ reportMaxPolls: 3 })
      .readAccounts(seededAccounts.slice(0, 1), undefined);

    expect(management).toMatchObject({ status: "unreachable" });
    expect(management?.status === "unreachable" && management.reason).toMatch(/not ready after 3 polls/);
  });

  it("reports an account whose role cannot be assumed and reads the others", async () => {
    harness = await startAuditHarness();

    const inventories = await harness.inventory().readAccounts(seededAccounts, undefined);

    expect(inventories.map((inventory) => inventory.status)).toEqual(["read", "read", "read", "unreachable"]);
    expect(inventories[3]).toMatchObject({
      account: { id: seedAccountIds.legacy },
      reason: expect.stringMatching(
        /^cannot assume arn:aws:iam::444444444444:role\/idc-sync-audit: AccessDenied: .*not authorized to perform: sts:AssumeRole/,
      ),
    });
  });

  it("pages CloudTrail events of each active key in the region it was last used in", async () => {
    harness = await startAuditHarness();

    const [, dev] = await harness.inventory().readAccounts(seededAccounts.slice(0, 2), cloudTrail);

    const activity = dev?.status === "read" ? dev.activity : undefined;
    expect(activity?.AKIA2222TERRAFORM001).toMatchObject({
      eventCount: 4 * 30,
      regions: ["eu-west-1"],
      truncated: false,
      sourceIps: [{ name: "198.51.100.7", count: 120 }],
      topEventSources: [
        { name: "ec2.amazonaws.com", count: 40 },
        { name: "iam.amazonaws.com", count: 40 },
        { name: "s3.amazonaws.com", count: 40 },
      ],
    });
    expect(activity?.AKIA2222TERRAFORM001?.userAgents[0]?.kind).toBe("terraform");
    expect(activity?.AKIA2222CIDEPLOYER01?.eventCount).toBe(60);
    // The stale key was last used before the window, so CloudTrail is not asked about it at all.
    expect(activity?.AKIA2222CAROLJONES01).toMatchObject({ eventCount: 0, regions: [] });
    expect(activity?.AKIA2222DAVESCRIPTS1).toBeUndefined();
    const lookups = harness.emulator.requests().filter((request) => request.action === "LookupEvents");
    expect(
      lookups.every((request) => request.account === seedAccountIds.dev && request.region === "eu-west-1"),
    ).toBe(true);
    expect(lookups).toHaveLength(3 + 2);
  });

  it("recovers from a throttled CloudTrail lookup with every event counted", async () => {
    harness = await startAuditHarness();
    harness.emulator.throttleNextLookups(3);

    const [, dev] = await harness.inventory().readAccounts(seededAccounts.slice(0, 2), cloudTrail);

    expect(harness.emulator.throttled()).toBe(3);
    const activity = dev?.status === "read" ? dev.activity : undefined;
    expect(activity?.AKIA2222TERRAFORM001?.eventCount).toBe(120);
    expect(activity?.AKIA2222TERRAFORM001?.error).toBeUndefined();
    expect(activity?.AKIA2222CIDEPLOYER01?.eventCount).toBe(60);
  });

  it("marks a key's activity unknown when throttling never stops, rather than zero", async () => {
    harness = await startAuditHarness();
    harness.emulator.throttleNextLookups(1_000);

    const [, dev] = await harness
      .inventory({ retry: { maxAttempts: 2 } })
      .readAccounts(seededAccounts.slice(0, 2), cloudTrail);

    const activity = dev?.status === "read" ? dev.activity : undefined;
    expect(activity?.AKIA2222CIDEPLOYER01?.error).toMatch(/^ThrottlingException/);
  });

  it("keeps to 2 LookupEvents a second per account and region, so CloudTrail never throttles it", async () => {
    // One fake clock for the adapter's limiter and the emulator's: sleeping moves time forward.
    let clock = 0;
    const sleep = async (milliseconds: number) => {
      clock += milliseconds;
      await new Promise((resolve) => setImmediate(resolve));
    };
    harness = await startAuditHarness({ cloudTrailPerSecond: 2, now: () => clock });

    const [, dev] = await harness
      .inventory({ sleep, monotonicNow: () => clock, cloudTrailPerSecond: 2 })
      .readAccounts(seededAccounts.slice(0, 2), cloudTrail);

    expect(harness.emulator.throttled()).toBe(0);
    expect(dev?.status === "read" && dev.activity?.AKIA2222TERRAFORM001?.eventCount).toBe(120);
    expect(clock).toBeGreaterThanOrEqual(1_500);
  });

  it("stops counting a busy key at the cap and says the count is a lower bound", async () => {
    harness = await startAuditHarness();

    const [, dev] = await harness
      .inventory({ maxEventsPerKey: 70 })
      .readAccounts(seededAccounts.slice(0, 2), cloudTrail);

    const terraform = dev?.status === "read" ? dev.activity?.AKIA2222TERRAFORM001 : undefined;
    expect(terraform).toMatchObject({ eventCount: 70, truncated: true });
  });
});
