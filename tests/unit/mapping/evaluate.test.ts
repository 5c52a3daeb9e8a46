import { describe, expect, it } from "vitest";
import { type EvaluateResult, evaluate, formatRuleIssue, type Rules } from "../../../src/mapping/index.js";
import type { AwsAccount, DesiredState, Directory } from "../../../src/sync/model.js";
import {
  aDirectory,
  aDirectoryUser,
  aGoogleGroup,
  anAccount,
  loadRulesText,
  someRules,
} from "../../builders/rules.js";

function desiredFrom(directory: Directory, rules: Rules, accounts: AwsAccount[] = []): DesiredState {
  const result = evaluate(directory, rules, accounts);
  if (!result.ok) throw new Error(result.problems.map(formatRuleIssue).join("\n"));
  return result.desired;
}

function problemsOf(result: EvaluateResult): string[] {
  if (result.ok) throw new Error("expected problems");
  return result.problems.map(formatRuleIssue);
}

const everyoneIn = (name: string, orgUnit = "/") => ({ name, members: [{ orgUnit }] });
const userNames = (desired: DesiredState) => desired.users.map((user) => user.userName);
const membersOf = (desired: DesiredState, group: string) =>
  desired.groups.find((g) => g.displayName === group)?.members.map((member) => member.userName);

