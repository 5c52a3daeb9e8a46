import { describe, expect, it } from "vitest";
import type { ApplyReport, Change, Plan } from "../../../src/sync/model.js";
import { permissionSetDiff } from "../../../src/sync/permission-set-diff.js";
import {
  applyReportToJson,
  planToJson,
  renderApplyReportText,
  renderPlanText,
} from "../../../src/sync/render.js";
import { summarizePlan } from "../../../src/sync/summary.js";
import { anAssignment, anEmptyPlan } from "../../builders/model.js";

const changes: Change[] = [
  {
    kind: "createPermissionSet",
    key: "permissionSet:Developer",
    reason: "defined in the rules",
    permissionSet: {
      name: "Developer",
      sessionDuration: "PT8H",
      managedPolicyArns: [],
      customerManagedPolicies: [],
      tags: {},
    },
  },
  {
    kind: "provisionPermissionSet",
    key: "provision:Admin",
    reason: "push the new version to 2 accounts already using it",
    permissionSetName: "Admin",
    accountIds: ["111111111111", "222222222222"],
  },
  { kind: "createGroup", key: "group:developers", reason: "defined in the rules", displayName: "developers" },
  {
    kind: "updateUser",
    key: "user:bob@example.com",
    reason: "changed in the directory: title",
    userName: "bob@example.com",
    user: {
      userName: "bob@example.com",
      displayName: "Bob",
      givenName: "Bob",
      familyName: "B",
      email: "bob@example.com",
      title: "Lead",
    },
    fields: [{ field: "title", from: "Engineer", to: "Lead" }],
  },
  {
    kind: "addMember",
    key: "member:developers:alice@example.com",
    reason: "orgUnit /Engineering",
    groupName: "developers",
    userName: "alice@example.com",
  },
  {
    kind: "createAssignment",
    key: "assignment:GROUP:developers:Developer:111111111111",
    reason: "assignments[0]: developers × Developer × dev",
    assignment: anAssignment(),
  },
  {
    kind: "deleteAssignment",
    key: "assignment:USER:carol@example.com:Developer:111111111111",
    reason: "suspended in Google",
    assignment: anAssignment({ principalType: "USER", principalName: "carol@example.com" }),
  },
  {
    kind: "deleteUser",
    key: "user:carol@example.com",
    reason: "suspended in Google",
    userName: "carol@example.com",
  },
];
const plan: Plan = anEmptyPlan({
  changes,
  notes: [
    { kind: "protected", name: "breakglass@example.com", detail: "protected by safety.protect; left alone" },
  ],
  managedObjectCount: 40,
  accountNames: { "111111111111": "core-dev" },
});

describe("renderPlanText", () => {
  it("says there is nothing to do when the plan is empty", () => {
    expect(renderPlanText(anEmptyPlan())).toBe("No changes. Identity Center matches the rules.\n");
  });

  it("renders sections with +, ~, - and provisioning lines, each with its reason, and a summary", () => {
    expect(renderPlanText(plan)).toBe(
      [
        "Permission sets",
        "  + Developer  # defined in the rules",
        "      session duration:          PT8H",
        "      managed policies:          (none)",
        "      customer managed policies: (none)",
        "      permissions boundary:      (none)",
        "      tags:                      (none)",
        "      inline policy:             (none)",
        "  ↻ Admin: provision to core-dev (111111111111), 222222222222  # push the new version to 2 accounts already using it",
        "",
        "Groups",
        "  + developers  # defined in the rules",
        "",
        "Users",
        "  ~ bob@example.com  # changed in the directory: title",
        '      ~ title: "Engineer" → "Lead"',
        "  - carol@example.com  # suspended in Google",
        "",
        "Group memberships",
        "  + developers ← alice@example.com  # orgUnit /Engineering",
        "",
        "Account assignments",
        "  + group developers × Developer × core-dev (111111111111)  # assignments[0]: developers × Developer × dev",
        "  - user carol@example.com × Developer × core-dev (111111111111)  # suspended in Google",
        "",
        "Left alone (outside scope or protected)",
        "  · breakglass@example.com: protected by safety.protect; left alone",
        "",
        "Plan: 4 to add, 2 to change, 2 to remove.",
        "",
      ].join("\n"),
    );
  });

  it("colours markers only when asked", () => {
    expect(renderPlanText(plan)).not.toContain("\u001b[");
    expect(renderPlanText(plan, { color: true })).toContain("\u001b[32m+\u001b[0m");
  });

  it("cuts long field values such as inline policies", () => {
    const long = "x".repeat(5000);
    const text = renderPlanText(
      anEmptyPlan({
        changes: [
          {
            kind: "updateGroup",
            key: "group:g",
            reason: "description changed in the rules",
            currentDisplayName: "g",
            displayName: "g",
            description: long,
            fields: [{ field: "description", from: null, to: long }],
          },
        ],
      }),
    );
    expect(text).toContain('description: (none) → "xxx');
    expect(text.length).toBeLessThan(500);
  });
});

