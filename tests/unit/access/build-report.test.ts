import { describe, expect, it } from "vitest";
import { buildAccessReport } from "../../../src/access/build-report.js";
import type { AccessReport, AccessStatus } from "../../../src/access/model.js";
import { indexAccess, pathStatus, summarizeAccess } from "../../../src/access/paths.js";
import { anIcGroup, anIcUser } from "../../builders/model.js";
import { accessInputs } from "./builders.js";

/** "person → account/permission set via group: status", the way a reader would list a report's paths. */
function pathsOf(report: AccessReport, email: string): string[] {
  const person = report.people.findIndex((candidate) => candidate.key === email);
  if (person < 0) throw new Error(`no person ${email}`);
  return indexAccess(report)
    .pathsOf(person)
    .map((path) => {
      const principal = report.principals[path.principal]!;
      const via = principal.type === "GROUP" ? principal.name : "direct";
      return `${report.accounts[path.account]!.name}/${report.permissionSets[path.permissionSet]} via ${via}: ${path.status}`;
    });
}

function standingOf(report: AccessReport, email: string) {
  return report.people.find((person) => person.key === email)?.standing;
}

function grantStatus(report: AccessReport, principal: string, permissionSet: string, account: string) {
  return report.grants.find(
    (grant) =>
      report.principals[grant.principal]!.name === principal &&
      report.permissionSets[grant.permissionSet] === permissionSet &&
      report.accounts[grant.account]!.name === account,
  )?.status;
}

describe("the access report when Identity Center matches the rules", () => {
  const report = buildAccessReport(accessInputs());

  it("lists every path a person has, each granted, through groups and direct assignments", () => {
    expect(pathsOf(report, "eng@example.com")).toEqual([
      "dev/Developer via developers: granted",
      "prod/ReadOnly via developers: granted",
    ]);
    expect(pathsOf(report, "ops@example.com")).toEqual([
      "dev/Admin via admins: granted",
      "prod/Admin via admins: granted",
      "prod/ReadOnly via support: granted",
    ]);
    expect(pathsOf(report, "sam@example.com")).toEqual(["dev/ReadOnly via direct: granted"]);
  });

  it("keeps the Google source of each membership and the rule of each grant as data", () => {
    const person = report.people.findIndex((candidate) => candidate.key === "ops@example.com");
    const [adminPath] = indexAccess(report).pathsOf(person);

    expect(adminPath?.membership?.sources).toEqual([
      { kind: "googleGroup", rule: "groups[0].members[0]", googleGroup: "aws-admins@example.com" },
    ]);
    expect(adminPath?.grant.sources).toEqual([{ rule: "assignments[0]", accounts: "dev" }]);
    expect(report.ruleLines["groups[0].members[0]"]).toBeGreaterThan(0);
  });

  it("says where each person stands with the rules, from the desired state and the scope", () => {
    expect(standingOf(report, "eng@example.com")).toEqual({ code: "provisioned" });
    expect(standingOf(report, "gone@example.com")).toEqual({ code: "suspended" });
    expect(standingOf(report, "ceo@example.com")).toEqual({ code: "excluded", rule: "users.exclude[0]" });
    expect(standingOf(report, "idle@example.com")).toEqual({ code: "unmapped" });
    expect(standingOf(report, "con@partner.example")).toEqual({ code: "provisioned" });
    expect(report.people.find((person) => person.key === "con@partner.example")?.origin).toBe("static");
  });

  it("shows accounts as name and id, sorted by name, and counts paths by status", () => {
    expect(report.accounts.map((account) => `${account.name} (${account.id})`)).toEqual([
      "dev (111111111111)",
      "prod (222222222222)",
    ]);
    // eng 2, ops 3, sam 1 (direct), the static contractor 2 (developers).
    expect(summarizeAccess(report).paths).toEqual({ granted: 8, pending: 0, unexplained: 0, unmanaged: 0 });
  });
});