describe("which directory users are desired", () => {
  const alice = aDirectoryUser({ primaryEmail: "alice@example.com", aliases: ["ali@example.com"] });

  it("leaves out suspended and archived users and says why under every address", () => {
    const directory = aDirectory({
      users: [
        alice,
        aDirectoryUser({ primaryEmail: "sam@example.com", aliases: ["sammy@example.com"], suspended: true }),
        aDirectoryUser({ primaryEmail: "arch@example.com", archived: true }),
      ],
    });

    const desired = desiredFrom(directory, someRules({ groups: [everyoneIn("all")] }));

    expect(userNames(desired)).toEqual(["alice@example.com"]);
    expect(desired.absentReasons).toEqual({
      "arch@example.com": "archived in Google",
      "sam@example.com": "suspended in Google",
      "sammy@example.com": "suspended in Google",
    });
  });

  it("leaves out excluded users, and with provision mapped users in no group", () => {
    const directory = aDirectory({
      users: [
        alice,
        aDirectoryUser({ primaryEmail: "ceo@example.com", orgUnitPath: "/Board" }),
        aDirectoryUser({ primaryEmail: "bob@example.com", orgUnitPath: "/Sales" }),
      ],
    });
    const rules = someRules({
      users: { exclude: ["CEO@example.com"] },
      groups: [
        { name: "board", members: [{ orgUnit: "/Board" }] },
        { name: "root", members: [{ user: "alice@example.com" }] },
      ],
    });

    const desired = desiredFrom(directory, rules);

    expect(userNames(desired)).toEqual(["alice@example.com"]);
    expect(desired.absentReasons).toEqual({
      "bob@example.com": "in no mapped group",
      "ceo@example.com": "excluded by users.exclude",
    });
  });

  it("says why each absent user is absent as data, naming the users.exclude entry", () => {
    const directory = aDirectory({
      users: [
        alice,
        aDirectoryUser({ primaryEmail: "sam@example.com", suspended: true }),
        aDirectoryUser({ primaryEmail: "arch@example.com", archived: true }),
        aDirectoryUser({
          primaryEmail: "ceo@example.com",
          aliases: ["boss@example.com"],
          orgUnitPath: "/Board",
        }),
        aDirectoryUser({ primaryEmail: "bob@example.com", orgUnitPath: "/Sales" }),
      ],
    });
    const rules = someRules({
      users: { exclude: ["nobody@example.com", "boss@example.com"] },
      groups: [{ name: "root", members: [{ user: "alice@example.com" }] }],
    });

    const desired = desiredFrom(directory, rules);

    expect(desired.absences).toEqual({
      "arch@example.com": { code: "archived" },
      "bob@example.com": { code: "unmapped" },
      "ceo@example.com": { code: "excluded", rule: "users.exclude[1]" },
      "sam@example.com": { code: "suspended" },
    });
  });

  it("with provision all takes every active user in the domains and none outside them", () => {
    const directory = aDirectory({
      users: [alice, aDirectoryUser({ primaryEmail: "guest@elsewhere.example" })],
    });

    const desired = desiredFrom(directory, someRules({ users: { provision: "all" } }));

    expect(desired.users).toEqual([
      {
        userName: "alice@example.com",
        googleId: "google-alice",
        email: "alice@example.com",
        givenName: "Alice",
        familyName: "Tester",
        displayName: "Alice Tester",
        enterprise: {},
        previousUserNames: ["ali@example.com"],
        reason: "active in example.com (users.provision: all)",
      },
    ]);
  });

  it("maps names, title and enterprise attributes as configured", () => {
    const directory = aDirectory({
      users: [
        aDirectoryUser({
          primaryEmail: "Kim@Example.com",
          givenName: "Kim",
          familyName: "Lee",
          title: "Engineer",
          department: "R&D",
          costCenter: "CC-1",
          employeeId: "E42",
          manager: "Boss@Example.com",
        }),
        aDirectoryUser({ primaryEmail: "boss@example.com", givenName: "Bo", familyName: "Ss" }),
      ],
    });
    const rules = someRules({
      users: {
        provision: "all",
        attributes: {
          displayName: "{familyName}, {givenName}",
          costCenter: false,
          organization: "department",
        },
      },
    });

    const kim = desiredFrom(directory, rules).users.find((user) => user.userName === "kim@example.com");

    expect(kim).toMatchObject({
      userName: "kim@example.com",
      displayName: "Lee, Kim",
      title: "Engineer",
      enterprise: {
        department: "R&D",
        employeeNumber: "E42",
        manager: "boss@example.com",
        organization: "R&D",
      },
    });
  });

  it("sets no enterprise attributes when every enterprise mapping is off", () => {
    const rules = someRules({
      users: {
        provision: "all",
        attributes: {
          title: false,
          department: false,
          costCenter: false,
          employeeNumber: false,
          manager: false,
        },
      },
    });

    const [user] = desiredFrom(aDirectory({ users: [aDirectoryUser({ title: "CTO" })] }), rules).users;

    expect(user).not.toHaveProperty("enterprise");
    expect(user).not.toHaveProperty("title");
  });

  it("always desires static users, in their groups", () => {
    const rules = someRules({
      users: {
        static: [
          {
            email: "saburo@partner.example",
            givenName: "Saburo",
            familyName: "Kato",
            groups: ["developers"],
          },
        ],
      },
      groups: [{ name: "developers" }],
    });

    const desired = desiredFrom(aDirectory(), rules);

    expect(desired.users).toEqual([
      {
        userName: "saburo@partner.example",
        email: "saburo@partner.example",
        givenName: "Saburo",
        familyName: "Kato",
        displayName: "Saburo Kato",
        previousUserNames: [],
        reason: "static user in rules",
      },
    ]);
    expect(desired.groups[0]?.members).toEqual([
      {
        userName: "saburo@partner.example",
        reason: "static user",
        sources: [{ kind: "static", rule: "users.static[0]", email: "saburo@partner.example" }],
      },
    ]);
  });

  it("never desires protected users or groups", () => {
    const directory = aDirectory({
      users: [alice, aDirectoryUser({ primaryEmail: "breakglass@example.com" })],
    });
    const rules = someRules({
      users: { provision: "all" },
      groups: [everyoneIn("everyone"), everyoneIn("AWSControlTowerAdmins")],
      safety: { protect: { users: ["breakglass@example.com"], groups: ["AWSControlTowerAdmins"] } },
    });

    const desired = desiredFrom(directory, rules);

    expect(userNames(desired)).toEqual(["alice@example.com"]);
    expect(desired.groups.map((group) => group.displayName)).toEqual(["everyone"]);
    expect(desired.absentReasons).toEqual({});
  });
});

