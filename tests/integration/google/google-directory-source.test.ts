import { describe, expect, it } from "vitest";
import {
  type DirectorySnapshot,
  directorySnapshotSchema,
} from "../../../src/adapters/file/directory-snapshot.js";
import { createGoogleDirectorySource } from "../../../src/adapters/google/create-google-directory-source.js";
import { evaluate } from "../../../src/mapping/index.js";
import { ConfigurationError, DirectoryReadError } from "../../../src/sync/errors.js";
import { someRules } from "../../builders/rules.js";
import { syntheticDirectory } from "../../fixtures/google/synthetic-directory.js";
import {
  aRequest,
  emulatorEnv,
  progressRecorder,
  sampleSnapshot,
  sourceFor,
  withEmulator,
} from "./google-test-kit.js";

const usersPath = "/admin/directory/v1/users";
const membersPath = (group: string): string => `/admin/directory/v1/groups/${group}/members`;
const groupsPath = "/admin/directory/v1/groups";

describe("GoogleDirectorySource reading the directory", () => {
  it("reads every page of users, 500 at a time, and drops users outside the domains", async () => {
    // Prepare: 1,234 users in the domain and 30 elsewhere make three pages of 500.
    const snapshot = syntheticDirectory({ users: 1_234, otherDomainUsers: 30 });
    await withEmulator(snapshot, async (emulator) => {
      const { source } = sourceFor(emulator);

      // Act
      const directory = await source.readDirectory(aRequest());

      // Assess
      expect(directory.users).toHaveLength(1_234);
      expect(directory.users.every((user) => user.primaryEmail.endsWith("@example.com"))).toBe(true);
      expect(new Set(directory.users.map((user) => user.id)).size).toBe(1_234);
      expect(emulator.requestCounts()[usersPath]).toBe(3);
    });
  });

  it("reads every page of a group of more than 200 members", async () => {
    const snapshot = syntheticDirectory({ users: 450, groups: [{ email: "big@example.com", size: 450 }] });
    await withEmulator(snapshot, async (emulator) => {
      const { source } = sourceFor(emulator);

      const directory = await source.readDirectory(aRequest({ groupEmails: ["big@example.com"] }));

      expect(directory.groups).toHaveLength(1);
      expect(directory.groups[0]?.memberEmails).toHaveLength(450);
      expect(emulator.requestCounts()[membersPath("big@example.com")]).toBe(3);
    });
  });

  it("expands nested groups to their users, through cycles, without the group addresses", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source } = sourceFor(emulator);

      const directory = await source.readDirectory(aRequest({ groupEmails: ["AWS-Admins@example.com"] }));

      expect(directory.groups).toEqual([
        {
          // No groups.get: the address stands in for the id and the name (one request fewer per group).
          id: "aws-admins@example.com",
          email: "aws-admins@example.com",
          name: "aws-admins@example.com",
          memberEmails: [
            "alice@example.com",
            "carol@example.com",
            "partner@partner.example",
            "robert@example.com",
          ],
        },
      ]);
    });
  });

  it("keeps suspended and archived users with their flags", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source } = sourceFor(emulator);

      const { users } = await source.readDirectory(aRequest());

      const byEmail = new Map(users.map((user) => [user.primaryEmail, user]));
      expect(byEmail.get("carol@example.com")).toMatchObject({ suspended: true, archived: false });
      expect(byEmail.get("dana@example.com")).toMatchObject({ suspended: false, archived: true });
      expect(byEmail.get("alice@example.com")).toMatchObject({ suspended: false, archived: false });
    });
  });

  it("keeps aliases and non-editable aliases, so a renamed user is found under the old address", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source } = sourceFor(emulator);

      const { users } = await source.readDirectory(aRequest());

      const renamed = users.find((user) => user.aliases.includes("bob@example.com"));
      expect(renamed?.primaryEmail).toBe("robert@example.com");
      expect(users.find((user) => user.primaryEmail === "erin@example.com")?.aliases).toEqual([
        "e.support@example.com",
        "erin@example.test-google-a.com",
      ]);
    });
  });

  it("translates organization, employee id and manager, with emails in lower case", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source } = sourceFor(emulator);

      const { users } = await source.readDirectory(aRequest());

      expect(users.find((user) => user.primaryEmail === "alice@example.com")).toEqual({
        id: "100000000000000000001",
        primaryEmail: "alice@example.com",
        aliases: [],
        givenName: "Alice",
        familyName: "Anders",
        orgUnitPath: "/Engineering/Platform",
        suspended: false,
        archived: false,
        department: "Engineering",
        costCenter: "CC-100",
        title: "Staff Engineer",
        employeeId: "E-0001",
        manager: "dana@example.com",
      });
    });
  });

  it("drops users outside the requested domains and keeps those of every requested domain", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source } = sourceFor(emulator);

      const oneDomain = await source.readDirectory(aRequest({ domains: ["example.com"] }));
      const twoDomains = await source.readDirectory(
        aRequest({ domains: ["example.com", "Subsidiary.example"] }),
      );

      expect(oneDomain.users.map((user) => user.primaryEmail)).not.toContain("frank@subsidiary.example");
      expect(twoDomains.users.map((user) => user.primaryEmail)).toContain("frank@subsidiary.example");
    });
  });

  it("lists every org unit, parents included, so a rule naming a missing one can be reported", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source } = sourceFor(emulator);

      const { orgUnits } = await source.readDirectory(aRequest());

      expect(orgUnits).toEqual([
        { path: "/Engineering", name: "Engineering" },
        { path: "/Engineering/Interns", name: "Interns" },
        { path: "/Engineering/Platform", name: "Platform" },
        { path: "/Management", name: "Management" },
        { path: "/Subsidiary", name: "Subsidiary GmbH" },
        { path: "/Support", name: "Support" },
      ]);
    });
  });

  it("reports progress for users, groups and members", async () => {
    const snapshot = syntheticDirectory({ users: 600, groups: [{ email: "big@example.com", size: 250 }] });
    await withEmulator(snapshot, async (emulator) => {
      const { source } = sourceFor(emulator);
      const progress = progressRecorder();

      await source.readDirectory(aRequest({ groupEmails: ["big@example.com"] }), progress.listener);

      const phase = (name: string) => progress.events.filter((event) => event.phase === name);
      expect(phase("users").map((event) => event.done)).toEqual([500, 600]);
      expect(phase("members").map((event) => event.done)).toEqual([200, 250]);
      expect(phase("groups").at(-1)).toEqual({ phase: "groups", done: 1, total: 1 });
    });
  });

  it("keeps no more requests in flight than the configured concurrency", async () => {
    const groups = Array.from({ length: 6 }, (_, index) => ({ email: `team${index}@example.com`, size: 3 }));
    await withEmulator(syntheticDirectory({ users: 10, groups }), async (emulator) => {
      emulator.faults.slow({ delayMs: 20, times: Number.POSITIVE_INFINITY });
      const { source } = sourceFor(emulator, { concurrency: 2 });

      const directory = await source.readDirectory(
        aRequest({ groupEmails: groups.map((group) => group.email) }),
      );

      expect(directory.groups).toHaveLength(6);
      expect(emulator.peakConcurrency()).toBe(2);
    });
  });
});

