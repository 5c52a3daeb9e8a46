/**
 * Builders for access report tests: a small company (rules, directory, accounts) evaluated into a
 * desired state, and Identity Center as a perfect apply of it that each test then bends.
 */
import type { AccessInputs } from "../../../src/access/build-report.js";
import { evaluate, formatRuleIssue, type Rules, scopeFromRules } from "../../../src/mapping/index.js";
import type { AwsAccount, Directory, IdentityCenterState, Ownership } from "../../../src/sync/model.js";
import { readScopeFor } from "../../../src/sync/ownership.js";
import { computePlan } from "../../../src/sync/plan.js";
import { identityCenterStateFrom } from "../../builders/model.js";
import { aDirectory, aDirectoryUser, aGoogleGroup, anAccount, someRules } from "../../builders/rules.js";

export const dev = anAccount({ id: "111111111111", name: "dev" });
export const prod = anAccount({ id: "222222222222", name: "prod", parentId: "ou-ab12-22222222" });

/** Engineering (with interns excluded), a Google group of admins, support by department, a contractor. */
export function aCompanyRules(parts: Record<string, unknown> = {}): Rules {
  return someRules({
    users: {
      exclude: ["ceo@example.com"],
      static: [
        { email: "con@partner.example", givenName: "Con", familyName: "Tractor", groups: ["developers"] },
      ],
    },
    groups: [
      { name: "admins", members: [{ googleGroup: "aws-admins@example.com" }] },
      {
        name: "developers",
        members: [{ orgUnit: "/Engineering" }],
        exclude: [{ orgUnit: "/Engineering/Interns" }],
      },
      { name: "support", members: [{ where: { department: "Support" } }] },
      { name: "AWSControlTowerAdmins", members: [{ orgUnit: "/" }] },
    ],
    permissionSets: [{ name: "Admin" }, { name: "Developer" }, { name: "ReadOnly" }],
    accounts: { dev: ["111111111111"], prod: { ou: "ou-ab12-22222222" } },
    assignments: [
      { groups: ["admins"], permissionSets: ["Admin"], accounts: ["dev", "prod"] },
      { groups: ["developers"], permissionSets: ["Developer"], accounts: ["dev"] },
      { groups: ["developers", "support"], permissionSets: ["ReadOnly"], accounts: ["prod"] },
      { users: ["sam@example.com"], permissionSets: ["ReadOnly"], accounts: ["dev"] },
    ],
    safety: { protect: { users: ["breakglass@example.com"], groups: ["AWSControlTowerAdmins"] } },
    ...parts,
  });
}

export function aCompanyDirectory(): Directory {
  return aDirectory({
    users: [
      aDirectoryUser({
        primaryEmail: "eng@example.com",
        orgUnitPath: "/Engineering",
        department: "Engineering",
      }),
      aDirectoryUser({ primaryEmail: "intern@example.com", orgUnitPath: "/Engineering/Interns" }),
      aDirectoryUser({
        primaryEmail: "ops@example.com",
        aliases: ["operator@example.com"],
        orgUnitPath: "/Ops",
        department: "Support",
      }),
      aDirectoryUser({ primaryEmail: "sam@example.com", orgUnitPath: "/Sales", department: "Sales" }),
      aDirectoryUser({ primaryEmail: "gone@example.com", orgUnitPath: "/Engineering", suspended: true }),
      aDirectoryUser({ primaryEmail: "ceo@example.com", orgUnitPath: "/Board" }),
      aDirectoryUser({ primaryEmail: "idle@example.com", orgUnitPath: "/Sales" }),
    ],
    groups: [aGoogleGroup("aws-admins@example.com", ["ops@example.com"])],
  });
}

/** Everything the report needs; `actual` defaults to a perfect apply of the desired state. */
export function accessInputs(
  options: {
    rules?: Rules;
    directory?: Directory;
    accounts?: AwsAccount[];
    actual?: (perfect: IdentityCenterState) => IdentityCenterState;
    /** The run state's record of what idc-sync owns, as `plan` reads it. */
    ownership?: Ownership;
  } = {},
): AccessInputs {
  const rules = options.rules ?? aCompanyRules();
  const directory = options.directory ?? aCompanyDirectory();
  const accounts = options.accounts ?? [dev, prod];
  const evaluation = evaluate(directory, rules, accounts);
  if (!evaluation.ok) throw new Error(evaluation.problems.map(formatRuleIssue).join("\n"));
  const perfect = identityCenterStateFrom(evaluation.desired);
  const actual = options.actual ? options.actual(structuredClone(perfect)) : perfect;
  return {
    rules,
    directory,
    accounts,
    desired: evaluation.desired,
    actual,
    plan: computePlan(
      evaluation.desired,
      actual,
      readScopeFor(scopeFromRules(rules), options.ownership),
      options.ownership,
    ),
  };
}
