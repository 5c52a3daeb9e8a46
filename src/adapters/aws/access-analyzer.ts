/**
 * IAM Access Analyzer's ValidatePolicy over the SDK client: every page of findings for one policy
 * document. Used only by `validate --check-policies-online`; it decides nothing.
 */
import { type AccessAnalyzerClient, ValidatePolicyCommand } from "@aws-sdk/client-accessanalyzer";
import type { PolicyFinding } from "../../mapping/policy-findings.js";
import { PolicyValidationError } from "../errors.js";
import { allPages } from "./all-pages.js";

export class AccessAnalyzerPolicyValidator {
  constructor(private readonly client: AccessAnalyzerClient) {}

  /** The findings for an identity policy (a permission set's inline policy is one). */
  async validate(policyDocument: string): Promise<PolicyFinding[]> {
    try {
      return await allPages(async (nextToken) => {
        const page = await this.client.send(
          new ValidatePolicyCommand({ policyDocument, policyType: "IDENTITY_POLICY", nextToken }),
        );
        return {
          items: (page.findings ?? []).map((finding) => ({
            findingType: finding.findingType ?? "ERROR",
            issueCode: finding.issueCode ?? "",
            findingDetails: finding.findingDetails ?? "",
            ...(finding.learnMoreLink ? { learnMoreLink: finding.learnMoreLink } : {}),
            locations: (finding.locations ?? []).map((location) => ({
              path: (location.path ?? []).flatMap((element): PolicyFinding["locations"][number]["path"] =>
                element.index !== undefined
                  ? [{ index: element.index }]
                  : element.value !== undefined
                    ? [{ value: element.value }]
                    : element.key !== undefined
                      ? [{ key: element.key }]
                      : [],
              ),
              ...(location.span?.start
                ? {
                    span: {
                      start: { line: location.span.start.line ?? 1, column: location.span.start.column ?? 0 },
                    },
                  }
                : {}),
            })),
          })),
          nextToken: page.nextToken,
        };
      });
    } catch (error) {
      throw new PolicyValidationError(
        `IAM Access Analyzer could not validate the inline policies: ${(error as Error).name}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
