/**
 * Targeted runs (issue #14), the directory half: evaluating the rules against the directory cut to a
 * few people (`peopleFromDirectory`, what the Google and file sources answer) gives those people exactly
 * what evaluating the whole directory gives them: org units, nested Google groups, Google's "all users"
 * member, `where` selectors, exclusions, static users, leavers' reasons.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluate } from "../../src/mapping/index.js";
import type { Directory, DirectoryGroup, DirectoryUser } from "../../src/sync/model.js";
import { userKey } from "../../src/sync/scope.js";
import { peopleFromDirectory } from "../../src/sync/targeted/people-from-directory.js";
import { sliceDesiredState } from "../../src/sync/targeted/slice.js";
import { anAccount, someRules } from "../builders/rules.js";
import { userPool } from "./arbitraries.js";

const orgUnits = ["/", "/Eng", "/Eng/Platform", "/Sales"];
const groupEmails = ["devs@example.com", "ops@example.com", "all@example.com"];

const rulesVariants = [
  someRules({
    google: { domains: ["example.com", "other.org"] },
    users: {
      exclude: ["carol@example.com"],
      static: [{ email: "dave@partner.example", givenName: "Dave", familyName: "P", groups: ["platform"] }],
    },
    groups: [
      { name: "platform", members: [{ orgUnit: "/Eng" }], exclude: [{ orgUnit: "/Eng/Platform" }] },
      { name: "developers", members: [{ googleGroup: "devs@example.com" }, { user: "erin@other.org" }] },
      { name: "sales", members: [{ where: { department: "Sales" } }] },
      {
        name: "everyone",
        members: [{ googleGroup: "all@example.com" }],
        exclude: [{ googleGroup: "ops@example.com" }],
      },
    ],
    permissionSets: [{ name: "Dev", sessionDuration: "PT1H", managedPolicies: ["ReadOnlyAccess"] }],
    assignments: [
      { users: ["alice@example.com", "bob@other.org"], permissionSets: ["Dev"], accounts: ["111111111111"] },
    ],
  }),
  someRules({
    users: { provision: "all" },
    groups: [{ name: "ops", members: [{ googleGroup: "ops@example.com" }] }],
  }),
];

const aUser = (email: string) =>
  fc
    .record({
      orgUnitPath: fc.constantFrom(...orgUnits),
      suspended: fc.boolean(),
      archived: fc.boolean(),
      department: fc.constantFrom("Sales", "Eng", undefined),
      alias: fc.option(fc.constantFrom(...userPool), { nil: undefined }),
      manager: fc.option(fc.constantFrom(...userPool), { nil: undefined }),
    })
    .map(
      ({ alias, department, manager, ...rest }): DirectoryUser => ({
        id: `g-${email}`,
        primaryEmail: email,
        aliases: alias !== undefined && alias !== email ? [alias] : [],
        givenName: "Given",
        familyName: "Family",
        ...rest,
        ...(department ? { department } : {}),
        // Identity Center keeps a manager only when the manager is wanted too: a cross-person fact.
        ...(manager && manager !== email ? { manager } : {}),
      }),
    );

/** A whole directory: some of the pool as users, groups whose members are users, outsiders, allUsers. */
const aDirectory: fc.Arbitrary<Directory> = fc
  .subarray(userPool, { minLength: 1, maxLength: 10 })
  .chain((emails) =>
    fc.tuple(
      fc.tuple(...emails.map(aUser)),
      fc.tuple(
        ...groupEmails.map((email) =>
          fc.record({ members: fc.subarray(userPool, { maxLength: 6 }), allUsers: fc.boolean() }).map(
            ({ members, allUsers }): DirectoryGroup => ({
              id: email,
              email,
              name: email,
              memberEmails: [...members].sort(),
              ...(allUsers ? { allUsers } : {}),
            }),
          ),
        ),
      ),
    ),
  )
  .map(([users, groups]) => {
    // An address belongs to one person: drop aliases another user has as primary or alias.
    const taken = new Set(users.map((user) => user.primaryEmail));
    const unique = users.map((user) => {
      const aliases = user.aliases.filter((alias) => !taken.has(alias));
      for (const alias of aliases) taken.add(alias);
      return { ...user, aliases };
    });
    return {
      users: unique,
      groups,
      orgUnits: orgUnits.filter((path) => path !== "/").map((path) => ({ path, name: path })),
      completeness: { proven: true } as const,
    };
  });

const accounts = [anAccount()];

describe("evaluating the rules for a few people", () => {
  it("gives them what evaluating the whole directory gives them", () => {
    fc.assert(
      fc.property(
        aDirectory,
        fc.subarray([...userPool, "dave@partner.example", "nobody@example.com"], {
          minLength: 1,
          maxLength: 3,
        }),
        fc.constantFrom(...rulesVariants.keys()),
        (directory, subjects, variant) => {
          const rules = rulesVariants[variant]!;
          const full = evaluate(
            {
              ...directory,
              users: directory.users.filter((user) =>
                rules.google.domains.some((domain) => user.primaryEmail.endsWith(`@${domain}`)),
              ),
            },
            rules,
            accounts,
          );
          const request = {
            customerId: "my_customer",
            domains: rules.google.domains,
            groupEmails: groupEmails.filter((email) =>
              rules.groups.some((group) =>
                [...group.members, ...group.exclude].some(
                  (s) => "googleGroup" in s && s.googleGroup === email,
                ),
              ),
            ),
            people: subjects.map((email) => ({ email })),
            groups: [],
            staticUsers: rules.users.static.map((user) => user.email),
          };
          const read = peopleFromDirectory(directory, request);
          const sliced = evaluate(
            { ...read.directory, orgUnits: read.directory.orgUnits ?? directory.orgUnits },
            rules,
            accounts,
          );
          if (!full.ok || !sliced.ok) throw new Error("the generated rules must fit");
          const names = new Set(subjects.map(userKey));
          // As readPeopleDirectory names them: managers read only as context are not the run's people.
          const context = new Set(read.context ?? []);
          for (const user of read.directory.users) {
            if (context.has(user.primaryEmail.toLowerCase())) continue;
            names.add(userKey(user.primaryEmail));
            for (const alias of user.aliases) names.add(userKey(alias));
          }
          const people = { names, userIds: new Set<string>() };
          const comparable = (desired: typeof full.desired) => {
            const slice = sliceDesiredState(desired, people);
            return {
              users: slice.users,
              members: slice.groups.map((group) => [group.displayName, group.members]),
              assignments: slice.assignments,
              absentReasons: slice.absentReasons,
            };
          };
          expect(comparable(sliced.desired)).toEqual(comparable(full.desired));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
