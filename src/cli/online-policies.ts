/**
 * `validate --check-policies-online`: every inline policy that passed the local grammar check goes to
 * IAM Access Analyzer's ValidatePolicy, and its findings come back as rules issues at their positions.
 */

import type { RuleIssue, Rules } from "../mapping/index.js";
import {
  findingsToIssues,
  type PolicyFinding,
  policyDocumentToValidate,
} from "../mapping/policy-findings.js";

export interface PolicyCheck {
  check(rules: Rules): Promise<{ errors: RuleIssue[]; warnings: RuleIssue[] }>;
}

/** A policy check over anything that validates one policy document. */
export function policyCheckWith(validator: {
  validate(document: string): Promise<PolicyFinding[]>;
}): PolicyCheck {
  return {
    async check(rules) {
      const errors: RuleIssue[] = [];
      const warnings: RuleIssue[] = [];
      for (const index of rules.permissionSets.keys()) {
        const document = policyDocumentToValidate(rules, index);
        if (document === undefined) continue;
        const issues = findingsToIssues(rules, index, await validator.validate(document));
        errors.push(...issues.errors);
        warnings.push(...issues.warnings);
      }
      return { errors, warnings };
    },
  };
}

/** The check over IAM Access Analyzer with the SDK's default credentials, region and endpoint. */
export async function accessAnalyzerPolicyCheck(): Promise<PolicyCheck> {
  const [{ AccessAnalyzerClient }, { AccessAnalyzerPolicyValidator }] = await Promise.all([
    import("@aws-sdk/client-accessanalyzer"),
    import("../adapters/aws/access-analyzer.js"),
  ]);
  return policyCheckWith(new AccessAnalyzerPolicyValidator(new AccessAnalyzerClient({})));
}