describe("group membership", () => {
  const engineer = aDirectoryUser({ primaryEmail: "eng@example.com", orgUnitPath: "/Engineering" });
  const platform = aDirectoryUser({ primaryEmail: "plat@example.com", orgUnitPath: "/Engineering/Platform" });
  const intern = aDirectoryUser({ primaryEmail: "intern@example.com", orgUnitPath: "/Engineering/Interns" });
  const support = aDirectoryUser({
    primaryEmail: "help@example.com",
    orgUnitPath: "/Ops",
    department: "Support",
  });
  const directory = aDirectory({
    users: [engineer, platform, intern, support],
    groups: [aGoogleGroup("aws-admins@example.com", ["help@example.com", "outsider@gmail.com"])],
  });

  it("includes sub-units of an org unit unless recursive is false", () => {
    const rules = someRules({
      groups: [
        { name: "deep", members: [{ orgUnit: "/Engineering" }] },
        { name: "shallow", members: [{ orgUnit: "/Engineering", recursive: false }] },
      ],
    });

    const desired = desiredFrom(directory, rules);

    expect(membersOf(desired, "deep")).toEqual(["eng@example.com", "intern@example.com", "plat@example.com"]);
    expect(membersOf(desired, "shallow")).toEqual(["eng@example.com"]);
  });

  it("subtracts excludes and explains each member", () => {
    const rules = someRules({
      groups: [
        {
          name: "developers",
          members: [{ orgUnit: "/Engineering" }, { googleGroup: "aws-admins@example.com" }],
          exclude: [{ orgUnit: "/Engineering/Interns" }],
        },
      ],
    });

    const desired = desiredFrom(directory, rules);

    const engineering = {
      kind: "orgUnit",
      rule: "groups[0].members[0]",
      orgUnit: "/Engineering",
      recursive: true,
    } as const;
    expect(desired.groups).toEqual([
      {
        displayName: "developers",
        rule: "groups[0]",
        previousNames: [],
        members: [
          { userName: "eng@example.com", reason: "orgUnit /Engineering", sources: [engineering] },
          {
            userName: "help@example.com",
            reason: "googleGroup aws-admins@example.com",
            sources: [
              { kind: "googleGroup", rule: "groups[0].members[1]", googleGroup: "aws-admins@example.com" },
            ],
          },
          { userName: "plat@example.com", reason: "orgUnit /Engineering", sources: [engineering] },
        ],
        excluded: [
          {
            userName: "intern@example.com",
            sources: [engineering],
            excludedBy: [
              {
                kind: "orgUnit",
                rule: "groups[0].exclude[0]",
                orgUnit: "/Engineering/Interns",
                recursive: true,
              },
            ],
          },
        ],
      },
    ]);
    expect(desired.users.find((user) => user.userName === "help@example.com")?.reason).toBe(
      "member of developers (googleGroup aws-admins@example.com)",
    );
  });

  it("lists every selector that matches a member, the first one giving the reason", () => {
    const rules = someRules({
      groups: [
        {
          name: "ops",
          members: [{ googleGroup: "aws-admins@example.com" }, { where: { department: "Support" } }],
        },
      ],
    });

    const [member] = desiredFrom(directory, rules).groups[0]?.members ?? [];

    expect(member).toEqual({
      userName: "help@example.com",
      reason: "googleGroup aws-admins@example.com",
      sources: [
        { kind: "googleGroup", rule: "groups[0].members[0]", googleGroup: "aws-admins@example.com" },
        { kind: "where", rule: "groups[0].members[1]", where: { department: "Support" } },
      ],
    });
  });

  it("takes a Google group's expanded members, but only active users in the domains", () => {
    const rules = someRules({
      groups: [{ name: "admins", members: [{ googleGroup: "aws-admins@example.com" }] }],
    });

    expect(membersOf(desiredFrom(directory, rules), "admins")).toEqual(["help@example.com"]);
  });

  it("counts every active user of the domains in a Google group holding 'all users', excludes still applying", () => {
    const everyone = { ...aGoogleGroup("everyone@example.com", ["partner@partner.example"]), allUsers: true };
    const withEveryone = aDirectory({
      users: [
        engineer,
        intern,
        aDirectoryUser({ primaryEmail: "gone@example.com", suspended: true }),
        aDirectoryUser({ primaryEmail: "elsewhere@subsidiary.example" }),
      ],
      groups: [everyone],
    });
    const rules = someRules({
      users: { static: [{ email: "partner@partner.example", givenName: "Pat", familyName: "Partner" }] },
      groups: [
        {
          name: "all-staff",
          members: [{ googleGroup: "everyone@example.com" }],
          exclude: [{ orgUnit: "/Engineering/Interns" }],
        },
        {
          name: "not-interns",
          members: [{ orgUnit: "/" }],
          exclude: [{ googleGroup: "everyone@example.com" }],
        },
      ],
    });

    const result = evaluate(withEveryone, rules, []);

    expect(result.ok && membersOf(result.desired, "all-staff")).toEqual([
      "eng@example.com",
      "partner@partner.example",
    ]);
    expect(result.ok && membersOf(result.desired, "not-interns")).toEqual([]);
    expect(result.ok && result.warnings).toEqual([
      expect.stringMatching(/group 'not-interns' matches nobody/),
    ]);
  });

  it("warns, once per Google group, of members outside the domains who get no access, static users aside", () => {
    const guests = Array.from({ length: 6 }, (_, index) => `guest${index}@gmail.com`);
    const withGuests = aDirectory({
      users: [engineer],
      groups: [
        aGoogleGroup("aws@example.com", ["eng@example.com", "partner@partner.example", ...guests]),
        aGoogleGroup("inside@example.com", ["eng@example.com"]),
      ],
    });
    const rules = someRules({
      users: { static: [{ email: "partner@partner.example", givenName: "Pat", familyName: "Partner" }] },
      groups: [
        { name: "a", members: [{ googleGroup: "aws@example.com" }, { googleGroup: "inside@example.com" }] },
        { name: "b", members: [{ googleGroup: "aws@example.com" }] },
      ],
    });

    const result = evaluate(withGuests, rules, []);

    expect(result.ok && membersOf(result.desired, "a")).toEqual([
      "eng@example.com",
      "partner@partner.example",
    ]);
    expect(result.ok && result.warnings).toEqual([
      "rules.yaml:13:22: Google group 'aws@example.com' has 6 members outside google.domains, given no access: guest0@gmail.com, guest1@gmail.com, guest2@gmail.com, guest3@gmail.com, guest4@gmail.com and 1 more (list a person in users.static to give them access)",
    ]);
  });

  it("selects by where when every condition matches", () => {
    const rules = someRules({
      groups: [
        { name: "support", members: [{ where: { department: "Support", orgUnitPath: "/Ops" } }] },
        { name: "nobody", members: [{ where: { department: "Support", orgUnitPath: "/Engineering" } }] },
      ],
    });

    const desired = desiredFrom(directory, rules);

    expect(membersOf(desired, "support")).toEqual(["help@example.com"]);
    expect(membersOf(desired, "nobody")).toEqual([]);
  });

  it("resolves a user selector given an alias to the primary address", () => {
    const renamed = aDirectoryUser({ primaryEmail: "new@example.com", aliases: ["old@example.com"] });
    const rules = someRules({ groups: [{ name: "g", members: [{ user: "old@example.com" }] }] });

    const desired = desiredFrom(aDirectory({ users: [renamed] }), rules);

    expect(membersOf(desired, "g")).toEqual(["new@example.com"]);
    expect(desired.users[0]?.previousUserNames).toEqual(["old@example.com"]);
  });

  it("reports a Google group or org unit that does not exist at the selector", () => {
    const text = [
      "version: 1",
      "google: { domains: [example.com] }",
      "groups:",
      "  - name: g",
      "    members:",
      "      - googleGroup: nobody@example.com",
      "      - orgUnit: /Nowhere",
      "",
    ].join("\n");
    const loaded = loadRulesText(text);
    if (!loaded.ok) throw new Error("rules should load");

    expect(problemsOf(evaluate(directory, loaded.rules, []))).toEqual([
      "rules.yaml:6:22: Google group 'nobody@example.com' does not exist in Google",
      "rules.yaml:7:18: org unit '/Nowhere' does not exist in Google",
    ]);
  });
});