describe("GoogleDirectorySource under failures", () => {
  it("rides out a rate-limit storm of 403s, 429s and 500s and returns the same directory", async () => {
    const snapshot = syntheticDirectory({ users: 700, groups: [{ email: "big@example.com", size: 300 }] });
    await withEmulator(snapshot, async (emulator) => {
      const { source, sleeps } = sourceFor(emulator);
      const request = aRequest({ groupEmails: ["big@example.com"] });
      const calm = await source.readDirectory(request);
      emulator.resetCounts();
      emulator.faults
        .rateLimit({ path: usersPath, times: 4 })
        .rateLimit({ path: "/members", error: "tooManyRequests", times: 2 })
        .rateLimit({ path: "/orgunits", error: "quotaExceeded", times: 1 })
        .rateLimit({ path: /\/groups\/big@example\.com\/members$/, error: "rateLimitExceeded", times: 1 })
        .failPage({ path: usersPath, page: 1, times: 2 })
        .connectionReset({ path: "/members", page: 1, times: 1 });

      const stormy = await source.readDirectory(request);

      expect(stormy).toEqual(calm);
      expect(sleeps).toHaveLength(11);
      expect(emulator.faults.pending()).toBe(0);
      expect(emulator.requestCounts()[usersPath]).toBe(2 + 4 + 2);
    });
  });

  it("backs off exponentially with jitter up to the ceiling", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source, sleeps } = sourceFor(emulator, {
        backoff: { baseMs: 10, maxMs: 80 },
        random: () => 0.5,
      });
      emulator.faults.rateLimit({ path: usersPath, times: 6 });

      await source.readDirectory(aRequest());

      expect(sleeps).toEqual([5, 10, 20, 40, 40, 40]);
    });
  });

  it("retries a response slower than the timeout", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      // The deadline covers every request of the read, so it must be far above what a loaded machine needs
      // for a normal answer (100 ms was not), and the slow answer far above the deadline.
      const { source, sleeps } = sourceFor(emulator, { timeoutMs: 1_500 });
      emulator.faults.slow({ path: usersPath, delayMs: 4_000 });

      const { users } = await source.readDirectory(aRequest());

      expect(users).toHaveLength(5);
      expect(sleeps).toHaveLength(1);
      expect(emulator.requestCounts()[usersPath]).toBe(2);
    });
  });

  it("aborts the whole read when a page keeps failing, returning nothing partial", async () => {
    const snapshot = syntheticDirectory({ users: 1_100 });
    await withEmulator(snapshot, async (emulator) => {
      const { source } = sourceFor(emulator, { maxAttempts: 3 });
      emulator.faults.failPage({ path: usersPath, page: 2, times: 99 });

      const read = source.readDirectory(aRequest());

      await expect(read).rejects.toThrow(DirectoryReadError);
      await expect(read).rejects.toThrow(/users\.list page 3 still failing after 3 attempts: 500/);
      await read.catch((error: DirectoryReadError) => expect(error.cause).toBeDefined());
      expect(emulator.requestCounts()[usersPath]).toBe(2 + 3);
    });
  });

  it("aborts on a persistent failure of member listings", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source } = sourceFor(emulator, { maxAttempts: 4 });
      emulator.faults.persistentFailure({ path: "/members", status: 503 });

      const read = source.readDirectory(aRequest({ groupEmails: ["support@example.com"] }));

      await expect(read).rejects.toThrow(
        new DirectoryReadError(
          "Google directory members.list support@example.com page 1 still failing after 4 attempts: 503 backendError: Backend Error",
        ),
      );
      expect(emulator.requestCounts()[membersPath("support@example.com")]).toBe(4);
    });
  });

  it("does not retry a client error other than rate limits", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source, sleeps } = sourceFor(emulator);
      emulator.faults.error(
        { status: 400, reason: "invalid", message: "Invalid Input", domain: "global" },
        { path: usersPath },
      );

      await expect(source.readDirectory(aRequest())).rejects.toThrow(
        /users\.list page 1 failed: 400 invalid: Invalid Input/,
      );
      expect(sleeps).toEqual([]);
      expect(emulator.requestCounts()[usersPath]).toBe(1);
    });
  });

  it("leaves out a referenced group that does not exist, with every group's address for did-you-mean", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source } = sourceFor(emulator);

      const directory = await source.readDirectory(
        aRequest({ groupEmails: ["aws-admins@example.com", "ghosts@example.com"] }),
      );

      // The rules check reports the missing group at its line and stops the run; the read does not lie.
      expect(directory.groups.map((group) => group.email)).toEqual(["aws-admins@example.com"]);
      expect(directory.knownGroupEmails).toEqual([
        "aws-admins@example.com",
        "platform-team@example.com",
        "sre@example.com",
        "support@example.com",
      ]);
      // One request found it missing (a 404 is not retried), then one groups.list page.
      expect(emulator.requestCounts()[membersPath("ghosts@example.com")]).toBe(1);
      expect(emulator.requestCounts()[groupsPath]).toBe(1);
    });
  });

  it("reads no group list when every group the rules name exists", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source } = sourceFor(emulator);

      const directory = await source.readDirectory(aRequest({ groupEmails: ["aws-admins@example.com"] }));

      expect(directory.knownGroupEmails).toBeUndefined();
      expect(emulator.requestCounts()[groupsPath]).toBeUndefined();
    });
  });

  it("reads every group with its names and members when asked for all groups, 200 a page", async () => {
    const snapshot = syntheticDirectory({
      users: 20,
      groups: Array.from({ length: 230 }, (_, index) => ({ email: `team-${index}@example.com`, size: 2 })),
    });
    await withEmulator(snapshot, async (emulator) => {
      const { source } = sourceFor(emulator);

      const directory = await source.readDirectory(aRequest({ groupEmails: [], allGroups: true }));

      expect(directory.groups).toHaveLength(230);
      expect(directory.groups.every((group) => group.memberEmails.length === 2)).toBe(true);
      expect(emulator.requestCounts()[groupsPath]).toBe(2);
    });
  });
});

