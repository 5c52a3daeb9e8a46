import { describe, expect, it } from "vitest";
import {
  classifyChanges,
  desiredDigests,
  nextAppliedDigests,
  unknownDigest,
} from "../../../src/sync/drift.js";
import type { Change, DesiredState, Plan, RemoveMember } from "../../../src/sync/model.js";

const desired = (members: string[], description = "Developers"): DesiredState => ({
  users: members.map((userName) => ({
    userName,
    displayName: userName,
    givenName: "A",
    familyName: "B",
    email: userName,
    previousUserNames: [],
    reason: "orgUnit /Engineering",
  })),
  groups: [
    {
      displayName: "developers",
      description,
      previousNames: [],
      members: members.map((userName) => ({ userName, reason: "orgUnit /Engineering" })),
    },
  ],
  permissionSets: [],
  assignments: [],
  absentReasons: {},
});
const plan = (...changes: Change[]): Plan => ({ changes, notes: [], managedObjectCount: 0 });
const removeMember = (userName: string): RemoveMember => ({
  kind: "removeMember",
  key: `member:developers:${userName}`,
  reason: "no longer matched by the rules for developers",
  groupName: "developers",
  userName,
});
const addMember = (userName: string): Change => ({
  ...removeMember(userName),
  kind: "addMember",
  reason: "orgUnit",
});
const causes = (classified: Plan) => classified.changes.map((change) => change.cause);

