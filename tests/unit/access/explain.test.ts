import { describe, expect, it } from "vitest";
import type { AccessInputs } from "../../../src/access/build-report.js";
import { buildAccessReport } from "../../../src/access/build-report.js";
import { explainAccess, type PersonExplanation } from "../../../src/access/explain.js";
import { renderExplanationText } from "../../../src/access/render-explanation.js";
import { anIcUser } from "../../builders/model.js";
import { aCompanyDirectory, accessInputs } from "./builders.js";

function explain(inputs: AccessInputs, person: string, account?: string): PersonExplanation {
  const report = buildAccessReport(inputs);
  const result = explainAccess(inputs, report, { person, ...(account ? { account } : {}) });
  if (!result.ok) throw new Error(`${result.reason}: ${result.query}`);
  return result.explanation;
}

const groupOf = (explanation: PersonExplanation, name: string) =>
  explanation.groups.find((group) => group.group === name);

describe("explain, group by group", () => {
  const inputs = accessInputs();

  it("says which selector put a person in a group and what it looked at", () => {
    const explanation = explain(inputs, "eng@example.com");

    expect(groupOf(explanation, "developers")).toMatchObject({
      rule: "groups[1]",
      membership: "granted",
      selectors: [
        {
          source: { rule: "groups[1].members[0]", kind: "orgUnit" },
          effect: "selects",
          observed: "org unit /Engineering",
        },
        { source: { rule: "groups[1].exclude[0]" }, effect: "none", observed: "org unit /Engineering" },
      ],
    });
    expect(groupOf(explanation, "support")).toMatchObject({
      selectors: [{ effect: "none", observed: "department Engineering" }],
    });
    expect(groupOf(explanation, "support")).not.toHaveProperty("membership");
  });

  it("names the exclude selector that keeps someone out", () => {
    const explanation = explain(inputs, "intern@example.com");

    expect(groupOf(explanation, "developers")?.selectors.map((selector) => selector.effect)).toEqual([
      "selects",
      "excludes",
    ]);
    expect(explanation.access).toEqual([]);
    expect(explanation.standing).toEqual({ code: "unmapped" });
  });

  it("finds a person by an alias, and says a Google group did or did not hold them", () => {
    const explanation = explain(inputs, "Operator@Example.com");

    expect(explanation.person.key).toBe("ops@example.com");
    expect(groupOf(explanation, "admins")?.selectors[0]).toMatchObject({
      effect: "selects",
      observed: "in aws-admins@example.com",
    });
    expect(groupOf(explain(inputs, "sam@example.com"), "admins")?.selectors[0]?.observed).toBe(
      "not in aws-admins@example.com",
    );
  });

  it("says a person is in a Google group through its 'all users' member", () => {
    const directory = aCompanyDirectory();
    const withEveryone = {
      ...directory,
      groups: directory.groups.map((group) => ({ ...group, allUsers: true })),
    };

    const explanation = explain(accessInputs({ directory: withEveryone }), "sam@example.com");

    expect(groupOf(explanation, "admins")?.selectors[0]).toMatchObject({
      effect: "selects",
      observed: "in aws-admins@example.com (all users)",
    });
  });

  it("does not apply the rules to a suspended person, and still shows the access Identity Center kept", () => {
    const kept = accessInputs({
      actual: (state) => ({
        ...state,
        users: [...state.users, anIcUser({ userName: "gone@example.com" })],
        groups: state.groups.map((group) =>
          group.displayName === "developers"
            ? { ...group, members: [...(group.members ?? []), "gone@example.com"] }
            : group,
        ),
      }),
    });

    const explanation = explain(kept, "gone@example.com");

    expect(explanation.rulesApply).toBe(false);
    expect(explanation.standing).toEqual({ code: "suspended" });
    expect(groupOf(explanation, "developers")?.membership).toBe("unexplained");
    expect(
      explanation.access.map((path) => `${path.account.name}/${path.permissionSet}: ${path.status}`),
    ).toEqual(["dev/Developer: unexplained", "prod/ReadOnly: unexplained"]);
    expect(renderExplanationText(explanation, buildAccessReport(kept))).toContain("not applied to them");
  });

  it("explains a static user by their users.static entry", () => {
    const explanation = explain(inputs, "con@partner.example");

    expect(groupOf(explanation, "developers")?.selectors).toContainEqual({
      source: { kind: "static", rule: "users.static[0]", email: "con@partner.example" },
      effect: "selects",
      observed: "listed in users.static with this group",
    });
    expect(explanation.google).toBeUndefined();
  });
});

describe("explain, rule by rule and account by account", () => {
  const inputs = accessInputs();

  it("lists every assignment rule with what it gives the person", () => {
    const explanation = explain(inputs, "sam@example.com");

    expect(
      explanation.assignmentRules.map((rule) => [rule.rule, rule.paths.map((path) => path.permissionSet)]),
    ).toEqual([
      ["assignments[0]", []],
      ["assignments[1]", []],
      ["assignments[2]", []],
      ["assignments[3]", ["ReadOnly"]],
    ]);
    expect(explanation.assignmentRules[3]?.users).toEqual([{ name: "sam@example.com", isPerson: true }]);
  });

  it("limits paths and rules to one account, found by name or id", () => {
    const byName = explain(inputs, "ops@example.com", "PROD");
    const byId = explain(inputs, "ops@example.com", "222222222222");

    expect(byName).toEqual(byId);
    expect(byName.account?.name).toBe("prod");
    expect(byName.access.map((path) => path.permissionSet)).toEqual(["Admin", "ReadOnly"]);
    expect(byName.assignmentRules.map((rule) => rule.rule)).toEqual(["assignments[0]", "assignments[2]"]);
    expect(byName.assignmentRules[0]?.accounts.map((account) => account.id)).toEqual(["222222222222"]);
  });

  it("answers an unknown person or account with the closest names it knows", () => {
    const report = buildAccessReport(inputs);

    expect(explainAccess(inputs, report, { person: "engg@example.com" })).toEqual({
      ok: false,
      reason: "unknownPerson",
      query: "engg@example.com",
      suggestions: ["eng@example.com"],
    });
    expect(explainAccess(inputs, report, { person: "eng@example.com", account: "prd" })).toMatchObject({
      ok: false,
      reason: "unknownAccount",
      suggestions: ["prod"],
    });
  });
});