describe("permission sets", () => {
  it("keeps exactly the rules' tags on permission sets and sorts them by name", () => {
    const rules = someRules({ permissionSets: [{ name: "Zeta", tags: { team: "a" } }, { name: "Alpha" }] });

    const desired = desiredFrom(aDirectory(), rules);

    expect(desired.permissionSets.map((set) => [set.name, set.tags])).toEqual([
      ["Alpha", {}],
      ["Zeta", { team: "a" }],
    ]);
  });

  it("says where in the rules each group and permission set is defined, for the ownership record", () => {
    const rules = someRules({
      groups: [
        { name: "admins", members: [] },
        { name: "developers", members: [] },
      ],
      permissionSets: [{ name: "Zeta" }, { name: "Alpha" }],
    });

    const desired = desiredFrom(aDirectory(), rules);

    expect(desired.groups.map((group) => [group.displayName, group.rule])).toEqual([
      ["admins", "groups[0]"],
      ["developers", "groups[1]"],
    ]);
    expect(desired.permissionSets.map((set) => [set.name, set.rule])).toEqual([
      ["Alpha", "permissionSets[1]"],
      ["Zeta", "permissionSets[0]"],
    ]);
  });
});

describe("account sets and assignments", () => {
  const dev = anAccount({ id: "111111111111", name: "dev", tags: { env: "dev" } });
  const prod = anAccount({
    id: "222222222222",
    name: "prod",
    parentId: "ou-ab12-prod0001",
    ancestorIds: ["r-root", "ou-ab12-work0001", "ou-ab12-prod0001"],
  });
  const staging = anAccount({ id: "333333333333", name: "staging", parentId: "ou-ab12-work0001" });
  const closed = anAccount({ id: "444444444444", name: "closed", status: "SUSPENDED", tags: { env: "dev" } });
  const accounts = [dev, prod, staging, closed];
  const alice = aDirectoryUser({ primaryEmail: "alice@example.com" });

  const assignedAccounts = (accountSet: unknown) => {
    const rules = someRules({
      groups: [everyoneIn("developers")],
      permissionSets: [{ name: "Developer" }],
      accounts: { target: accountSet },
      assignments: [{ groups: ["developers"], permissionSets: ["Developer"], accounts: ["target"] }],
    });
    return desiredFrom(aDirectory({ users: [alice] }), rules, accounts).assignments.map((a) => a.accountId);
  };

  it("resolves a list of ids", () => {
    expect(assignedAccounts(["222222222222", "111111111111"])).toEqual(["111111111111", "222222222222"]);
  });

  it("resolves an OU recursively by default, or only its direct children", () => {
    expect(assignedAccounts({ ou: "ou-ab12-work0001" })).toEqual(["222222222222", "333333333333"]);
    expect(assignedAccounts({ ou: "ou-ab12-work0001", recursive: false })).toEqual(["333333333333"]);
  });

  it("resolves tags and all, dropping suspended accounts silently", () => {
    expect(assignedAccounts({ tag: { env: "dev" } })).toEqual(["111111111111"]);
    expect(assignedAccounts("all")).toEqual(["111111111111", "222222222222", "333333333333"]);
  });

  it("warns when a suspended account is listed by id", () => {
    const rules = someRules({
      groups: [everyoneIn("developers")],
      permissionSets: [{ name: "Developer" }],
      assignments: [{ groups: ["developers"], permissionSets: ["Developer"], accounts: ["444444444444"] }],
    });

    const result = evaluate(aDirectory({ users: [alice] }), rules, accounts);

    expect(result.ok && result.desired.assignments).toEqual([]);
    expect(result.ok && result.warnings).toEqual([
      expect.stringMatching(
        /^rules\.yaml:\d+:\d+: AWS account '444444444444' \(closed\) is SUSPENDED; no assignments are made to it$/,
      ),
    ]);
  });

  it("reports an account id that is not in the organization at its position", () => {
    const text = [
      "version: 1",
      "google: { domains: [example.com] }",
      "groups: [{ name: developers, members: [{ orgUnit: / }] }]",
      "permissionSets: [{ name: Developer }]",
      "assignments:",
      "  - groups: [developers]",
      "    permissionSets: [Developer]",
      "    accounts: ['111111111111', '999999999999']",
      "",
    ].join("\n");
    const loaded = loadRulesText(text);
    if (!loaded.ok) throw new Error("rules should load");

    expect(problemsOf(evaluate(aDirectory({ users: [alice] }), loaded.rules, accounts))).toEqual([
      "rules.yaml:8:32: AWS account '999999999999' is not in the organization",
    ]);
  });

  it("crosses principals, permission sets and accounts once each, with a reason", () => {
    const rules = someRules({
      groups: [everyoneIn("developers")],
      permissionSets: [{ name: "Developer" }, { name: "ReadOnly" }],
      accounts: { dev: ["111111111111"] },
      assignments: [
        {
          groups: ["developers"],
          users: ["alice@example.com"],
          permissionSets: ["Developer", "ReadOnly"],
          accounts: ["dev"],
        },
        { groups: ["developers"], permissionSets: ["Developer"], accounts: ["111111111111"] },
      ],
    });

    const desired = desiredFrom(aDirectory({ users: [alice] }), rules, accounts);

    expect(desired.assignments).toEqual([
      {
        principalType: "GROUP",
        principalName: "developers",
        permissionSetName: "Developer",
        accountId: "111111111111",
        reason: "assignments[0]: developers × Developer × dev",
        sources: [
          { rule: "assignments[0]", accounts: "dev" },
          { rule: "assignments[1]", accounts: "111111111111" },
        ],
      },
      {
        principalType: "USER",
        principalName: "alice@example.com",
        permissionSetName: "Developer",
        accountId: "111111111111",
        reason: "assignments[0]: alice@example.com × Developer × dev",
        sources: [{ rule: "assignments[0]", accounts: "dev" }],
      },
      {
        principalType: "GROUP",
        principalName: "developers",
        permissionSetName: "ReadOnly",
        accountId: "111111111111",
        reason: "assignments[0]: developers × ReadOnly × dev",
        sources: [{ rule: "assignments[0]", accounts: "dev" }],
      },
      {
        principalType: "USER",
        principalName: "alice@example.com",
        permissionSetName: "ReadOnly",
        accountId: "111111111111",
        reason: "assignments[0]: alice@example.com × ReadOnly × dev",
        sources: [{ rule: "assignments[0]", accounts: "dev" }],
      },
    ]);
  });

  it("makes no assignment for a user who is not desired, and desires a user assigned directly", () => {
    const gone = aDirectoryUser({ primaryEmail: "gone@example.com", suspended: true });
    const rules = someRules({
      permissionSets: [{ name: "Developer" }],
      assignments: [
        {
          users: ["alice@example.com", "gone@example.com"],
          permissionSets: ["Developer"],
          accounts: ["111111111111"],
        },
      ],
    });

    const desired = desiredFrom(aDirectory({ users: [alice, gone] }), rules, accounts);

    expect(desired.assignments.map((a) => a.principalName)).toEqual(["alice@example.com"]);
    expect(desired.users.map((user) => [user.userName, user.reason])).toEqual([
      ["alice@example.com", "assigned in assignments[0]"],
    ]);
  });

  it("rejects more than 100 groups on one permission set in one account", () => {
    const names = Array.from({ length: 101 }, (_, index) => `team-${String(index).padStart(3, "0")}`);
    const rules = someRules({
      groups: names.map((name) => everyoneIn(name)),
      permissionSets: [{ name: "Developer" }],
      assignments: [{ groups: names, permissionSets: ["Developer"], accounts: ["111111111111"] }],
    });

    expect(problemsOf(evaluate(aDirectory({ users: [alice] }), rules, accounts))).toEqual([
      expect.stringMatching(
        /: permission set 'Developer' would be assigned to more than 100 groups in account 111111111111; Identity Center allows at most 100$/,
      ),
    ]);
  });

  it("rejects more than 500 permission sets in one account", () => {
    const names = Array.from({ length: 501 }, (_, index) => `Set${index}`);
    const rules = someRules({
      groups: [everyoneIn("developers")],
      permissionSets: names.map((name) => ({ name })),
      assignments: [{ groups: ["developers"], permissionSets: names, accounts: ["111111111111"] }],
    });

    expect(problemsOf(evaluate(aDirectory({ users: [alice] }), rules, accounts))).toEqual([
      expect.stringMatching(/: account 111111111111 would get more than 500 permission sets;/),
    ]);
  });
});

