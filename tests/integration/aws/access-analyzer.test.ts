/**
 * IAM Access Analyzer's ValidatePolicy: the emulator speaks restJson1 to the real SDK client, and
 * `validate --check-policies-online` turns its findings into rules issues at the policy's positions.
 */

import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AccessAnalyzerClient, ValidatePolicyCommand } from "@aws-sdk/client-accessanalyzer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { idcSyncProcess } from "../../cli/cli-harness.js";
import { type AwsEmulator, startAwsEmulator } from "../../emulators/aws/emulator.js";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator-secret" };

const policyFile = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["ce:GetCostAndUsage", "ce:GetCosts*"],
      "Resource": "*"
    },
    {
      "Effect": "Allow",
      "Action": "iam:PassRole",
      "Resource": "*"
    }
  ]
}
`;

describe("the emulated ValidatePolicy, through the real SDK client", () => {
  let aws: AwsEmulator;
  let client: AccessAnalyzerClient;
  beforeAll(async () => {
    aws = await startAwsEmulator();
    client = new AccessAnalyzerClient({
      endpoint: aws.url,
      region: "us-east-1",
      credentials,
      maxAttempts: 1,
    });
  });
  afterAll(() => aws.close());

  it("finds an action that does not exist, with its path and its span (line from 1, column from 0)", async () => {
    const answer = await client.send(
      new ValidatePolicyCommand({ policyDocument: policyFile, policyType: "IDENTITY_POLICY" }),
    );

    expect(answer.findings?.map((finding) => [finding.findingType, finding.issueCode])).toEqual([
      ["ERROR", "INVALID_ACTION"],
      ["SECURITY_WARNING", "PASS_ROLE_WITH_STAR_IN_RESOURCE"],
    ]);
    expect(answer.findings?.[0]?.findingDetails).toBe("The action ce:GetCosts* does not exist.");
    expect(answer.findings?.[0]?.locations?.[0]).toEqual({
      path: [{ value: "Statement" }, { index: 0 }, { value: "Action" }, { index: 1 }],
      span: { start: { line: 6, column: 39, offset: 116 }, end: { line: 6, column: 53, offset: 130 } },
    });
    expect(aws.counts().byOperation["access-analyzer:ValidatePolicy"]).toBe(1);
  });

  it("pages its findings with maxResults and nextToken", async () => {
    const first = await client.send(
      new ValidatePolicyCommand({ policyDocument: policyFile, policyType: "IDENTITY_POLICY", maxResults: 1 }),
    );
    const second = await client.send(
      new ValidatePolicyCommand({
        policyDocument: policyFile,
        policyType: "IDENTITY_POLICY",
        maxResults: 1,
        nextToken: first.nextToken,
      }),
    );

    expect(first.findings).toHaveLength(1);
    expect(first.nextToken).toBeDefined();
    expect(second.findings?.[0]?.issueCode).toBe("PASS_ROLE_WITH_STAR_IN_RESOURCE");
    expect(second.nextToken).toBeUndefined();
  });

  it("answers a policy type it does not know with a ValidationException", async () => {
    const sending = client.send(
      new ValidatePolicyCommand({ policyDocument: policyFile, policyType: "TRUST_POLICY" as never }),
    );

    await expect(sending).rejects.toMatchObject({
      name: "ValidationException",
      $metadata: { httpStatusCode: 400 },
    });
  });
});

describe("validate --check-policies-online", () => {
  let aws: AwsEmulator;
  let rulesFile: string;
  beforeAll(async () => {
    aws = await startAwsEmulator();
    const folder = await mkdtemp(join(tmpdir(), "idc-sync-online-"));
    await mkdir(join(folder, "policies"));
    await writeFile(join(folder, "policies/billing.json"), policyFile);
    rulesFile = join(folder, "rules.yaml");
    await writeFile(
      rulesFile,
      [
        "version: 1",
        "google: { domains: [example.com] }",
        "permissionSets:",
        "  - name: Billing",
        "    inlinePolicy: policies/billing.json",
        "  - name: Storage",
        "    inlinePolicy:",
        "      Version: '2012-10-17'",
        "      Statement:",
        "        - Effect: Allow",
        "          Action: [s3:GetObject, s3:GetObjekt]",
        "          Resource: arn:aws:s3:::bucket/*",
        "",
      ].join("\n"),
    );
  });
  afterAll(() => aws.close());

  const env = () => ({
    AWS_ENDPOINT_URL: aws.url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "emulator-secret",
  });

  it("passes the policies locally, and reports what Access Analyzer finds at the policy's positions", async () => {
    const offline = await idcSyncProcess(["validate", "--rules", rulesFile]);
    expect(offline.exitCode, offline.stderr).toBe(0);

    const online = await idcSyncProcess(["validate", "--rules", rulesFile, "--check-policies-online"], env());

    expect(online.exitCode).toBe(64);
    expect(online.stderr).toMatch(
      /rules\.yaml:5:19: inline policy file 'policies\/billing\.json' line 6, column 40 \(Statement\[0\]\.Action\[1\]\): Access Analyzer error INVALID_ACTION: The action ce:GetCosts\* does not exist\./,
    );
    expect(online.stderr).toMatch(
      /rules\.yaml:11:34: inline policy Statement\[0\]\.Action\[1\]: Access Analyzer error INVALID_ACTION: The action s3:GetObjekt does not exist\./,
    );
    expect(online.stderr).toMatch(
      /^warning: .*rules\.yaml:5:19: inline policy file 'policies\/billing\.json' line 12, column 19 \(Statement\[1\]\.Resource\): Access Analyzer security warning PASS_ROLE_WITH_STAR_IN_RESOURCE/m,
    );
    expect(online.stderr).toContain("2 problems in the rules; nothing was changed.");
  });

  it("ends with one line and exit 69 when Access Analyzer cannot be reached", async () => {
    const unreachable = await idcSyncProcess(["validate", "--rules", rulesFile, "--check-policies-online"], {
      ...env(),
      AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      AWS_MAX_ATTEMPTS: "1",
    });

    expect(unreachable.exitCode).toBe(69);
    expect(unreachable.stderr).toMatch(
      /^idc-sync: IAM Access Analyzer could not validate the inline policies: /m,
    );
    expect(unreachable.stderr).not.toMatch(/^\s+at /m);
  });
});
