import { describe, expect, it } from "vitest";
import type { Plan } from "../../../src/sync/model.js";
import { computePlan } from "../../../src/sync/plan.js";
import {
  aDesiredAssignment,
  aDesiredGroup,
  aDesiredState,
  aDesiredUser,
  aMember,
  anAssignment,
  anIcGroup,
  anIcUser,
  anIdentityCenterState,
  anOwnership,
  aScope,
  icUserFrom,
} from "../../builders/model.js";

const lines = (plan: Plan) => plan.changes.map((c) => `${c.kind} ${c.key} # ${c.reason}`);

/**
 * Carol was carol@example.com (Identity Center user u-carol). An administrator renamed her in Google to
 * carol.chiba@example.com and deleted the old address, so Google keeps no alias: only her id is the same.
 */
const carolRenamed = aDesiredUser({
  userName: "carol.chiba@example.com",
  googleId: "g-carol",
  givenName: "Carol",
  familyName: "Chiba",
  displayName: "Carol Chiba",
  previousUserNames: [],
});
const carolBefore = anIcUser({
  id: "u-carol",
  userName: "carol@example.com",
  givenName: "Carol",
  familyName: "Chiba",
  displayName: "Carol Chiba",
});
const memberships = [anIcGroup({ displayName: "developers", members: ["carol@example.com"] })];
const grants = [anAssignment({ principalType: "USER", principalName: "carol@example.com" })];
const wanted = (users = [carolRenamed]) =>
  aDesiredState({
    users,
    groups: [aDesiredGroup({ members: [aMember("carol.chiba@example.com")] })],
    assignments: [aDesiredAssignment({ principalType: "USER", principalName: "carol.chiba@example.com" })],
  });
const remembered = anOwnership({
  users: { "g-carol": { userId: "u-carol", userName: "carol@example.com" } },
});

describe("one person, one Identity Center user", () => {
  it("renames the user of a person renamed in Google without an alias, found by their Google id, keeping memberships and grants", () => {
    const actual = anIdentityCenterState({ users: [carolBefore], groups: memberships, assignments: grants });

    const plan = computePlan(wanted(), actual, aScope(), remembered);

    expect(lines(plan)).toEqual([
      "updateUser user:carol.chiba@example.com # renamed in Google (same Google id g-carol): carol@example.com is now carol.chiba@example.com",
    ]);
    expect(plan.changes[0]).toMatchObject({
      userName: "carol@example.com",
      user: { userName: "carol.chiba@example.com", email: "carol.chiba@example.com" },
      fields: [
        { field: "userName", from: "carol@example.com", to: "carol.chiba@example.com" },
        { field: "email", from: "carol@example.com", to: "carol.chiba@example.com" },
      ],
    });
    expect(plan.ownership?.users).toEqual({
      "g-carol": { userId: "u-carol", userName: "carol.chiba@example.com" },
    });
  });

  it("finds the person by the userName their user was created with while no run has seen its id yet", () => {
    const justCreated = anOwnership({ users: { "g-carol": { userName: "carol@example.com" } } });
    const actual = anIdentityCenterState({ users: [carolBefore], groups: memberships, assignments: grants });

    const plan = computePlan(wanted(), actual, aScope(), justCreated);

    expect(plan.changes.map((c) => `${c.kind} ${c.key}`)).toEqual([
      "updateUser user:carol.chiba@example.com",
    ]);
  });

  it("records which user each person's Google id is, once the user is found by name", () => {
    const actual = anIdentityCenterState({ users: [{ ...icUserFrom(carolRenamed), id: "u-9" }] });

    const plan = computePlan(wanted(), actual, aScope(), anOwnership());

    expect(plan.changes.filter((c) => c.kind.endsWith("User"))).toEqual([]);
    expect(plan.ownership?.users).toEqual({
      "g-carol": { userId: "u-9", userName: "carol.chiba@example.com" },
    });
  });

  it("records the userName a person's user is about to be created with", () => {
    const plan = computePlan(wanted(), anIdentityCenterState(), aScope(), anOwnership());

    expect(plan.ownership?.users).toEqual({ "g-carol": { userName: "carol.chiba@example.com" } });
  });

  it("gives a freed address to the new person who now has it, and keeps the old user with the renamed one", () => {
    // A new hire got carol@example.com after Carol's rename; by name alone, the newcomer would inherit
    // Carol's user with her groups and grants.
    const newcomer = aDesiredUser({ userName: "carol@example.com", googleId: "g-newcomer" });
    const actual = anIdentityCenterState({ users: [carolBefore], groups: memberships, assignments: grants });

    const plan = computePlan(wanted([carolRenamed, newcomer]), actual, aScope(), remembered);

    expect(plan.changes.map((c) => `${c.kind} ${c.key}`)).toEqual([
      "createUser user:carol@example.com",
      "updateUser user:carol.chiba@example.com",
    ]);
    expect(plan.changes[1]).toMatchObject({ userName: "carol@example.com" });
  });

  it("prefers the user that has the person's name when the recorded id points at someone else's user", () => {
    const carolNow = anIcUser({ id: "u-new", userName: "carol.chiba@example.com" });
    const stale = anIcUser({ id: "u-carol", userName: "carol@example.com" });
    const actual = anIdentityCenterState({
      users: [{ ...icUserFrom(carolRenamed), id: carolNow.id }, stale],
    });

    const plan = computePlan(wanted(), actual, aScope(), remembered);

    expect(lines(plan).filter((line) => line.includes("User"))).toEqual([
      "deleteUser user:carol@example.com # not in Google",
    ]);
    expect(plan.ownership?.users).toEqual({
      "g-carol": { userId: "u-new", userName: "carol.chiba@example.com" },
    });
  });

  it("still finds a renamed person by a Google alias when there is no record", () => {
    const withAlias = { ...carolRenamed, previousUserNames: ["carol@example.com"] };
    const actual = anIdentityCenterState({ users: [carolBefore], groups: memberships, assignments: grants });

    const plan = computePlan(wanted([withAlias]), actual, aScope(), undefined);

    expect(lines(plan)).toEqual([
      "updateUser user:carol.chiba@example.com # renamed in the directory: carol@example.com is now carol.chiba@example.com",
    ]);
  });

  it("with the record lost and no alias, can only replace the user (the fallback the README describes)", () => {
    const actual = anIdentityCenterState({ users: [carolBefore], groups: memberships, assignments: grants });

    const plan = computePlan(wanted(), actual, aScope(), undefined);

    expect(plan.changes.map((c) => `${c.kind} ${c.key}`)).toEqual([
      "createUser user:carol.chiba@example.com",
      "addMember member:developers:carol.chiba@example.com",
      "createAssignment assignment:USER:carol.chiba@example.com:Developer:111111111111",
      "deleteAssignment assignment:USER:carol@example.com:Developer:111111111111",
      "removeMember member:developers:carol@example.com",
      "deleteUser user:carol@example.com",
    ]);
  });

  it("never takes over a protected or out-of-scope user through a recorded id", () => {
    const outsider = anIcUser({ id: "u-carol", userName: "carol@other.org" });
    const guarded = anIcUser({ id: "u-guarded", userName: "breakglass@example.com" });
    const actual = anIdentityCenterState({ users: [outsider, guarded] });
    const ids = anOwnership({
      users: {
        "g-carol": { userId: "u-carol", userName: "carol@other.org" },
        "g-dave": { userId: "u-guarded", userName: "breakglass@example.com" },
      },
    });
    const dave = aDesiredUser({ userName: "dave@example.com", googleId: "g-dave" });

    const plan = computePlan(
      wanted([carolRenamed, dave]),
      actual,
      aScope({ protectedUserNames: ["breakglass@example.com"] }),
      ids,
    );

    expect(plan.changes.filter((c) => c.kind.endsWith("User")).map((c) => c.key)).toEqual([
      "user:carol.chiba@example.com",
      "user:dave@example.com",
    ]);
    expect(plan.changes.filter((c) => c.kind.endsWith("User")).map((c) => c.kind)).toEqual([
      "createUser",
      "createUser",
    ]);
  });
});