describe("the access report when Identity Center and the rules differ", () => {
  it("marks access the rules grant that Identity Center does not have yet as pending", () => {
    const report = buildAccessReport(
      accessInputs({
        actual: (state) => ({
          ...state,
          groups: state.groups.map((group) =>
            group.displayName === "developers" ? { ...group, members: [] } : group,
          ),
          assignments: state.assignments.filter((assignment) => assignment.principalName !== "support"),
        }),
      }),
    );

    expect(pathsOf(report, "eng@example.com")).toEqual([
      "dev/Developer via developers: pending",
      "prod/ReadOnly via developers: pending",
    ]);
    expect(pathsOf(report, "ops@example.com")).toContain("prod/ReadOnly via support: pending");
    expect(grantStatus(report, "support", "ReadOnly", "prod")).toBe("pending");
  });

  it("marks access Identity Center has but no rule grants, inside what idc-sync manages, as unexplained", () => {
    const report = buildAccessReport(
      accessInputs({
        actual: (state) => ({
          ...state,
          users: [...state.users, anIcUser({ userName: "gone@example.com" })],
          groups: state.groups.map((group) =>
            group.displayName === "admins"
              ? { ...group, members: [...(group.members ?? []), "gone@example.com"] }
              : group,
          ),
          assignments: [
            ...state.assignments,
            {
              principalType: "GROUP",
              principalName: "developers",
              permissionSetName: "Admin",
              accountId: "222222222222",
            },
          ],
        }),
      }),
    );

    expect(pathsOf(report, "gone@example.com")).toEqual([
      "dev/Admin via admins: unexplained",
      "prod/Admin via admins: unexplained",
    ]);
    expect(pathsOf(report, "eng@example.com")).toContain("prod/Admin via developers: unexplained");
    expect(grantStatus(report, "developers", "Admin", "prod")).toBe("unexplained");
    expect(standingOf(report, "gone@example.com")).toEqual({ code: "suspended" });
  });

  it("marks access outside what idc-sync manages (protected, not in the rules) as unmanaged", () => {
    const report = buildAccessReport(
      accessInputs({
        actual: (state) => ({
          ...state,
          users: [...state.users, anIcUser({ userName: "breakglass@example.com" })],
          groups: [
            ...state.groups,
            anIcGroup({
              id: "ct",
              displayName: "AWSControlTowerAdmins",
              members: ["breakglass@example.com"],
            }),
            anIcGroup({ id: "legacy", displayName: "legacy-ops", members: ["eng@example.com"] }),
          ],
          assignments: [
            ...state.assignments,
            {
              principalType: "GROUP",
              principalName: "AWSControlTowerAdmins",
              permissionSetName: "Admin",
              accountId: "222222222222",
            },
            {
              principalType: "GROUP",
              principalName: "legacy-ops",
              permissionSetName: "Admin",
              accountId: "111111111111",
            },
          ],
        }),
      }),
    );

    expect(pathsOf(report, "breakglass@example.com")).toEqual([
      "prod/Admin via AWSControlTowerAdmins: unmanaged",
    ]);
    expect(standingOf(report, "breakglass@example.com")).toEqual({ code: "protected" });
    expect(pathsOf(report, "eng@example.com")).toContain("dev/Admin via legacy-ops: unmanaged");
    expect(report.principals.find((principal) => principal.name === "AWSControlTowerAdmins")).toMatchObject({
      management: "protected",
      rule: "groups[3]",
    });
    expect(report.principals.find((principal) => principal.name === "legacy-ops")?.management).toBe(
      "unmanaged",
    );
  });

  it("shows a group whose members Identity Center did not read, and no members for it", () => {
    const report = buildAccessReport(
      accessInputs({
        actual: (state) => ({
          ...state,
          groups: [...state.groups, anIcGroup({ id: "x", displayName: "unread", members: undefined })],
          assignments: [
            ...state.assignments,
            {
              principalType: "GROUP",
              principalName: "unread",
              permissionSetName: "Admin",
              accountId: "111111111111",
            },
          ],
        }),
      }),
    );

    const unread = report.principals.findIndex((principal) => principal.name === "unread");
    expect(report.principals[unread]?.membersKnown).toBe(false);
    expect(report.memberships.filter((membership) => membership.group === unread)).toEqual([]);
    expect(grantStatus(report, "unread", "Admin", "dev")).toBe("unmanaged");
  });

  it("counts a user still under an old address (an alias) as the same person", () => {
    const report = buildAccessReport(
      accessInputs({
        actual: (state) => ({
          ...state,
          users: state.users.map((user) =>
            user.userName === "ops@example.com" ? { ...user, userName: "operator@example.com" } : user,
          ),
          groups: state.groups.map((group) => ({
            ...group,
            members: group.members?.map((member) =>
              member === "ops@example.com" ? "operator@example.com" : member,
            ),
          })),
        }),
      }),
    );

    expect(pathsOf(report, "ops@example.com")).toEqual([
      "dev/Admin via admins: granted",
      "prod/Admin via admins: granted",
      "prod/ReadOnly via support: granted",
    ]);
    expect(report.people.find((person) => person.key === "ops@example.com")?.identityCenterUserName).toBe(
      "operator@example.com",
    );
    expect(report.people.some((person) => person.key === "operator@example.com")).toBe(false);
  });

  it("counts a user the plan renames by Google id as the person it becomes", () => {
    const report = buildAccessReport(
      accessInputs({
        actual: (state) => ({
          ...state,
          users: state.users.map((user) =>
            user.userName === "eng@example.com"
              ? { ...user, id: "u-eng", userName: "e.old@example.com" }
              : user,
          ),
          groups: state.groups.map((group) => ({
            ...group,
            members: group.members?.map((member) =>
              member === "eng@example.com" ? "e.old@example.com" : member,
            ),
          })),
        }),
        ownership: {
          groups: {},
          permissionSets: {},
          users: { "google-eng": { userId: "u-eng", userName: "eng@example.com" } },
        },
      }),
    );

    expect(pathsOf(report, "eng@example.com")).toEqual([
      "dev/Developer via developers: granted",
      "prod/ReadOnly via developers: granted",
    ]);
    expect(report.people.find((person) => person.key === "eng@example.com")?.identityCenterUserName).toBe(
      "e.old@example.com",
    );
  });

  it("lists an Identity Center user Google no longer has as a leaver, and one outside the domains as such", () => {
    const report = buildAccessReport(
      accessInputs({
        actual: (state) => ({
          ...state,
          users: [
            ...state.users,
            anIcUser({ userName: "left@example.com" }),
            anIcUser({ userName: "guest@elsewhere.example" }),
          ],
        }),
      }),
    );

    expect(standingOf(report, "left@example.com")).toEqual({ code: "notInGoogle" });
    expect(standingOf(report, "guest@elsewhere.example")).toEqual({ code: "outsideDomains" });
  });

  it("names an account the organization does not list by its id alone", () => {
    const report = buildAccessReport(
      accessInputs({
        actual: (state) => ({
          ...state,
          assignments: [
            ...state.assignments,
            {
              principalType: "GROUP",
              principalName: "admins",
              permissionSetName: "Admin",
              accountId: "999999999999",
            },
          ],
        }),
      }),
    );

    expect(report.accounts.find((account) => account.id === "999999999999")).toEqual({
      id: "999999999999",
      name: "",
      status: "unknown",
    });
  });
});

