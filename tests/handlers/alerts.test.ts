/**
 * Issue #6 end to end: the sync handler with the real AWS adapters against the AWS emulator (Identity
 * Center, and DynamoDB for the run state), the example directory from a snapshot file, and Slack
 * replaced by a local webhook sink. A "hand change" is an API call straight to the emulator, as someone
 * clicking in the console would make.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateGroupMembershipCommand,
  DeleteGroupMembershipCommand,
  GetGroupMembershipIdCommand,
  type IdentitystoreClient,
} from "@aws-sdk/client-identitystore";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AwsAccountDirectory } from "../../src/adapters/aws/aws-account-directory.js";
import { AwsIdentityCenter } from "../../src/adapters/aws/aws-identity-center.js";
import { loadDirectorySnapshot } from "../../src/adapters/file/directory-snapshot.js";
import { FileDirectorySource } from "../../src/adapters/file/file-directory-source.js";
import { loadStateFile } from "../../src/adapters/file/state-file.js";
import { SlackNotifier } from "../../src/adapters/slack/slack-notifier.js";
import { DynamoDbStateStore } from "../../src/adapters/state/dynamodb-state-store.js";
import {
  handleSyncInvocation,
  type SyncHandlerDependencies,
  type SyncLogger,
} from "../../src/handlers/sync-invocation.js";
import { DirectoryReadError } from "../../src/sync/errors.js";
import type { DirectorySource } from "../../src/sync/ports.js";
import { type AwsEmulator, startAwsEmulator } from "../emulators/aws/emulator.js";
import { startWebhookSink, type WebhookSink } from "../emulators/slack/webhook-sink.js";
import scheduledEvent from "../fixtures/events/scheduled.json" with { type: "json" };
import { clientsFor, quickSleep } from "../integration/aws/harness.js";

const root = resolve(import.meta.dirname, "../..");
const directoryPath = join(root, "examples/directory.yaml");
const nextDirectoryPath = join(root, "examples/directory-next.yaml");

const silentLogger: SyncLogger = { info() {}, warn() {}, error() {}, appendKeys() {} };
const lambda = {
  getRemainingTimeInMillis: () => 900_000,
  logGroupName: "/aws/lambda/idc-sync-ci-sync",
  logStreamName: "2026/05/04/[$LATEST]abc",
};
const report = { mode: "report" };

let emulator: AwsEmulator;
let sink: WebhookSink;
let dynamo: DynamoDBClient;
let identityStore: IdentitystoreClient;
let tables = 0;

beforeAll(async () => {
  sink = await startWebhookSink();
});
afterAll(async () => {
  await sink.close();
});

describe("Slack alerts from the sync function", () => {
  let dir: string;
  let tableName: string;
  let runs = 0;
  let now: Date;
  let directory: DirectorySource;

  const deps = (overrides: Partial<SyncHandlerDependencies> = {}): SyncHandlerDependencies => ({
    rulesPath: join(dir, "rules.yaml"),
    logger: silentLogger,
    deadlineMarginMs: 60_000,
    newRunId: () => `run-${++runs}`,
    buildPorts: async () => {
      const clients = clientsFor(emulator);
      return {
        directory,
        accounts: new AwsAccountDirectory({
          organizations: clients.organizations,
          limits: { organizationsPerSecond: 10_000 },
          sleep: quickSleep,
        }),
        identityCenter: new AwsIdentityCenter({
          identityStore: clients.identityStore,
          ssoAdmin: clients.ssoAdmin,
          instanceArn: emulator.instanceArn,
          identityStoreId: emulator.identityStoreId,
          limits: { identityStorePerSecond: 10_000, ssoAdminPerSecond: 10_000 },
          sleep: quickSleep,
          pollIntervalMs: 1,
        }),
      };
    },
    stateStore: new DynamoDbStateStore({ client: dynamo, tableName }),
    // No test here stalls Slack: the deadline only has to outlast a slow answer on a loaded machine (at 200 ms a
    // delivered post was taken for lost and sent twice).
    notifier: async () =>
      new SlackNotifier({ webhookUrl: sink.url, sleep: async () => {}, timeoutMs: 5_000 }),
    clock: { now: () => now },
    logUrl: () =>
      "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/x",
    ...overrides,
  });
  const invoke = (event: unknown = scheduledEvent, overrides: Partial<SyncHandlerDependencies> = {}) =>
    handleSyncInvocation(event, lambda, deps(overrides));
  const hours = (n: number) => {
    now = new Date(now.getTime() + n * 3_600_000);
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "idc-sync-alerts-"));
    await writeRules(dir);
    const organization = (await loadDirectorySnapshot(directoryPath)).organization;
    emulator = await startAwsEmulator({
      state: await loadStateFile(join(root, "examples/identity-center.json")),
      ...(organization ? { organization } : {}),
    });
    dynamo = new DynamoDBClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    identityStore = clientsFor(emulator).identityStore;
    tableName = `state-${++tables}`;
    await createStateTable(dynamo, tableName);
    directory = new FileDirectorySource(directoryPath);
    now = new Date("2026-05-04T09:00:00.000Z");
    sink.messages.length = 0;
    sink.behave({ answer: "ok" });
  });
  afterEach(async () => {
    dynamo.destroy();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("posts nothing for the first apply of the company, nor for a run with nothing to change", async () => {
    const first = await invoke();
    expect(first).toMatchObject({ ok: true, status: "applied" });
    const second = await invoke();
    expect(second).toMatchObject({ ok: true, status: "applied", plan: { add: 0, change: 0, remove: 0 } });

    expect(sink.messages).toEqual([]);
  });

  it("in report mode alerts once about a membership added by hand, keeps quiet while it stays, and posts 'resolved' once it is removed", async () => {
    await invoke();
    const [group, user] = await addMembershipByHand("aws-admins", "haruto.ito@example.com");

    hours(1);
    const detected = await invoke(report);
    expect(detected).toMatchObject({ ok: true, status: "reported", drift: 1, plan: { remove: 1 } });
    expect(sink.messages).toHaveLength(1);
    const alert = sink.textOf(sink.messages[0]!);
    expect(alert).toContain("Drift: 1 change made outside idc-sync");
    expect(alert).toContain("aws-admins ← haruto.ito@example.com");
    expect(alert).toContain("report mode");
    expect(alert).toMatch(/Run `run-\d+`/);
    expect(alert).toContain("CloudWatch logs");
    expect(await isMember(group, user)).toBe(true);

    hours(1);
    await invoke(report);
    expect(sink.messages).toHaveLength(1);

    await removeMembershipByHand(group, user);
    hours(1);
    await invoke(report);
    expect(sink.messages).toHaveLength(2);
    const resolved = sink.textOf(sink.messages[1]!);
    expect(resolved).toContain("Drift resolved: 1 change");
    expect(resolved).toContain("aws-admins ← haruto.ito@example.com");
  });

  it("reminds about drift still open after the interval, not before", async () => {
    await invoke();
    await addMembershipByHand("aws-admins", "haruto.ito@example.com");
    await invoke(report);
    hours(23);
    await invoke(report);
    expect(sink.messages).toHaveLength(1);

    hours(1);
    await invoke(report);
    expect(sink.messages).toHaveLength(2);
    expect(sink.textOf(sink.messages[1]!)).toContain("Drift still open: 1 change");
  });

  it("in enforce mode undoes the hand change, says so in one alert, and does not repeat it", async () => {
    await invoke();
    const [group, user] = await addMembershipByHand("aws-admins", "haruto.ito@example.com");

    const fixed = await invoke();
    expect(fixed).toMatchObject({ ok: true, status: "applied", drift: 1 });
    expect(await isMember(group, user)).toBe(false);
    expect(sink.messages).toHaveLength(1);
    expect(sink.textOf(sink.messages[0]!)).toContain("idc-sync undid it (enforce mode)");

    await invoke();
    expect(sink.messages).toHaveLength(1);
  });

  it("follows sync.mode: report from the rules on a schedule changes nothing", async () => {
    await invoke();
    await writeRules(dir, { syncMode: "report" });
    const [group, user] = await addMembershipByHand("aws-admins", "haruto.ito@example.com");

    const result = await invoke();

    expect(result).toMatchObject({ status: "reported", mode: "report", drift: 1 });
    expect(await isMember(group, user)).toBe(true);
    expect(sink.messages).toHaveLength(1);
  });

  it("tells once about a user another provisioner created, and never changes or deletes it", async () => {
    await emulator.close();
    const seeded = await loadStateFile(join(root, "examples/identity-center.json"));
    const scim = {
      id: "90000000-0000-0000-0000-0000000000aa",
      userName: "kenji.watanabe@example.com",
      displayName: "Kenji W. (from Google's SCIM app)",
      givenName: "Kenji",
      familyName: "Watanabe",
      email: "kenji.watanabe@example.com",
      externalIds: [{ issuer: "https://accounts.google.com/o/saml2?idpid=C0abc", id: "100001" }],
    };
    const organization = (await loadDirectorySnapshot(directoryPath)).organization;
    emulator = await startAwsEmulator({
      state: { ...seeded, users: [...seeded.users, scim] },
      ...(organization ? { organization } : {}),
    });
    dynamo.destroy();
    dynamo = new DynamoDBClient({
      endpoint: emulator.url,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
    await createStateTable(dynamo, tableName);

    const first = await invoke();
    hours(1);
    const second = await invoke();

    expect(first).toMatchObject({ ok: true, status: "applied" });
    expect(second).toMatchObject({ ok: true, status: "applied", plan: { add: 0, change: 0, remove: 0 } });
    expect(sink.messages).toHaveLength(1);
    const told = sink.textOf(sink.messages[0]!);
    expect(told).toContain("1 user created by another provisioner");
    expect(told).toContain("kenji.watanabe@example.com");
    expect(told).toContain("users.externallyProvisioned: manage");
    expect(emulator.state().users.find((user) => user.userName === scim.userName)).toEqual(scim);
  });

  it("does not count a Google change as drift: a leaver is a leaver", async () => {
    await invoke();
    directory = new FileDirectorySource(nextDirectoryPath);

    const result = await invoke();

    expect(result).toMatchObject({ ok: true, status: "applied", drift: 0 });
    expect(sink.messages).toEqual([]);
  });

  it("posts what changed for joiners, movers and leavers only when the rules ask for changes", async () => {
    await writeRules(dir, { on: ["drift", "failure", "changes"] });
    await invoke();
    sink.messages.length = 0;
    directory = new FileDirectorySource(nextDirectoryPath);

    await invoke();

    expect(sink.messages).toHaveLength(1);
    const text = sink.textOf(sink.messages[0]!);
    expect(text).toMatch(/idc-sync applied \d+ changes/);
    expect(text).toMatch(/_leaver_/);
    expect(text).toMatch(/_joiner_/);
  });

  it("alerts when the Google read fails, on every failing run, and once when runs recover", async () => {
    await invoke();
    directory = {
      readDirectory: async () => {
        throw new DirectoryReadError("Google answered 503 on users.list page 3; nothing was planned");
      },
    };

    await expect(invoke()).rejects.toBeInstanceOf(DirectoryReadError);
    await expect(invoke()).rejects.toBeInstanceOf(DirectoryReadError);
    expect(sink.messages).toHaveLength(2);
    expect(sink.textOf(sink.messages[0]!)).toContain("idc-sync run failed");
    expect(sink.textOf(sink.messages[0]!)).toContain("Google answered 503");
    expect(sink.textOf(sink.messages[1]!)).toContain("2 failing runs in a row");

    directory = new FileDirectorySource(directoryPath);
    await invoke();
    expect(sink.messages).toHaveLength(3);
    expect(sink.textOf(sink.messages[2]!)).toContain("idc-sync recovered");
  });

  it("alerts when a safety guard stops the run, and says how to let it through", async () => {
    await writeRules(dir, { maxDeletions: "0" });
    await invoke();
    directory = new FileDirectorySource(nextDirectoryPath);

    const result = await invoke();

    expect(result).toMatchObject({ ok: false, status: "blocked" });
    expect(sink.messages).toHaveLength(1);
    const text = sink.textOf(sink.messages[0]!);
    expect(text).toContain("stopped by a safety guard");
    expect(text).toMatch(/idc-sync apply --allow-deletions \d+/);
    expect(text).toMatch(/\{"mode":"apply","allowDeletions":\d+\}/);
  });

  it("removes a group that left the rules after the guard is let through, with the ownership kept in DynamoDB", async () => {
    await invoke();
    const rules = join(dir, "rules.yaml");
    const text = await readFile(rules, "utf8");
    await writeFile(
      rules,
      text
        .replace("groups: [developers, kaigodx-developers]", "groups: [developers]")
        .replace(/ {2}- name: kaigodx-developers\n(?: {4}.*\n| {6}.*\n)+/, "")
        .replace(
          / {2}- groups: \[kaigodx-developers\]\n {4}permissionSets: \[Developer\]\n {4}accounts: \[kaigodx-dev\]\n/,
          "",
        )
        .replace(
          "groups: [developers, kaigodx-developers, support-readonly]",
          "groups: [developers, support-readonly]",
        ),
    );

    const planned = await invoke({ mode: "plan" });
    const blocked = await invoke();
    const letThrough = await invoke({ mode: "apply", allowDeletions: 16 });

    // A plan invocation reads the ownership record too (and never writes the state).
    expect(planned).toMatchObject({ ok: true, status: "planned", plan: { remove: 16 } });
    expect(blocked).toMatchObject({ ok: false, status: "blocked" });
    expect(sink.textOf(sink.messages[0]!)).toContain(
      "The plan would remove 16 objects (1 group kaigodx-developers; 1 user hiroshi.hasegawa@example.com; 11 memberships; 3 assignments)",
    );
    expect(letThrough).toMatchObject({ ok: true, status: "applied", plan: { remove: 16 } });
    const state = emulator.state();
    expect(state.groups.map((group) => group.displayName)).not.toContain("kaigodx-developers");
    expect(state.assignments.filter((a) => a.principalName === "kaigodx-developers")).toEqual([]);
    expect(emulator.leftovers()).toEqual({ memberships: [], assignments: [] });
    expect(await invoke()).toMatchObject({ ok: true, plan: { add: 0, change: 0, remove: 0 } });
  });

  it("keeps syncing when Slack answers 500: three tries, the run succeeds, and the alert is tried again next run", async () => {
    await invoke();
    const [group, user] = await addMembershipByHand("aws-admins", "haruto.ito@example.com");
    sink.behave({ answer: "status", status: 500 });
    const before = sink.attempts;

    const result = await invoke(report);

    expect(result).toMatchObject({
      ok: true,
      status: "reported",
      notices: [{ kind: "drift", delivered: false }],
    });
    expect(sink.attempts - before).toBe(3);
    expect(await isMember(group, user)).toBe(true);

    sink.behave({ answer: "ok" });
    await invoke(report);
    expect(sink.messages).toHaveLength(1);
    expect(sink.textOf(sink.messages[0]!)).toContain("Drift: 1 change");
  });

  it("keeps syncing when Slack never answers", async () => {
    await invoke();
    await addMembershipByHand("aws-admins", "haruto.ito@example.com");
    sink.behave({ answer: "hang" });

    const result = await invoke();

    expect(result).toMatchObject({
      ok: true,
      status: "applied",
      drift: 1,
      notices: [{ kind: "drift", delivered: false }],
    });
  });

  async function addMembershipByHand(groupName: string, userName: string): Promise<[string, string]> {
    const state = emulator.state();
    const group = state.groups.find((g) => g.displayName === groupName);
    const user = state.users.find((u) => u.userName === userName);
    if (!group || !user) throw new Error(`no ${groupName} or ${userName} in the emulator`);
    expect(group.members).not.toContain(userName);
    await identityStore.send(
      new CreateGroupMembershipCommand({
        IdentityStoreId: emulator.identityStoreId,
        GroupId: group.id,
        MemberId: { UserId: user.id },
      }),
    );
    return [group.id, user.id];
  }

  async function removeMembershipByHand(groupId: string, userId: string): Promise<void> {
    const { MembershipId } = await identityStore.send(
      new GetGroupMembershipIdCommand({
        IdentityStoreId: emulator.identityStoreId,
        GroupId: groupId,
        MemberId: { UserId: userId },
      }),
    );
    await identityStore.send(
      new DeleteGroupMembershipCommand({ IdentityStoreId: emulator.identityStoreId, MembershipId }),
    );
  }

  async function isMember(groupId: string, userId: string): Promise<boolean> {
    const group = emulator.state().groups.find((g) => g.id === groupId);
    const user = emulator.state().users.find((u) => u.id === userId);
    return (group?.members ?? []).includes(user?.userName ?? "");
  }
});

/** The example rules (with their policy files) in `dir`, with the sections a test changes. */
async function writeRules(
  dir: string,
  options: { syncMode?: "enforce" | "report"; on?: string[]; maxDeletions?: string } = {},
): Promise<void> {
  await cp(join(root, "examples/policies"), join(dir, "policies"), { recursive: true });
  let text = await readFile(join(root, "examples/rules.yaml"), "utf8");
  text = text.replace(/^# yaml-language-server.*\n/m, "").replace(/^\$schema:.*\n/m, "");
  if (options.maxDeletions) text = text.replace(/maxDeletions: .*/, `maxDeletions: ${options.maxDeletions}`);
  const extra = [
    options.syncMode ? `sync:\n  mode: ${options.syncMode}\n` : "",
    options.on ? `notifications:\n  slack:\n    on: [${options.on.join(", ")}]\n` : "",
  ].join("");
  await writeFile(join(dir, "rules.yaml"), `${text}\n${extra}`, "utf8");
}

async function createStateTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
    }),
  );
}