describe("determinism", () => {
  it("gives the same desired state whatever the order of the directory and accounts", () => {
    const users = ["c", "a", "b"].map((name, index) =>
      aDirectoryUser({ primaryEmail: `${name}@example.com`, orgUnitPath: index % 2 ? "/A" : "/B" }),
    );
    const groups = [aGoogleGroup("g@example.com", ["c@example.com", "a@example.com"])];
    const accounts = [anAccount({ id: "222222222222" }), anAccount({ id: "111111111111" })];
    const rules = someRules({
      groups: [
        everyoneIn("z-all"),
        { name: "a-google", members: [{ googleGroup: "g@example.com" }, { orgUnit: "/A" }] },
      ],
      permissionSets: [{ name: "P" }],
      assignments: [{ groups: ["z-all", "a-google"], permissionSets: ["P"], accounts: ["all-accounts"] }],
      accounts: { "all-accounts": "all" },
    });

    const forward = desiredFrom(aDirectory({ users, groups }), rules, accounts);
    const backward = desiredFrom(
      aDirectory({ users: [...users].reverse(), groups }),
      rules,
      [...accounts].reverse(),
    );

    expect(backward).toEqual(forward);
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
    expect(userNames(forward)).toEqual(["a@example.com", "b@example.com", "c@example.com"]);
  });
});