describe("the access report follows the plan about what idc-sync may take away", () => {
  const withRetiredGroup = (state: ReturnType<typeof accessInputs>["actual"]) => ({
    ...state,
    groups: [
      ...state.groups,
      anIcGroup({ id: "old", displayName: "old-team", members: ["eng@example.com"] }),
    ],
    assignments: [
      ...state.assignments,
      {
        principalType: "GROUP" as const,
        principalName: "old-team",
        permissionSetName: "Admin",
        accountId: "111111111111",
      },
    ],
  });

  it("marks a group idc-sync created and the rules dropped as unexplained: the next apply removes it", () => {
    const report = buildAccessReport(
      accessInputs({
        actual: withRetiredGroup,
        ownership: { groups: { "old-team": { origin: "created" } }, permissionSets: {}, users: {} },
      }),
    );

    expect(pathsOf(report, "eng@example.com")).toContain("dev/Admin via old-team: unexplained");
  });

  it("marks the same group as unmanaged when nothing says idc-sync owns it", () => {
    const report = buildAccessReport(accessInputs({ actual: withRetiredGroup }));

    expect(pathsOf(report, "eng@example.com")).toContain("dev/Admin via old-team: unmanaged");
  });

  it("says a person whose user another provisioner owns is left alone, naming the provisioner", () => {
    const report = buildAccessReport(
      accessInputs({
        actual: (state) => ({
          ...state,
          users: state.users.map((user) =>
            user.userName === "eng@example.com"
              ? { ...user, externalIds: [{ issuer: "https://scim.example.com", id: "e-1" }] }
              : user,
          ),
        }),
      }),
    );

    expect(standingOf(report, "eng@example.com")).toEqual({
      code: "externallyProvisioned",
      issuers: ["https://scim.example.com"],
    });
  });
});

describe("the status of a path through a membership and a grant", () => {
  const cases: [AccessStatus, AccessStatus, AccessStatus | undefined][] = [
    ["granted", "granted", "granted"],
    ["granted", "pending", "pending"],
    ["pending", "granted", "pending"],
    ["pending", "pending", "pending"],
    ["granted", "unexplained", "unexplained"],
    ["unexplained", "granted", "unexplained"],
    ["unexplained", "unmanaged", "unexplained"],
    ["unmanaged", "granted", "unmanaged"],
    ["granted", "unmanaged", "unmanaged"],
    ["unmanaged", "unmanaged", "unmanaged"],
    // Wanted on one side, there on the other only: neither now nor after the next apply.
    ["pending", "unexplained", undefined],
    ["unexplained", "pending", undefined],
    ["pending", "unmanaged", undefined],
  ];

  it.each(cases)("membership %s and grant %s make %s", (membership, grant, expected) => {
    expect(pathStatus(membership, grant)).toBe(expected);
  });
});
