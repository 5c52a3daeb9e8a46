/**
 * Fault suite, Google side: pages that are not what the Directory API promises, peers that stall after
 * their headers, throttling storms on a test clock, and a page that comes back empty while paging goes
 * on. The real @googleapis/admin client talks to the emulator over HTTP.
 */
import { describe, expect, it } from "vitest";
import { StrictInMemoryIdentityCenter } from "../../src/adapters/file/strict-in-memory-identity-center.js";
import { DirectoryReadError } from "../../src/sync/errors.js";
import { removalKinds } from "../../src/sync/model.js";
import { runSync } from "../../src/sync/run-sync.js";
import { someRules } from "../builders/rules.js";
import { type MalformedBody, malformedBodies } from "../emulators/google-directory/faults.js";
import { syntheticDirectory } from "../fixtures/google/synthetic-directory.js";
import { aRequest, sampleSnapshot, sourceFor, withEmulator } from "../integration/google/google-test-kit.js";
import { testClock } from "./test-clock.js";

const usersPath = "/admin/directory/v1/users";
const membersPath = (group: string): string => `/admin/directory/v1/groups/${group}/members`;
const orgUnitsPath = "/admin/directory/v1/customer/my_customer/orgunits";
const badBodies = Object.keys(malformedBodies) as MalformedBody[];

const bigDirectory = () =>
  syntheticDirectory({ users: 1_100, groups: [{ email: "big@example.com", size: 450 }] });
const bigRequest = aRequest({ groupEmails: ["big@example.com"] });
/** 230 groups: `groups.list` (for `snapshot directory --all-groups`) takes two pages of 200. */
const manyGroups = () =>
  syntheticDirectory({
    users: 20,
    groups: Array.from({ length: 230 }, (_, index) => ({ email: `team-${index}@example.com`, size: 1 })),
  });

const readers: {
  name: string;
  target: { path: string; page?: number };
  directory?: () => ReturnType<typeof syntheticDirectory>;
  request?: ReturnType<typeof aRequest>;
}[] = [
  { name: "users.list page 2", target: { path: usersPath, page: 1 } },
  { name: "members.list big@example.com page 2", target: { path: membersPath("big@example.com"), page: 1 } },
  { name: "orgunits.list", target: { path: orgUnitsPath } },
  {
    name: "groups.list page 2",
    target: { path: "/admin/directory/v1/groups", page: 1 },
    directory: manyGroups,
    request: aRequest({ groupEmails: [], allGroups: true }),
  },
];

describe("a Google page that is not a Directory API page", () => {
  for (const reader of readers) {
    for (const body of badBodies) {
      it(`is retried on ${reader.name} (${body}), and the read equals a calm one`, async () => {
        await withEmulator((reader.directory ?? bigDirectory)(), async (emulator) => {
          const { source, sleeps } = sourceFor(emulator);
          const calm = await source.readDirectory(reader.request ?? bigRequest);
          emulator.faults.malformed({ ...reader.target, body, times: 2 });

          const read = await source.readDirectory(reader.request ?? bigRequest);

          expect(read).toEqual(calm);
          expect(sleeps).toHaveLength(2);
          expect(emulator.faults.pending()).toBe(0);
        });
      });
    }

    it(`fails the whole read when ${reader.name} stays malformed, quoting nothing of the body`, async () => {
      await withEmulator((reader.directory ?? bigDirectory)(), async (emulator) => {
        const { source } = sourceFor(emulator, { maxAttempts: 3 });
        emulator.faults.malformed({ ...reader.target, body: "html", times: Number.POSITIVE_INFINITY });

        const read = source.readDirectory(reader.request ?? bigRequest);

        await expect(read).rejects.toBeInstanceOf(DirectoryReadError);
        await expect(read).rejects.toThrow(
          new RegExp(`${reader.name.replaceAll(".", "\\.")} still failing after 3 attempts`),
        );
        await expect(read).rejects.toThrow(/an HTML or XML document \(\d+ characters\)/);
        await read.catch((error: Error) => expect(error.message).not.toContain("Sign in"));
      });
    });
  }

  it("names an empty body, a JSON string and a page of another kind for what they are", async () => {
    const expected: Partial<Record<MalformedBody, RegExp>> = {
      empty: /the answer was empty/,
      jsonString: /the answer was text \(2 characters\)|the answer was a JSON string/,
      wrongKind: /kind "admin#directory#schemas", not "admin#directory#users"/,
      listNotArray: /"users" is not a list/,
    };
    for (const [body, message] of Object.entries(expected)) {
      await withEmulator(sampleSnapshot(), async (emulator) => {
        const { source } = sourceFor(emulator, { maxAttempts: 1 });
        emulator.faults.malformed({ path: usersPath, body: body as MalformedBody });
        await expect(source.readDirectory(aRequest())).rejects.toThrow(message as RegExp);
      });
    }
  });
});

