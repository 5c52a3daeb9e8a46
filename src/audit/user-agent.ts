/**
 * What kind of program made a request, from the CloudTrail `userAgent`. The order matters: Terraform
 * and the CDK send an SDK user agent with their own name appended, so tools are recognised before SDKs.
 */
import { AgentKind } from "./model.js";

const patterns: [RegExp, AgentKind, string][] = [
  [/terraform|hashicorp/i, AgentKind.terraform, "Terraform"],
  [/pulumi/i, AgentKind.infrastructureTool, "Pulumi"],
  [/aws-cdk|cdk\//i, AgentKind.infrastructureTool, "AWS CDK"],
  [/ansible/i, AgentKind.infrastructureTool, "Ansible"],
  [/serverless/i, AgentKind.infrastructureTool, "Serverless Framework"],
  [
    /^(signin|console|s3console)\.amazonaws\.com$|^AWS Internal$|aws-internal\/\d.*console/i,
    AgentKind.console,
    "AWS console",
  ],
  [/^[a-z0-9-]+\.amazonaws\.com$/i, AgentKind.awsService, "an AWS service"],
  [/aws-cli\//i, AgentKind.cli, "AWS CLI"],
  [
    /aws-sdk-java|aws-sdk-go|aws-sdk-js|aws-sdk-dotnet|aws-sdk-php|aws-sdk-ruby|aws-sdk-rust|aws-sdk-cpp/i,
    AgentKind.sdk,
    "AWS SDK",
  ],
  [/boto3|botocore/i, AgentKind.sdk, "AWS SDK (Python)"],
  [/aws-powershell|AWSPowerShell/i, AgentKind.cli, "AWS Tools for PowerShell"],
  [/rclone|s3cmd|cyberduck|s3fs|minio/i, AgentKind.other, "S3 client"],
];

/** The kind of agent and a short human label ("AWS CLI", "Terraform"). */
export function classifyUserAgent(userAgent: string | undefined): { kind: AgentKind; label: string } {
  if (!userAgent) return { kind: AgentKind.other, label: "unknown agent" };
  for (const [pattern, kind, label] of patterns) {
    if (pattern.test(userAgent)) {
      if (kind === AgentKind.sdk && label === "AWS SDK") {
        const sdk = /aws-sdk-([a-z]+)/i.exec(userAgent)?.[1];
        return { kind, label: sdk ? `AWS SDK (${sdk})` : label };
      }
      if (kind === AgentKind.awsService) return { kind, label: userAgent };
      return { kind, label };
    }
  }
  return { kind: AgentKind.other, label: userAgent.slice(0, 40) };
}