/**
 * A company whose AWS group holds Google's "all users in the organization" member (members.list
 * `type: CUSTOMER`, no email) through a nested group, a guest from outside, and a suspended person.
 */
function companyWithAllUsersGroup(): DirectorySnapshot {
  return directorySnapshotSchema.parse({
    users: [
      { primaryEmail: "ann@example.com", givenName: "Ann", familyName: "Abe" },
      { primaryEmail: "ben@example.com", givenName: "Ben", familyName: "Baba" },
      { primaryEmail: "sam@example.com", givenName: "Sam", familyName: "Sato", suspended: true },
      { primaryEmail: "frank@subsidiary.example", givenName: "Frank", familyName: "Fujii" },
    ],
    groups: [
      { email: "everyone@example.com", name: "Everyone", allUsers: true },
      { email: "aws@example.com", name: "AWS", members: ["everyone@example.com", "guest@gmail.com"] },
      { email: "ops@example.com", name: "Ops", members: ["ben@example.com", "sam@example.com"] },
    ],
  });
}

describe("GoogleDirectorySource with members that are not plain users", () => {
  it("says a group holds every user when Google lists its 'all users' member, instead of dropping it", async () => {
    await withEmulator(companyWithAllUsersGroup(), async (emulator) => {
      const { source } = sourceFor(emulator);

      const directory = await source.readDirectory(
        aRequest({ groupEmails: ["aws@example.com", "ops@example.com"] }),
      );

      expect(directory.groups).toEqual([
        {
          id: "aws@example.com",
          email: "aws@example.com",
          name: "aws@example.com",
          memberEmails: ["guest@gmail.com"],
          allUsers: true,
        },
        {
          id: "ops@example.com",
          email: "ops@example.com",
          name: "ops@example.com",
          memberEmails: ["ben@example.com", "sam@example.com"],
        },
      ]);
    });
  });

  it("gives everyone in the domains, and only the active, the access of a group reached through 'all users'", async () => {
    await withEmulator(companyWithAllUsersGroup(), async (emulator) => {
      const { source } = sourceFor(emulator);
      const rules = someRules({
        groups: [{ name: "aws-users", members: [{ googleGroup: "aws@example.com" }] }],
      });

      const directory = await source.readDirectory(aRequest({ groupEmails: ["aws@example.com"] }));
      const result = evaluate(directory, rules, []);

      expect(result.ok && result.desired.groups[0]?.members.map((member) => member.userName)).toEqual([
        "ann@example.com",
        "ben@example.com",
      ]);
    });
  });

  it("leaves out a member Google calls SUSPENDED even when the user list, read a moment before, did not", async () => {
    await withEmulator(companyWithAllUsersGroup(), async (emulator) => {
      // One request at a time: users.list is answered first, then Ben is suspended as the members are asked for.
      const { source } = sourceFor(emulator, { concurrency: 1 });
      let suspended = false;
      emulator.faults.slow({
        path: "/members",
        delayMs: 0,
        while: () => {
          if (!suspended) emulator.push.suspendUser("ben@example.com", { audit: false });
          suspended = true;
          return false;
        },
      });

      const directory = await source.readDirectory(aRequest({ groupEmails: ["ops@example.com"] }));

      expect(directory.users.find((user) => user.primaryEmail === "ben@example.com")?.suspended).toBe(false);
      expect(directory.groups[0]?.memberEmails).toEqual(["sam@example.com"]);
    });
  });
});