describe("a Google page that comes back empty while paging goes on", () => {
  it("is followed to the end, and the read says it cannot vouch for itself", async () => {
    await withEmulator(bigDirectory(), async (emulator) => {
      const { source } = sourceFor(emulator);
      emulator.faults.emptyPage({ path: usersPath, page: 1 });

      const read = await source.readDirectory(bigRequest);

      expect(read.users).toHaveLength(1_100 - 500);
      expect(read.completeness).toEqual({
        proven: false,
        reasons: ["users.list page 2 came back empty with more pages after it"],
      });
    });
  });

  it("never leads to a removal: the run holds back every removal and applies the rest", async () => {
    const rules = someRules({
      groups: [{ name: "everyone", members: [{ orgUnit: "/" }] }],
      safety: { maxDeletions: "100%" },
    });
    await withEmulator(bigDirectory(), async (emulator) => {
      const { source } = sourceFor(emulator);
      const identityCenter = new StrictInMemoryIdentityCenter();
      const ports = { directory: source, accounts: { listAccounts: async () => [] }, identityCenter };
      const first = await runSync({ rules, ports, mode: "apply" });
      if (first.status !== "applied") throw new Error(`expected applied, got ${first.status}`);
      const created = first.plan.changes.filter((change) => change.kind === "createUser").length;

      emulator.faults.emptyPage({ path: usersPath, page: 1 });
      const second = await runSync({ rules, ports, mode: "apply" });

      if (second.status !== "applied") throw new Error(`expected applied, got ${second.status}`);
      expect(second.plan.changes.filter((change) => removalKinds.has(change.kind))).toEqual([]);
      expect(second.plan.heldBack?.changes.length).toBeGreaterThan(400);
      expect(second.warnings.join("\n")).toMatch(
        /removals were held back: the Google read is not proven complete/,
      );
      expect(identityCenter.snapshot().users).toHaveLength(created);

      const third = await runSync({ rules, ports, mode: "plan" });
      expect(third.status === "planned" && third.plan.changes).toEqual([]);
    });
  });
});

describe("a Google peer that stalls after its headers", () => {
  it("costs one deadline, then the request is retried and the read completes", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source, sleeps } = sourceFor(emulator, { timeoutMs: 300 });
      emulator.faults.stallAfterHeaders({ path: usersPath });

      const read = await source.readDirectory(aRequest());

      expect(read.users).toHaveLength(5);
      expect(sleeps).toHaveLength(1);
    });
  });

  it("fails the read when every answer stalls, instead of hanging", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source } = sourceFor(emulator, { timeoutMs: 200, maxAttempts: 3 });
      emulator.faults.stallAfterHeaders({ path: usersPath, times: Number.POSITIVE_INFINITY });

      await expect(source.readDirectory(aRequest())).rejects.toThrow(
        /users\.list page 1 still failing after 3 attempts/,
      );
    });
  });
});

describe("Google throttling, budgeted by time", () => {
  it("rides out a 30-second storm of 403 rateLimitExceeded", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const clock = testClock();
      const { source } = sourceFor(emulator, {
        backoff: { baseMs: 1_000, maxMs: 32_000 },
        sleep: clock.sleep,
        now: clock.now,
      });
      emulator.faults.rateLimit({
        path: usersPath,
        error: "rateLimitExceeded",
        times: Number.POSITIVE_INFINITY,
        while: () => clock.now() < 30_000,
      });

      const read = await source.readDirectory(aRequest());

      expect(read.users).toHaveLength(5);
      expect(clock.now()).toBeGreaterThanOrEqual(30_000);
    });
  });

  it("gives up on a storm longer than the window, and says how long it tried", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const clock = testClock();
      const { source } = sourceFor(emulator, {
        backoff: { baseMs: 1_000, maxMs: 32_000 },
        sleep: clock.sleep,
        now: clock.now,
        retryWindowMs: 60_000,
      });
      emulator.faults.rateLimit({ path: usersPath, times: Number.POSITIVE_INFINITY });

      await expect(source.readDirectory(aRequest())).rejects.toThrow(
        /users\.list page 1 still failing after/,
      );
      expect(clock.now()).toBeLessThanOrEqual(60_000);
    });
  });

  it("waits as long as a 429's Retry-After asks", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source, sleeps } = sourceFor(emulator);
      emulator.faults.rateLimit({ path: usersPath, error: "tooManyRequests", retryAfterSeconds: 20 });

      await source.readDirectory(aRequest());

      expect(sleeps).toEqual([20_000]);
    });
  });
});
