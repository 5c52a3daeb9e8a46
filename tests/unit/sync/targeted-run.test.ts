/**
 * Targeted runs (issue #14) through `runSync`, with the real rules evaluation and the in-memory
 * Identity Center: the people a run names are planned exactly as a full run plans them, and nothing of
 * anyone else is touched.
 */
import { describe, expect, it } from "vitest";
import { StrictInMemoryIdentityCenter } from "../../../src/adapters/file/strict-in-memory-identity-center.js";
import type { Directory, DirectoryRequest, IdentityCenterState } from "../../../src/sync/model.js";
import type { AccountDirectory, DirectorySource } from "../../../src/sync/ports.js";
import type { SyncSubject } from "../../../src/sync/run-scope.js";
import { type RunSyncResult, runSync } from "../../../src/sync/run-sync.js";
import { peopleFromDirectory } from "../../../src/sync/targeted/people-from-directory.js";
import type { PeopleRequest } from "../../../src/sync/targeted/reads.js";
import { slicePlan } from "../../../src/sync/targeted/slice.js";
import { anIcUser } from "../../builders/model.js";
import { aDirectory, aDirectoryUser, aGoogleGroup, anAccount, someRules } from "../../builders/rules.js";

/** A directory source over a fixed directory that counts what it was asked. */
class FixedDirectory implements DirectorySource, AccountDirectory {
  fullReads = 0;
  constructor(private readonly directory: Directory) {}
  async readDirectory(request: DirectoryRequest): Promise<Directory> {
    this.fullReads += 1;
    const wanted = new Set(request.groupEmails);
    return {
      ...this.directory,
      users: this.directory.users.filter((user) =>
        request.domains.some((d) => user.primaryEmail.endsWith(`@${d}`)),
      ),
      groups: this.directory.groups.filter((group) => wanted.has(group.email)),
    };
  }
  async readPeople(request: PeopleRequest) {
    return peopleFromDirectory(this.directory, request);
  }
  async listAccounts() {
    return [anAccount({ id: "111111111111" }), anAccount({ id: "222222222222", name: "prod" })];
  }
}

const rulesParts = {
  groups: [
    { name: "developers", members: [{ googleGroup: "devs@example.com" }] },
    { name: "ops", members: [{ orgUnit: "/Ops" }] },
  ],
  permissionSets: [{ name: "Developer", sessionDuration: "PT8H", managedPolicies: ["PowerUserAccess"] }],
  assignments: [
    { groups: ["developers"], permissionSets: ["Developer"], accounts: ["111111111111"] },
    { users: ["kai@example.com"], permissionSets: ["Developer"], accounts: ["222222222222"] },
  ],
};
const rules = someRules(rulesParts);

const directory = aDirectory({
  users: [
    aDirectoryUser({ primaryEmail: "mei@example.com", suspended: true }),
    aDirectoryUser({ primaryEmail: "kai@example.com", orgUnitPath: "/Ops" }),
    aDirectoryUser({ primaryEmail: "ren@example.com" }),
    aDirectoryUser({ primaryEmail: "guest@partner.example" }),
  ],
  groups: [aGoogleGroup("devs@example.com", ["mei@example.com", "kai@example.com", "ren@example.com"])],
});

/** Identity Center before: mei (now suspended) and bob (gone from Google) both still have access. */
function identityCenterBefore(): IdentityCenterState {
  const user = (userName: string, id: string) =>
    anIcUser({ id, userName, email: userName, displayName: userName });
  return {
    users: [
      user("mei@example.com", "u-mei"),
      user("bob@example.com", "u-bob"),
      user("ren@example.com", "u-ren"),
    ],
    groups: [
      {
        id: "g-dev",
        displayName: "developers",
        members: ["mei@example.com", "bob@example.com", "ren@example.com"],
      },
      { id: "g-ops", displayName: "ops", members: [] },
    ],
    permissionSets: [],
    assignments: [
      ...["111111111111", "222222222222"].flatMap((accountId) => [
        {
          principalType: "USER" as const,
          principalName: "mei@example.com",
          permissionSetName: "Developer",
          accountId,
        },
        {
          principalType: "USER" as const,
          principalName: "bob@example.com",
          permissionSetName: "Developer",
          accountId,
        },
      ]),
      {
        principalType: "GROUP",
        principalName: "developers",
        permissionSetName: "Developer",
        accountId: "111111111111",
      },
    ],
  };
}

