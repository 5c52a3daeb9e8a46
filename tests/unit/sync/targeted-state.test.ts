/**
 * A targeted run (issue #14) keeps one run state with the full runs: it records what it did for its
 * people and leaves everyone else's drift, digests and ownership exactly as the last full run left them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StrictInMemoryIdentityCenter } from "../../../src/adapters/file/strict-in-memory-identity-center.js";
import { FileStateStore } from "../../../src/adapters/state/file-state-store.js";
import { type MonitoredRunOptions, runMonitoredRun } from "../../../src/app/monitored-run.js";
import { defaultNotificationSettings } from "../../../src/notify/decide.js";
import type { Directory, DirectoryRequest } from "../../../src/sync/model.js";
import type { AccountDirectory, DirectorySource } from "../../../src/sync/ports.js";
import type { SyncScope } from "../../../src/sync/run-scope.js";
import { peopleFromDirectory } from "../../../src/sync/targeted/people-from-directory.js";
import type { IdentityCenterPeopleRequest, PeopleRequest } from "../../../src/sync/targeted/reads.js";
import { aDirectory, aDirectoryUser, aGoogleGroup, anAccount, someRules } from "../../builders/rules.js";

class FixedDirectory implements DirectorySource, AccountDirectory {
  constructor(public directory: Directory) {}
  async readDirectory(request: DirectoryRequest): Promise<Directory> {
    return {
      ...this.directory,
      groups: this.directory.groups.filter((g) => request.groupEmails.includes(g.email)),
    };
  }
  async readPeople(request: PeopleRequest) {
    return peopleFromDirectory(this.directory, request);
  }
  async listAccounts() {
    return [anAccount()];
  }
}

const rules = someRules({
  groups: [{ name: "developers", members: [{ googleGroup: "devs@example.com" }] }],
});
const people = (meiSuspended: boolean) =>
  aDirectory({
    users: [
      aDirectoryUser({ id: "g-mei", primaryEmail: "mei@example.com", suspended: meiSuspended }),
      aDirectoryUser({ id: "g-ken", primaryEmail: "ken@example.com" }),
      aDirectoryUser({ id: "g-ren", primaryEmail: "ren@example.com" }),
    ],
    groups: [aGoogleGroup("devs@example.com", ["mei@example.com", "ken@example.com"])],
  });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "idc-sync-targeted-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("a targeted run's run state", () => {
  it("changes only its people's part: others' open drift, digests and Google ids stay", async () => {
    const source = new FixedDirectory(people(false));
    const identityCenter = new StrictInMemoryIdentityCenter();
    const stateStore = new FileStateStore(join(dir, "state.json"));
    let minute = 0;
    const run = (mode: "enforce" | "report", scope?: SyncScope) => {
      minute += 1;
      const options: MonitoredRunOptions = {
        rules,
        ports: { directory: source, accounts: source, identityCenter },
        mode,
        allowDeletions: 10,
        run: { runId: `run-${minute}`, trigger: "cli" },
        clock: { now: () => new Date(Date.UTC(2026, 11, 2, 16, minute)) },
        stateStore,
        settings: defaultNotificationSettings,
        ...(scope ? { scope } : {}),
      };
      return runMonitoredRun(options);
    };
    await run("enforce");
    // ren is added to developers by hand: drift, seen by a full run in report mode.
    await identityCenter.applyChange({
      kind: "createUser",
      key: "user:ren@example.com",
      reason: "by hand",
      user: {
        userName: "ren@example.com",
        displayName: "Ren",
        givenName: "Ren",
        familyName: "T",
        email: "ren@example.com",
      },
    });
    await identityCenter.applyChange({
      kind: "addMember",
      key: "member:developers:ren@example.com",
      reason: "by hand",
      groupName: "developers",
      userName: "ren@example.com",
    });
    await run("report");
    const before = (await stateStore.load()).state!;
    expect(Object.keys(before.drift).sort()).toEqual([
      "member:developers:ren@example.com",
      "user:ren@example.com",
    ]);

    source.directory = people(true);
    const targeted = await run("enforce", {
      kind: "targeted",
      subjects: [{ kind: "person", email: "mei@example.com" }],
    });

    expect(targeted.result.status).toBe("applied");
    const after = (await stateStore.load()).state!;
    expect(after.drift).toEqual(before.drift);
    // What a percentage guard of the next targeted run is of: the last full run's count, after its
    // apply (mei, ken and ren's users, the group and its three memberships: 7).
    expect(before.managedObjects).toBe(7);
    expect(after.managedObjects).toBe(before.managedObjects);
    expect(Object.keys(after.ownership?.users ?? {})).toEqual(["g-ken"]);
    const digestsOf = (state: typeof after, who: string) =>
      Object.entries(state.applied?.digests ?? {}).filter(([key]) => key.includes(who));
    expect(digestsOf(after, "ken@")).toEqual(digestsOf(before, "ken@"));
    expect(digestsOf(after, "mei@")).toEqual([]);
    expect(identityCenter.snapshot().users.map((user) => user.userName)).toEqual([
      "ken@example.com",
      "ren@example.com",
    ]);
  });

  it("keeps the groups a full run listed, hands them to targeted reads, and forgets those its apply deleted", async () => {
    const source = new FixedDirectory(people(false));
    const identityCenter = new StrictInMemoryIdentityCenter();
    const requests: IdentityCenterPeopleRequest[] = [];
    const readPeople = identityCenter.readPeople.bind(identityCenter);
    identityCenter.readPeople = (request, scope) => {
      requests.push(request);
      return readPeople(request, scope);
    };
    const stateStore = new FileStateStore(join(dir, "state.json"));
    let minute = 0;
    const run = (runRules: typeof rules, scope?: SyncScope) => {
      minute += 1;
      return runMonitoredRun({
        rules: runRules,
        ports: { directory: source, accounts: source, identityCenter },
        mode: "enforce",
        allowDeletions: 10,
        run: { runId: `run-${minute}`, trigger: "cli" },
        clock: { now: () => new Date(Date.UTC(2026, 11, 2, 16, minute)) },
        stateStore,
        settings: defaultNotificationSettings,
        ...(scope ? { scope } : {}),
      });
    };
    const known = async () => (await stateStore.load()).state?.knownGroups;

    await run(rules);
    // The first run read Identity Center before it created the group.
    expect(await known()).toEqual([]);
    await run(rules);
    const developers = identityCenter.snapshot().groups.find((group) => group.displayName === "developers");
    expect(await known()).toEqual([{ id: developers?.id, displayName: "developers" }]);

    source.directory = people(true);
    await run(rules, { kind: "targeted", subjects: [{ kind: "person", email: "mei@example.com" }] });
    expect(requests.map((request) => request.knownGroups)).toEqual([
      [{ id: developers?.id, displayName: "developers" }],
    ]);
    expect(await known()).toEqual([{ id: developers?.id, displayName: "developers" }]);

    const withoutDevelopers = someRules({
      groups: [{ name: "admins", members: [{ googleGroup: "devs@example.com" }] }],
    });
    const dropped = await run(withoutDevelopers);
    expect(dropped.result.status).toBe("applied");
    expect(identityCenter.snapshot().groups.map((group) => group.displayName)).toEqual(["admins"]);
    expect(await known()).toEqual([]);
  });
});