describe("evaluating managers", () => {
  it("keeps a manager who gets an Identity Center user and drops one who does not", async () => {
    const { evaluate } = await import("../../../src/mapping/evaluate.js");
    const { someRules, aDirectory, aDirectoryUser } = await import("../../builders/rules.js");
    const rules = someRules({
      groups: [{ name: "developers", members: [{ orgUnit: "/Engineering" }] }],
    });
    const directory = aDirectory({
      users: [
        aDirectoryUser({ primaryEmail: "lead@example.com", orgUnitPath: "/Engineering" }),
        aDirectoryUser({
          primaryEmail: "dev@example.com",
          orgUnitPath: "/Engineering",
          manager: "lead@example.com",
        }),
        aDirectoryUser({ primaryEmail: "seller@example.com", orgUnitPath: "/Sales" }),
        aDirectoryUser({
          primaryEmail: "dev2@example.com",
          orgUnitPath: "/Engineering",
          manager: "seller@example.com",
        }),
      ],
    });

    const result = evaluate(directory, rules, []);

    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const managerOf = (userName: string) =>
      result.desired.users.find((u) => u.userName === userName)?.enterprise?.manager;
    expect(managerOf("dev@example.com")).toBe("lead@example.com");
    expect(managerOf("dev2@example.com")).toBeUndefined();
  });
});