describe("drift classification", () => {
  const before = desiredDigests(desired(["alice@example.com"]));

  it("calls nothing drift when there is no previous state to compare with", () => {
    // Without a comparison, a member the rules do not want is treated as someone on the way out.
    expect(causes(classifyChanges(plan(removeMember("mallory@example.com")), before, undefined))).toEqual([
      "leaver",
    ]);
  });

  it("calls a membership added by hand drift: the rules wanted it absent before and now", () => {
    const current = desiredDigests(desired(["alice@example.com"]));
    expect(causes(classifyChanges(plan(removeMember("mallory@example.com")), current, before))).toEqual([
      "drift",
    ]);
  });

  it("calls a membership removed by hand drift, and a membership Google added a joiner", () => {
    const current = desiredDigests(desired(["alice@example.com", "bob@example.com"]));
    const classified = classifyChanges(
      plan(addMember("alice@example.com"), addMember("bob@example.com")),
      current,
      before,
    );
    expect(causes(classified)).toEqual(["drift", "joiner"]);
  });

  it("calls the removals of a group that left the rules a rules change, not drift or a mover", () => {
    const current = desiredDigests({ ...desired(["alice@example.com"]), groups: [] });
    const removal = {
      ...removeMember("alice@example.com"),
      reason: "removed from the rules (was groups[0] developers)",
    };
    const deleteGroup: Change = {
      kind: "deleteGroup",
      key: "group:developers",
      reason: removal.reason,
      displayName: "developers",
    };

    expect(causes(classifyChanges(plan(removal, deleteGroup), current, before))).toEqual(["rules", "rules"]);
  });

  it("calls the removal of someone whose every group left the rules a rules change, not a leaver", () => {
    const current = desiredDigests({ ...desired([]), groups: [] });
    const deleteUser: Change = {
      kind: "deleteUser",
      key: "user:alice@example.com",
      reason: "in no mapped group",
      userName: "alice@example.com",
    };
    expect(causes(classifyChanges(plan(deleteUser), current, before))).toEqual(["rules"]);
  });

  it("calls a removal for someone Google dropped a leaver", () => {
    const current = desiredDigests(desired([]));
    expect(causes(classifyChanges(plan(removeMember("alice@example.com")), current, before))).toEqual([
      "leaver",
    ]);
  });

  it("calls a group whose description changed in the rules a rules change, not drift", () => {
    const current = desiredDigests(desired(["alice@example.com"], "All developers"));
    const update: Change = {
      kind: "updateGroup",
      key: "group:developers",
      reason: "description changed in the rules",
      currentDisplayName: "developers",
      displayName: "developers",
      fields: [],
    };
    expect(causes(classifyChanges(plan(update), current, before))).toEqual(["rules"]);
    expect(causes(classifyChanges(plan(update), before, before))).toEqual(["drift"]);
  });

  it("calls a person renamed in Google a mover, not a joiner, though their new name was never applied", () => {
    const renamed = { ...desired([]), users: desired(["alice.l@example.com"]).users };
    const current = desiredDigests(renamed);
    const rename: Change = {
      kind: "updateUser",
      key: "user:alice.l@example.com",
      reason: "renamed in Google (same Google id 1): alice@example.com is now alice.l@example.com",
      userName: "alice@example.com",
      user: { ...renamed.users[0]! },
      fields: [{ field: "userName", from: "alice@example.com", to: "alice.l@example.com" }],
    };
    expect(causes(classifyChanges(plan(rename), current, before))).toEqual(["mover"]);
  });

  describe("a manager's reference", () => {
    const withManager = (manager?: string): DesiredState => {
      const state = desired(["hiroshi@example.com", ...(manager ? [manager] : [])]);
      state.users[0]!.enterprise = { department: "Sales", ...(manager ? { manager } : {}) };
      return state;
    };
    const update = (from?: string, to?: string): Change => ({
      kind: "updateUser",
      key: "user:hiroshi@example.com",
      reason: "r",
      userName: "hiroshi@example.com",
      user: withManager(to).users[0]!,
      fields: [
        {
          field: "enterprise",
          from: { department: "Sales", ...(from ? { manager: from } : {}) },
          to: { department: "Sales", ...(to ? { manager: to } : {}) },
        },
      ],
    });

    it("calls the update a joiner's change when the manager joins in the same plan: the person did not move", () => {
      const last = desiredDigests(withManager());
      const current = desiredDigests(withManager("yuki@example.com"));
      const joining: Change = {
        kind: "createUser",
        key: "user:yuki@example.com",
        reason: "member of support",
        user: withManager("yuki@example.com").users[1]!,
      };
      expect(
        causes(classifyChanges(plan(joining, update(undefined, "yuki@example.com")), current, last)),
      ).toEqual(["joiner", "joiner"]);
    });

    it("calls the update a leaver's change when the manager leaves", () => {
      const last = desiredDigests(withManager("yuki@example.com"));
      const current = desiredDigests(withManager());
      expect(causes(classifyChanges(plan(update("yuki@example.com", undefined)), current, last))).toEqual([
        "leaver",
      ]);
    });

    it("calls it a mover when Google gave the person another manager", () => {
      const last = desiredDigests(withManager("yuki@example.com"));
      const current = desiredDigests(withManager("kenji@example.com"));
      expect(
        causes(classifyChanges(plan(update("yuki@example.com", "kenji@example.com")), current, last)),
      ).toEqual(["mover"]);
    });
  });

  it("never calls an item drift while its last applied desired side is unknown", () => {
    const unknown = { ...before, "member:developers:mallory@example.com": unknownDigest };
    expect(causes(classifyChanges(plan(removeMember("mallory@example.com")), before, unknown))).toEqual([
      "leaver",
    ]);
  });
});

describe("the digests kept after a run", () => {
  it("take this run's digests for items in step, and keep the old ones for changes that did not happen", () => {
    const last = desiredDigests(desired(["alice@example.com"]));
    const current = desiredDigests(desired(["alice@example.com", "bob@example.com"]));

    const next = nextAppliedDigests(current, last, [addMember("bob@example.com")]);

    expect(next["member:developers:bob@example.com"]).toBeUndefined();
    expect(next["user:bob@example.com"]).toBe(current["user:bob@example.com"]);
  });

  it("mark a change that did not happen as unknown when there was no state before", () => {
    const current = desiredDigests(desired(["alice@example.com"]));
    const next = nextAppliedDigests(current, undefined, [removeMember("mallory@example.com")]);
    expect(next["member:developers:mallory@example.com"]).toBe(unknownDigest);
  });
});
