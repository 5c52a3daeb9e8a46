import { describe, expect, it } from "vitest";
import { formatRuleIssue } from "../../../src/mapping/index.js";
import { checkPolicyGrammar, conditionOperators } from "../../../src/mapping/policy-grammar.js";
import { loadRulesText } from "../../builders/rules.js";

const aStatement = (overrides: Record<string, unknown> = {}) => ({
  Effect: "Allow",
  Action: "s3:GetObject",
  Resource: "arn:aws:s3:::bucket/*",
  ...overrides,
});
const aPolicy = (...statements: Record<string, unknown>[]) => ({
  Version: "2012-10-17",
  Statement: statements,
});
const messagesOf = (document: Record<string, unknown>) =>
  checkPolicyGrammar(document).map((problem) => `${problem.path.join(".")}: ${problem.message}`);

describe("the IAM policy grammar", () => {
  it("accepts a policy of every element an identity policy may hold", () => {
    const policy = aPolicy(aStatement({ Sid: "ReadBuckets1", Action: ["s3:Get*", "s3:List?ucket"] }), {
      Effect: "Deny",
      NotAction: "iam:*",
      NotResource: ["arn:aws:iam::*:role/admin"],
      Condition: {
        StringEqualsIfExists: { "aws:PrincipalTag/team": ["platform", "sre"] },
        "ForAnyValue:StringLike": { "aws:TagKeys": "team*" },
        Bool: { "aws:MultiFactorAuthPresent": false },
        NumericLessThan: { "s3:max-keys": 10 },
        Null: { "aws:TokenIssueTime": "true" },
      },
    });

    expect(checkPolicyGrammar(policy)).toEqual([]);
  });

  it("refuses an Effect that is not Allow or Deny, with the one meant", () => {
    expect(messagesOf(aPolicy(aStatement({ Effect: "Alow" })))).toEqual([
      `Statement.0.Effect: Effect must be "Allow" or "Deny"; did you mean 'Allow'?`,
    ]);
  });

  it("refuses actions without a service prefix and wildcards of the wrong shape, by path only", () => {
    expect(
      messagesOf(aPolicy(aStatement({ Action: ["GetObject", "s3:Get Object", "ce:Gett*", "*"] }))),
    ).toEqual([
      "Statement.0.Action.0: not an action: write service:ActionName (letters and digits, * and ? as wildcards), or *",
      "Statement.0.Action.1: not an action: write service:ActionName (letters and digits, * and ? as wildcards), or *",
    ]);
  });

  it("needs exactly one of Action and NotAction, and of Resource and NotResource", () => {
    expect(
      messagesOf(
        aPolicy({ Effect: "Allow", Action: "s3:*", NotAction: "iam:*" }, { Effect: "Deny", Resource: "*" }),
      ),
    ).toEqual([
      "Statement.0.NotAction: the statement has both Action and NotAction: keep one",
      "Statement.0: the statement has neither Resource nor NotResource: it needs one of them",
      "Statement.1: the statement has neither Action nor NotAction: it needs one of them",
    ]);
  });

  it("refuses unknown condition operators and keys without a prefix", () => {
    expect(
      messagesOf(
        aPolicy(aStatement({ Condition: { StringEqual: { "aws:x": "y" }, StringLike: { team: "a" } } })),
      ),
    ).toEqual([
      "Statement.0.Condition.StringEqual: 'StringEqual' is not a condition operator; did you mean 'StringEquals'?",
      "Statement.0.Condition.StringLike.team: 'team' is not a condition key: write prefix:key, like aws:PrincipalTag/team",
    ]);
  });

  it("knows IfExists on every operator but Null, and the set operators", () => {
    expect(conditionOperators.has("DateLessThanIfExists")).toBe(true);
    expect(conditionOperators.has("ForAllValues:StringEquals")).toBe(true);
    expect(conditionOperators.has("NullIfExists")).toBe(false);
  });

  it("refuses a Principal, an unknown element, a bad Sid, a repeated Sid and a wrong Version", () => {
    expect(
      messagesOf({
        Version: "2012-10-18",
        Statment: [],
        Statement: [
          aStatement({ Sid: "read-all", Principal: "*" }),
          aStatement({ Sid: "Same", Resources: "*" }),
          aStatement({ Sid: "Same" }),
        ],
      }),
    ).toEqual([
      "Statment: 'Statment' is not a policy element; did you mean 'Statement'?: a policy has Version, Id and Statement",
      `Version: Version must be "2012-10-17" (or the old "2008-10-17")`,
      "Statement.0.Principal: Principal is not allowed in a permission set's inline policy (an identity policy): the permission set's users are the principal",
      "Statement.0.Sid: Sid may hold only letters A-Z, a-z and digits 0-9",
      "Statement.1.Resources: 'Resources' is not a statement element; did you mean 'Resource'?",
      "Statement.2.Sid: Sid is the same as in statement 1: Sids must be unique in a policy",
    ]);
  });

  it("warns, without refusing, about a policy with no Version", () => {
    expect(checkPolicyGrammar({ Statement: [aStatement()] })).toEqual([
      expect.objectContaining({ severity: "warning", message: expect.stringMatching(/no Version/) }),
    ]);
  });
});

describe("policy problems in the rules", () => {
  const rulesWithPolicy = (policy: string) =>
    `version: 1\ngoogle: { domains: [example.com] }\npermissionSets:\n  - name: Dev\n    inlinePolicy: ${policy}\n`;

  it("points inside a policy file by line, column and path, never quoting it", () => {
    const file =
      '{\n  "Version": "2012-10-17",\n  "Statement": [\n    { "Effect": "Alow", "Action": "ce:Get Cost", "Resource": "*" }\n  ]\n}\n';
    const result = loadRulesText(rulesWithPolicy("policies/dev.json"), { "policies/dev.json": file });

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatRuleIssue)).toEqual([
      `rules.yaml:5:19: inline policy file 'policies/dev.json' line 4, column 17 (Statement[0].Effect): Effect must be "Allow" or "Deny"; did you mean 'Allow'?`,
      "rules.yaml:5:19: inline policy file 'policies/dev.json' line 4, column 35 (Statement[0].Action): not an action: write service:ActionName (letters and digits, * and ? as wildcards), or *",
    ]);
  });

  it("points at the node itself for a policy written in the rules", () => {
    const result = loadRulesText(
      rulesWithPolicy(
        "\n      Version: '2012-10-17'\n      Statement:\n        - Effect: Deny\n          Action: iam\n          Resource: '*'",
      ),
    );

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map(formatRuleIssue)).toEqual([
      "rules.yaml:9:19: inline policy Statement[0].Action: not an action: write service:ActionName (letters and digits, * and ? as wildcards), or *",
    ]);
  });
});