describe("OUs and selectors that match nothing", () => {
  const rulesFor = (sets: Record<string, unknown>) =>
    someRules({
      groups: [everyoneIn("everyone")],
      permissionSets: [{ name: "ReadOnly" }],
      accounts: sets,
      assignments: [{ groups: ["everyone"], permissionSets: ["ReadOnly"], accounts: Object.keys(sets) }],
    });
  const directory = aDirectory({ users: [aDirectoryUser({ primaryEmail: "ann@example.com" })] });
  const accounts = [anAccount({ id: "111111111111", name: "dev", parentId: "ou-ab12-11111111" })];
  const organization = {
    rootId: "r-root",
    organizationalUnits: [
      { id: "ou-ab12-11111111", name: "Dev", parentId: "r-root" },
      { id: "ou-ab12-22222222", name: "Empty", parentId: "r-root" },
    ],
  };

  it("refuses an OU the organization does not have, with the one meant, when every OU is known", () => {
    const result = evaluate(directory, rulesFor({ dev: { ou: "ou-ab12-11111112" } }), accounts, organization);

    expect(problemsOf(result)).toEqual([
      expect.stringMatching(
        /organizational unit 'ou-ab12-11111112' is not in the organization; did you mean 'ou-ab12-11111111' \(Dev\)\?$/,
      ),
    ]);
  });

  it("warns, without refusing, about an OU with no active account and a tag no account has", () => {
    const result = evaluate(
      directory,
      rulesFor({ empty: { ou: "ou-ab12-22222222" }, tagged: { tag: { team: "none" } } }),
      accounts,
      organization,
    );

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.warnings).toEqual([
      expect.stringMatching(/\{ ou: ou-ab12-22222222 \} matches no active account$/),
      expect.stringMatching(/tag selector \{ team: none \} matches no active account$/),
    ]);
    expect(result.warningIssues.map((issue) => issue.message)).toHaveLength(2);
  });

  it("only warns about an unknown OU when the source cannot list every OU", () => {
    const result = evaluate(directory, rulesFor({ dev: { ou: "ou-ab12-11111112" } }), accounts);

    expect(result.ok).toBe(true);
  });

  it("warns about a group that matches nobody", () => {
    const rules = someRules({ groups: [{ name: "nobody", members: [{ orgUnit: "/Nowhere/Else" }] }] });
    const result = evaluate(aDirectory({ orgUnits: ["/Nowhere/Else"] }), rules, accounts, organization);

    expect(result.ok && result.warnings).toEqual([expect.stringMatching(/group 'nobody' matches nobody/)]);
  });
});
