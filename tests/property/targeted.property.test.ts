/**
 * Targeted runs (issue #14): a plan made from the slice of a world that belongs to some people equals
 * the same slice of the full plan, and never names anyone else. Same worlds as the planner's own
 * property tests.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareChanges } from "../../src/sync/keys.js";
import type { Change, Plan } from "../../src/sync/model.js";
import { computePlan } from "../../src/sync/plan.js";
import { userKey } from "../../src/sync/scope.js";
import {
  type PeopleSlice,
  sliceDesiredState,
  sliceIdentityCenterState,
  slicePlan,
  withUserNamesOf,
} from "../../src/sync/targeted/slice.js";
import { aWorld, userPool, type World } from "./arbitraries.js";

const runs = { numRuns: 300 };

/** Some people of the pool, each known by every address the world gives them (as Google would). */
const someSubjects = fc.subarray(userPool, { minLength: 1, maxLength: 3 });

function peopleOf(world: World, subjects: string[]): PeopleSlice {
  const names = new Set(subjects.map(userKey));
  // Google knows a person by their aliases too: the desired user's previous userNames.
  for (const user of world.desired.users)
    if (names.has(userKey(user.userName)))
      for (const alias of user.previousUserNames) names.add(userKey(alias));
  return { names, userIds: new Set() };
}

/**
 * The worlds Google can produce: an address belongs to one person only. The generator may hand one
 * address to two desired users (one as userName, another as a previous name); Google cannot.
 */
function addressesAreUnique(world: World): boolean {
  const owner = new Map<string, string>();
  for (const user of world.desired.users) {
    for (const address of [user.userName, ...user.previousUserNames].map(userKey)) {
      const known = owner.get(address);
      if (known !== undefined && known !== userKey(user.userName)) return false;
      owner.set(address, userKey(user.userName));
    }
  }
  return true;
}

function targetedPlan(world: World, people: PeopleSlice): Plan {
  const actual = sliceIdentityCenterState(world.actual, people);
  const desired = sliceDesiredState(world.desired, withUserNamesOf(people, world.actual));
  return slicePlan(computePlan(desired, actual, world.scope), people, actual);
}

const keysOf = (changes: Change[]) => [...changes].sort(compareChanges);

describe("a targeted plan", () => {
  it("equals the slice of the full plan for its people", () => {
    fc.assert(
      fc.property(aWorld, someSubjects, (world, subjects) => {
        fc.pre(addressesAreUnique(world));
        const people = peopleOf(world, subjects);
        const full = computePlan(world.desired, world.actual, world.scope);
        expect(keysOf(targetedPlan(world, people).changes)).toEqual(
          keysOf(slicePlan(full, people, world.actual).changes),
        );
      }),
      runs,
    );
  });

  it("never removes or changes a user, membership or assignment of anyone outside its people", () => {
    fc.assert(
      fc.property(aWorld, someSubjects, (world, subjects) => {
        fc.pre(addressesAreUnique(world));
        const people = withUserNamesOf(peopleOf(world, subjects), world.actual);
        const mine = (userName: string) => people.names.has(userKey(userName));
        for (const change of targetedPlan(world, people).changes) {
          if (change.kind === "deleteUser" || change.kind === "removeMember")
            expect(mine(change.userName)).toBe(true);
          if (change.kind === "updateUser")
            expect(mine(change.userName) || mine(change.user.userName)).toBe(true);
          if (change.kind === "createUser") expect(mine(change.user.userName)).toBe(true);
          if (change.kind === "addMember") expect(mine(change.userName)).toBe(true);
          if (change.kind === "deleteAssignment" || change.kind === "createAssignment") {
            expect(change.assignment.principalType).toBe("USER");
            expect(mine(change.assignment.principalName)).toBe(true);
          }
          expect([
            "deleteGroup",
            "deletePermissionSet",
            "updatePermissionSet",
            "provisionPermissionSet",
          ]).not.toContain(change.kind);
        }
      }),
      runs,
    );
  });
});