async function plan(subjects?: SyncSubject[], before = identityCenterBefore()) {
  const source = new FixedDirectory(directory);
  const identityCenter = new StrictInMemoryIdentityCenter(before);
  const result = await runSync({
    rules,
    ports: { directory: source, accounts: source, identityCenter },
    mode: "plan",
    ...(subjects ? { scope: { kind: "targeted" as const, subjects } } : {}),
  });
  return { result, source };
}

function changesOf(result: RunSyncResult) {
  if (result.status === "invalid") throw new Error(result.problems.map((p) => p.message).join("\n"));
  return result.plan.changes;
}

describe("a targeted run", () => {
  it("plans a leaver exactly as the full run plans them, and reads no whole directory", async () => {
    const full = await plan();
    const targeted = await plan([{ kind: "person", email: "mei@example.com" }]);

    expect(targeted.source.fullReads).toBe(0);
    const people = { names: new Set(["mei@example.com"]), userIds: new Set<string>() };
    if (full.result.status !== "planned") throw new Error(full.result.status);
    expect(changesOf(targeted.result)).toEqual(
      slicePlan(full.result.plan, people, identityCenterBefore()).changes,
    );
    expect(changesOf(targeted.result).map((change) => change.key)).toEqual([
      "assignment:USER:mei@example.com:Developer:111111111111",
      "assignment:USER:mei@example.com:Developer:222222222222",
      "member:developers:mei@example.com",
      "user:mei@example.com",
    ]);
    expect(
      changesOf(targeted.result).every(
        (change) => change.reason === "suspended in Google" || change.kind === "deleteAssignment",
      ),
    ).toBe(true);
  });

  it("never removes anything of a leaver it was not asked about", async () => {
    const { result } = await plan([{ kind: "person", email: "mei@example.com" }]);
    const keys = changesOf(result).map((change) => change.key);
    expect(keys.some((key) => key.includes("bob@example.com"))).toBe(false);
    const full = await plan();
    expect(changesOf(full.result).some((change) => change.key.includes("bob@example.com"))).toBe(true);
  });

  it("plans a joiner with the same rules, and the permission set their assignment needs first", async () => {
    const { result } = await plan([{ kind: "person", email: "kai@example.com" }]);
    expect(changesOf(result).map((change) => change.key)).toEqual([
      // Identity Center has no Developer yet: the assignment depends on its creation.
      "permissionSet:Developer",
      "user:kai@example.com",
      "member:developers:kai@example.com",
      "member:ops:kai@example.com",
      "assignment:USER:kai@example.com:Developer:222222222222",
    ]);
  });

  it("takes a Google group's members as its people", async () => {
    const { result } = await plan([{ kind: "group", email: "devs@example.com" }]);
    const keys = changesOf(result).map((change) => change.key);
    expect(keys).toContain("user:kai@example.com");
    expect(keys).toContain("user:mei@example.com");
    expect(keys.some((key) => key.includes("bob@example.com"))).toBe(false);
  });

  it("finds a person by their Identity Center id", async () => {
    const { result } = await plan([{ kind: "person", identityCenterUserId: "u-mei" }]);
    expect(changesOf(result).map((change) => change.key)).toContain("user:mei@example.com");
  });

  it("changes nothing for a person outside the rules' scope", async () => {
    const { result } = await plan([{ kind: "person", email: "guest@partner.example" }]);
    expect(changesOf(result)).toEqual([]);
    if (result.status === "invalid") throw new Error("invalid");
    expect(result.warnings.join("\n")).toContain("outside the managed domains");
  });

  it("treats an unknown subject as a no-op with a note, not an error", async () => {
    const { result } = await plan([
      { kind: "person", email: "nobody@example.com" },
      { kind: "person", googleId: "no-such-id" },
      { kind: "person", identityCenterUserId: "u-none" },
      { kind: "group", email: "nogroup@example.com" },
    ]);
    expect(result.status).toBe("planned");
    expect(changesOf(result)).toEqual([]);
    if (result.status === "invalid") throw new Error("invalid");
    const warnings = result.warnings.join("\n");
    expect(warnings).toContain("person:google:no-such-id");
    expect(warnings).toContain("person:ic:u-none");
    expect(warnings).toContain("group:email:nogroup@example.com");
  });

  it("checks a percentage maxDeletions against the last full run's count, and says when it cannot", async () => {
    const strict = someRules({ ...rulesParts, safety: { maxDeletions: "10%" } });
    const source = new FixedDirectory(directory);
    const targeted = (fullRunManagedObjects?: number) =>
      runSync({
        rules: strict,
        ports: {
          directory: source,
          accounts: source,
          identityCenter: new StrictInMemoryIdentityCenter(identityCenterBefore()),
        },
        mode: "apply",
        scope: { kind: "targeted", subjects: [{ kind: "person", email: "mei@example.com" }] },
        ...(fullRunManagedObjects === undefined ? {} : { fullRunManagedObjects }),
      });

    // mei's 4 removals: more than 10% of 20 managed objects, within 10% of 40.
    expect((await targeted(20)).status).toBe("blocked");
    expect((await targeted(40)).status).toBe("applied");
    const unknown = await targeted();
    expect(unknown.status).toBe("applied");
    if (unknown.status === "invalid") throw new Error("invalid");
    expect(unknown.warnings.join("\n")).toContain("safety.maxDeletions 10% was not checked");
  });

  it("keeps a static user's Google-group membership when a suspended subject's alias is their address", async () => {
    // A full run resolves a group member's address to the static user before any alias, so the static
    // user stays in developers; the targeted run's people (all of mei's addresses) include that address.
    const staticRules = someRules({
      ...rulesParts,
      users: { static: [{ email: "lee@partner.example", givenName: "Lee", familyName: "Li", groups: [] }] },
    });
    const source = new FixedDirectory(
      aDirectory({
        users: [
          aDirectoryUser({
            primaryEmail: "mei@example.com",
            aliases: ["lee@partner.example"],
            suspended: true,
          }),
        ],
        groups: [aGoogleGroup("devs@example.com", ["lee@partner.example"])],
        orgUnits: ["/Ops"],
      }),
    );
    const stateBefore = (): IdentityCenterState => ({
      users: [
        anIcUser({ id: "u-mei", userName: "mei@example.com", email: "mei@example.com", displayName: "Mei" }),
        anIcUser({
          id: "u-lee",
          userName: "lee@partner.example",
          email: "lee@partner.example",
          displayName: "Lee Li",
        }),
      ],
      groups: [
        { id: "g-dev", displayName: "developers", members: ["lee@partner.example", "mei@example.com"] },
        { id: "g-ops", displayName: "ops", members: [] },
      ],
      permissionSets: [],
      assignments: [],
    });
    const run = (scope?: { kind: "targeted"; subjects: SyncSubject[] }) =>
      runSync({
        rules: staticRules,
        ports: {
          directory: source,
          accounts: source,
          identityCenter: new StrictInMemoryIdentityCenter(stateBefore()),
        },
        mode: "plan",
        ...(scope ? { scope } : {}),
      });
    const full = await run();
    const targeted = await run({
      kind: "targeted",
      subjects: [{ kind: "person", email: "mei@example.com" }],
    });
    if (full.status !== "planned") throw new Error(full.status);
    const people = { names: new Set(["mei@example.com", "lee@partner.example"]), userIds: new Set<string>() };
    expect(changesOf(targeted)).toEqual(slicePlan(full.plan, people, stateBefore()).changes);
    expect(changesOf(targeted).map((change) => change.key)).not.toContain(
      "member:developers:lee@partner.example",
    );
  });

  it("leaves permission set subjects to a full run and says so", async () => {
    const { result } = await plan([
      { kind: "permissionSet", permissionSetArn: "arn:aws:sso:::permissionSet/x" },
    ]);
    if (result.status === "invalid") throw new Error("invalid");
    expect(changesOf(result)).toEqual([]);
    expect(result.needsFullRun).toEqual([
      { kind: "permissionSet", permissionSetArn: "arn:aws:sso:::permissionSet/x" },
    ]);
  });
});
