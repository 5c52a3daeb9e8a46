import { describe, expect, it } from "vitest";
import { accountLabel, withAccountNames } from "../../../src/sync/account-names.js";
import type { Change } from "../../../src/sync/model.js";
import { anAssignment, anEmptyPlan } from "../../builders/model.js";

const accounts = [
  { id: "111111111111", name: "core-dev" },
  { id: "222222222222", name: "core-prod" },
  { id: "333333333333", name: "kaigodx-dev" },
];

describe("withAccountNames", () => {
  it("names the accounts the plan's assignments and provisionings name, and no others", () => {
    const changes: Change[] = [
      {
        kind: "provisionPermissionSet",
        key: "provision:Developer",
        reason: "push",
        permissionSetName: "Developer",
        accountIds: ["111111111111"],
      },
      {
        kind: "deleteAssignment",
        key: "assignment:GROUP:developers:Developer:222222222222",
        reason: "not granted by any rule",
        assignment: anAssignment({ accountId: "222222222222" }),
      },
      {
        kind: "createAssignment",
        key: "assignment:GROUP:developers:Developer:999999999999",
        reason: "r",
        assignment: anAssignment({ accountId: "999999999999" }),
      },
    ];
    expect(withAccountNames(anEmptyPlan({ changes }), accounts).accountNames).toEqual({
      "111111111111": "core-dev",
      "222222222222": "core-prod",
    });
  });

  it("leaves a plan that names no account as it was", () => {
    const plan = anEmptyPlan();
    expect(withAccountNames(plan, accounts)).toBe(plan);
  });
});

describe("accountLabel", () => {
  it("reads name (id) when the name is known, the id alone otherwise", () => {
    expect(accountLabel("111111111111", { "111111111111": "core-dev" })).toBe("core-dev (111111111111)");
    expect(accountLabel("999999999999", { "111111111111": "core-dev" })).toBe("999999999999");
    expect(accountLabel("999999999999", undefined)).toBe("999999999999");
  });
});