describe("renderPlanText for reviewers", () => {
  const policy = (actions: string[]) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Sid: "DenyIdentityAdministration", Effect: "Deny", Action: actions, Resource: "*" }],
    });
  const developer = {
    name: "Developer",
    sessionDuration: "PT8H",
    managedPolicyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"],
    customerManagedPolicies: [],
    tags: { team: "platform" },
  };

  it("shows a changed inline policy as a line diff of its pretty, key-sorted JSON, not two cut strings", () => {
    const before = { ...developer, inlinePolicy: policy(["iam:CreateUser", "iam:CreateAccessKey"]) };
    const after = { ...developer, inlinePolicy: policy(["iam:CreateRole", "iam:CreateAccessKey"]) };
    const text = renderPlanText(
      anEmptyPlan({
        changes: [
          {
            kind: "updatePermissionSet",
            key: "permissionSet:Developer",
            reason: "changed in the rules: inlinePolicy",
            permissionSet: after,
            diff: permissionSetDiff(before, after),
            fields: [{ field: "inlinePolicy", from: before.inlinePolicy, to: after.inlinePolicy }],
          },
        ],
      }),
    );

    expect(text).toContain(
      [
        "  ~ Developer  # changed in the rules: inlinePolicy",
        "      ~ inlinePolicy:",
        "          {",
        '            "Statement": [',
        "              {",
        '                "Action": [',
        '        -         "iam:CreateUser",',
        '        +         "iam:CreateRole",',
        '                  "iam:CreateAccessKey"',
        "                ],",
        '                "Effect": "Deny",',
      ].join("\n"),
    );
    expect(text).toContain('            "Version": "2012-10-17"\n          }');
  });

  it("lists everything a new permission set grants: policies of every kind, boundary, duration and tags", () => {
    const text = renderPlanText(
      anEmptyPlan({
        changes: [
          {
            kind: "createPermissionSet",
            key: "permissionSet:BillingViewer",
            reason: "defined in the rules",
            permissionSet: {
              name: "BillingViewer",
              description: "Invoices and cost reports",
              sessionDuration: "PT4H",
              managedPolicyArns: [
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "arn:aws:iam::aws:policy/job-function/Billing",
              ],
              customerManagedPolicies: [{ name: "InvoiceReader", path: "/finance/" }],
              inlinePolicy: policy(["aws-portal:ViewBilling"]),
              permissionsBoundary: { kind: "customerManaged", policy: { name: "Boundary", path: "/" } },
              tags: { team: "finance" },
            },
          },
        ],
      }),
    );

    expect(text).toContain(
      [
        "  + BillingViewer  # defined in the rules",
        "      description:               Invoices and cost reports",
        "      session duration:          PT4H",
        "      managed policies:          arn:aws:iam::aws:policy/ReadOnlyAccess",
        "                                 arn:aws:iam::aws:policy/job-function/Billing",
        "      customer managed policies: /finance/InvoiceReader",
        "      permissions boundary:      customer managed /Boundary",
        "      tags:                      team=finance",
        "      inline policy:",
        "        {",
        '          "Statement": [',
      ].join("\n"),
    );
    expect(text).toContain('"aws-portal:ViewBilling"');
  });

  it("shows a changed tag map or enterprise record as the lines that changed, an added key as one line", () => {
    const text = renderPlanText(
      anEmptyPlan({
        changes: [
          {
            kind: "updateUser",
            key: "user:erika@example.com",
            reason: "changed in the directory: enterprise",
            userName: "erika@example.com",
            user: {
              userName: "erika@example.com",
              displayName: "E",
              givenName: "E",
              familyName: "I",
              email: "erika@example.com",
            },
            fields: [
              {
                field: "enterprise",
                from: { department: "Support", employeeNumber: "E1031" },
                to: { department: "Engineering", employeeNumber: "E1031", manager: "kenji@example.com" },
              },
            ],
          },
        ],
      }),
    );
    expect(text).toContain(
      [
        "      ~ enterprise:",
        "          {",
        '        -   "department": "Support",',
        '        +   "department": "Engineering",',
        '            "employeeNumber": "E1031",',
        '        +   "manager": "kenji@example.com"',
        "          }",
      ].join("\n"),
    );
  });
});

