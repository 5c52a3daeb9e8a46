import { describe, expect, it } from "vitest";
import { classifyUserAgent } from "../../../src/audit/user-agent.js";

describe("recognising the program behind a CloudTrail user agent", () => {
  it.each([
    ["aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 lang/python#3.11.8", "cli", "AWS CLI"],
    [
      "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 terraform-provider-aws/5.40.0 aws-sdk-go-v2/1.25.3",
      "terraform",
      "Terraform",
    ],
    ["Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10", "sdk", "AWS SDK (Python)"],
    ["aws-sdk-js/3.600.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.11.0", "sdk", "AWS SDK (js)"],
    ["signin.amazonaws.com", "console", "AWS console"],
    ["AWS Internal", "console", "AWS console"],
    ["cloudformation.amazonaws.com", "aws-service", "cloudformation.amazonaws.com"],
    ["aws-cdk/2.140.0 aws-sdk-js/3.500.0", "infrastructure-tool", "AWS CDK"],
  ])("reads %s as %s", (agent, kind, label) => {
    expect(classifyUserAgent(agent)).toEqual({ kind, label });
  });

  it("keeps an agent it does not know, shortened", () => {
    expect(classifyUserAgent("curl/8.5.0")).toEqual({ kind: "other", label: "curl/8.5.0" });
    expect(classifyUserAgent(undefined).kind).toBe("other");
  });
});