describe("users another provisioner owns", () => {
  const scimUser = (userName: string) =>
    anIcUser({
      userName,
      displayName: "Set By SCIM",
      externalIds: [{ issuer: "https://accounts.google.com/o/saml2?idpid=C0abc", id: "1043" }],
    });

  it("leaves them alone: no update, no deletion, one note that says why and how to opt in", () => {
    const dave = aDesiredUser({ userName: "dave@example.com" });
    const actual = anIdentityCenterState({
      users: [scimUser("dave@example.com"), scimUser("erin@example.com")],
    });

    const plan = computePlan(aDesiredState({ users: [dave] }), actual, aScope(), anOwnership());

    expect(plan.changes).toEqual([]);
    expect(plan.externallyProvisionedUsers).toEqual(["dave@example.com", "erin@example.com"]);
    expect(plan.notes).toEqual([
      {
        kind: "externallyProvisioned",
        name: "2 users",
        detail:
          "created by another provisioner (SCIM; ExternalIds issued by https://accounts.google.com/o/saml2?idpid=C0abc), left alone: dave@example.com, erin@example.com. idc-sync does not create, change or delete them, so the two never undo each other; set users.externallyProvisioned: manage in the rules to let idc-sync manage them",
      },
    ]);
  });

  it("still puts them in the groups the rules say, since the groups are idc-sync's", () => {
    const dave = aDesiredUser({ userName: "dave@example.com" });
    const actual = anIdentityCenterState({
      users: [scimUser("dave@example.com")],
      groups: [anIcGroup({ members: [] })],
    });
    const desired = aDesiredState({
      users: [dave],
      groups: [aDesiredGroup({ members: [aMember("dave@example.com")] })],
    });

    expect(lines(computePlan(desired, actual, aScope(), anOwnership()))).toEqual([
      "addMember member:developers:dave@example.com # orgUnit /Engineering",
    ]);
  });

  it("manages them like any other user when the rules opt in", () => {
    const dave = aDesiredUser({ userName: "dave@example.com" });
    const actual = anIdentityCenterState({
      users: [scimUser("dave@example.com"), scimUser("erin@example.com")],
    });

    const plan = computePlan(
      aDesiredState({ users: [dave] }),
      actual,
      aScope({ externallyProvisioned: "manage" }),
      anOwnership(),
    );

    expect(plan.changes.map((c) => `${c.kind} ${c.key}`)).toEqual([
      "updateUser user:dave@example.com",
      "deleteUser user:erin@example.com",
    ]);
    expect(plan.externallyProvisionedUsers).toEqual([]);
  });
});