describe("summarizePlan", () => {
  it("counts additions, changes and removals, and every kind", () => {
    const summary = summarizePlan(plan);
    expect([summary.add, summary.change, summary.remove]).toEqual([4, 2, 2]);
    expect(summary.byKind.deleteUser).toBe(1);
    expect(summary.byKind.removeMember).toBe(0);
    expect(Object.keys(summary.byKind)).toHaveLength(20);
  });
});

describe("planToJson", () => {
  it("is versioned plain data that survives a JSON round trip", () => {
    const json = planToJson(plan);
    expect(json.version).toBe(1);
    expect(json.summary.add).toBe(4);
    expect(json.managedObjectCount).toBe(40);
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
    expect(json.changes).toEqual(plan.changes);
    expect(json.notes).toEqual(plan.notes);
  });
});

describe("renderApplyReportText", () => {
  const report: ApplyReport = {
    outcomes: [
      { key: "permissionSet:Developer", kind: "createPermissionSet", status: "applied" },
      { key: "provision:Admin", kind: "provisionPermissionSet", status: "applied" },
      { key: "group:developers", kind: "createGroup", status: "failed", error: "ConflictException: exists" },
      { key: "user:bob@example.com", kind: "updateUser", status: "applied" },
      {
        key: "member:developers:alice@example.com",
        kind: "addMember",
        status: "skipped",
        blockedBy: ["group:developers"],
      },
      {
        key: "assignment:GROUP:developers:Developer:111111111111",
        kind: "createAssignment",
        status: "skipped",
        blockedBy: ["group:developers"],
      },
      {
        key: "assignment:USER:carol@example.com:Developer:111111111111",
        kind: "deleteAssignment",
        status: "notStarted",
      },
      { key: "user:carol@example.com", kind: "deleteUser", status: "notStarted" },
    ],
    applied: 3,
    failed: 1,
    skipped: 2,
    notStarted: 2,
  };

  it("lists applied, failed with the error, skipped with what blocked them, and not started", () => {
    expect(renderApplyReportText(report, plan)).toBe(
      [
        "Applied (3)",
        "  + permission set Developer",
        "  ↻ permission set Admin: provision to core-dev (111111111111), 222222222222",
        "  ~ user bob@example.com",
        "",
        "Failed (1)",
        "  + group developers: ConflictException: exists",
        "",
        "Skipped (2)",
        "  + membership developers ← alice@example.com  (blocked by group:developers)",
        "  + assignment group developers × Developer × core-dev (111111111111)  (blocked by group:developers)",
        "",
        "Not started (left for the next run) (2)",
        "  - assignment user carol@example.com × Developer × core-dev (111111111111)",
        "  - user carol@example.com",
        "",
        "Apply: 3 applied, 1 failed, 2 skipped, 2 not started.",
        "",
      ].join("\n"),
    );
  });

  it("names only what did not go as planned when the plan was printed before the apply", () => {
    const text = renderApplyReportText(report, plan, { listApplied: false });
    expect(text).not.toContain("Applied");
    expect(text).not.toContain("user bob@example.com");
    expect(text).toContain("Failed (1)\n  + group developers: ConflictException: exists");
    expect(text).toContain("Not started (left for the next run) (2)");
    expect(text.endsWith("Apply: 3 applied, 1 failed, 2 skipped, 2 not started.\n")).toBe(true);
  });

  it("turns the report into versioned JSON", () => {
    const json = applyReportToJson(report);
    expect(json).toEqual({ version: 1, ...report });
    expect(JSON.parse(JSON.stringify(json))).toEqual(json);
  });
});