describe("GoogleDirectorySource with wrong credentials", () => {
  it("turns a 401 into one ConfigurationError saying what to check, without retrying", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const source = createGoogleDirectorySource(emulatorEnv(emulator, "expired-token"), {
        sleep: async () => {},
      });

      const read = source.readDirectory(aRequest({ groupEmails: ["aws-admins@example.com"] }));

      await expect(read).rejects.toThrow(ConfigurationError);
      await expect(read).rejects.toThrow(/401 authError: Invalid Credentials/);
      await expect(read).rejects.toThrow(/domain-wide delegation/);
      await expect(read).rejects.toThrow(/admin\.directory\.group\.member\.readonly/);
      await expect(read).rejects.toThrow(/GOOGLE_ADMIN_EMAIL \(the subject\) is a super admin/);
      expect(emulator.requestCounts()[usersPath]).toBe(1);
    });
  });

  it("turns a 403 notAuthorized (subject without admin rights) into the same ConfigurationError", async () => {
    await withEmulator(sampleSnapshot(), async (emulator) => {
      const { source, sleeps } = sourceFor(emulator);
      emulator.faults.notAuthorized();

      await expect(source.readDirectory(aRequest())).rejects.toThrow(
        /Google refused the directory credentials \(403 forbidden: Not Authorized to access this resource\/api\)/,
      );
      expect(sleeps).toEqual([]);
    });
  });
});
