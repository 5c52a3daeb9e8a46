/**
 * Packages the service with `osls package` (offline, no AWS credentials) once, then checks what would be
 * deployed: the CloudFormation template (schedule, concurrency, runtime, least-privilege IAM) and the zip
 * itself, unzipped and run with plain `node` against the local emulators.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localHandlerEnv } from "../../scripts/invoke-local.mjs";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");
const osls = join(root, "node_modules/.bin/osls");
const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:idc-sync/google-AbCdEf";
/** The instance, store and organization the role is scoped to; the management account is not the function's. */
const scope = {
  ssoInstanceId: "ssoins-72230000a1b2c3d4",
  identityStoreId: "d-9067a1b2c3",
  managementAccountId: "111111111111",
  organizationId: "o-a1b2c3d4e5",
};
const requiredParams = [
  `googleSecretArn=${secretArn}`,
  ...Object.entries(scope).map(([name, value]) => `${name}=${value}`),
].flatMap((param) => ["--param", param]);
/** osls must package with nothing from AWS: no credentials, no region. */
const offlineEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")),
) as NodeJS.ProcessEnv;

type Json = Record<string, unknown>;
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, string | string[]>>;
}
interface Template {
  Resources: Record<string, { Type: string; Properties: Json; Condition?: string }>;
  Outputs: Record<string, { Value: unknown }>;
  Conditions?: Json;
}

let work: string;
let template: Template;
let zipPath: string;
let bundleDir: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "idc-sync-package-"));
  const packageDir = join(work, "package");
  await run(osls, ["package", "--stage", "ci", "--package", packageDir, ...requiredParams], {
    cwd: root,
    env: offlineEnv,
    timeout: 120_000,
  });
  template = JSON.parse(
    await readFile(join(packageDir, "cloudformation-template-update-stack.json"), "utf8"),
  );
  const zip = (await readdir(packageDir)).find((name) => name.endsWith(".zip"));
  if (!zip) throw new Error(`osls package wrote no zip to ${packageDir}`);
  zipPath = join(packageDir, zip);
  bundleDir = join(work, "bundle");
  await run("unzip", ["-q", zipPath, "-d", bundleDir]);
}, 180_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe("the packaged CloudFormation template", () => {
  const fn = () => resource("SyncLambdaFunction", "AWS::Lambda::Function").Properties;

  it("runs the sync function on Node 22, arm64, for up to 900 s, one run at a time", () => {
    expect(fn()).toMatchObject({
      Handler: "src/handlers/sync-lambda.handler",
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      MemorySize: 512,
    });
    expect(fn().Environment).toMatchObject({
      Variables: { RULES_PATH: "examples/rules.yaml", GOOGLE_SECRET_ARN: secretArn },
    });
  });

  it("invokes it every 15 minutes from an enabled EventBridge schedule, with no retry of a failed run", () => {
    const rules = Object.values(template.Resources).filter(
      (entry) =>
        entry.Type === "AWS::Events::Rule" &&
        JSON.stringify(entry.Properties.Targets).includes("SyncLambdaFunction"),
    );
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties).toMatchObject({
      ScheduleExpression: "rate(15 minutes)",
      Targets: [{ Arn: { "Fn::GetAtt": ["SyncLambdaFunction", "Arn"] } }],
    });
    // With the default events=false the direct schedule is on; with events=true it goes through the queue.
    expect(evaluate(rules[0]?.Properties.State, { events: false })).toBe("ENABLED");
    expect(evaluate(rules[0]?.Properties.State, { events: true })).toBe("DISABLED");
    expect(
      resource("SyncLambdaEvConf", "AWS::Lambda::EventInvokeConfig").Properties.MaximumRetryAttempts,
    ).toBe(0);
  });

  it("keeps the logs for a set time and outputs the function name", () => {
    expect(resource("SyncLogGroup", "AWS::Logs::LogGroup").Properties.RetentionInDays).toBe(90);
    expect(template.Outputs.SyncFunctionName?.Value).toEqual({ Ref: "SyncLambdaFunction" });
  });

  it("grants no IAM action with a wildcard, in any policy of the stack", () => {
    const actions = allStatements().flatMap((statement) => [statement.Action].flat());
    expect(actions.length).toBeGreaterThan(40);
    expect(
      actions.filter((action) => action.includes("*") || !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(action)),
    ).toEqual([]);
    expect(allStatements().every((statement) => statement.Effect === "Allow")).toBe(true);
  });

  it("grants exactly the AWS API calls the bundled code makes (every SDK Command its sources import)", async () => {
    // The role's statements and the secret policies that apply with this deployment's parameters.
    // Besides the logs, osls grants sqs:SendMessage for the on-failure destination: Lambda sends the record
    // of a failed invocation with the function's role, the code never does (checked in the alarms' test).
    const granted = new Set(
      [...functionStatements(), ...policyStatements("GoogleCredentialsSecretPolicy")]
        .flatMap((statement) => [statement.Action].flat())
        .filter((action) => !action.startsWith("logs:") && action !== "sqs:SendMessage"),
    );
    const called = await sdkActionsCalledBySource();
    // The queue consumer's event source mapping polls with the function's role (Lambda adds these three).
    for (const action of ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"])
      called.add(action);

    expect([...granted].sort()).toEqual([...called].sort());
  });

  it("lets the function read the one Google secret and no other", () => {
    expect(
      roleStatements().filter((statement) => JSON.stringify(statement).includes("secretsmanager:")),
    ).toEqual([]);
    const policy = resource("GoogleCredentialsSecretPolicy", "AWS::IAM::RolePolicy");
    expect(policy.Condition).toBe("HasGoogleSecret");
    expect(template.Conditions?.HasGoogleSecret).toEqual({ "Fn::Not": [{ "Fn::Equals": [secretArn, ""] }] });
    expect(policyStatements("GoogleCredentialsSecretPolicy")).toEqual([
      {
        Sid: "GoogleCredentialsSecret",
        Effect: "Allow",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: secretArn,
      },
    ]);
  });

  it("keeps the run state in an on-demand DynamoDB table with TTL, and only that table is reachable", () => {
    expect(resource("StateTable", "AWS::DynamoDB::Table").Properties).toMatchObject({
      BillingMode: "PAY_PER_REQUEST",
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
    });
    expect(fn().Environment).toMatchObject({ Variables: { STATE_TABLE_NAME: { Ref: "StateTable" } } });
    const dynamo = roleStatements().filter((statement) =>
      [statement.Action].flat().some((action) => action.startsWith("dynamodb:")),
    );
    expect(dynamo).toEqual([
      expect.objectContaining({ Resource: [{ "Fn::GetAtt": ["StateTable", "Arn"] }] }),
    ]);
  });

  it("reads a Slack webhook secret only when one is given", () => {
    const policy = resource("SlackWebhookSecretPolicy", "AWS::IAM::RolePolicy");
    expect(policy.Condition).toBe("HasSlackWebhookSecret");
    expect(template.Conditions?.HasSlackWebhookSecret).toEqual({ "Fn::Not": [{ "Fn::Equals": ["", ""] }] });
  });

  it("keeps Identity Center writes on Identity Center resources", () => {
    const writes = roleStatements().filter((statement) => statement.Sid !== "IdentityCenterDiscover");
    for (const statement of writes) {
      const prefixes = new Set([statement.Action].flat().map((action) => action.split(":")[0]));
      if (prefixes.has("sso") || prefixes.has("identitystore")) expect(statement.Resource).not.toBe("*");
    }
  });

  it("names the identity store of the account that owns the instance, not the function's account", () => {
    const store = roleStatements().find(
      (statement) => statement.Sid === "IdentityStoreUsersGroupsMemberships",
    );
    expect(resourcesOf(store!)).toContain(
      `arn:aws:identitystore::${scope.managementAccountId}:identitystore/${scope.identityStoreId}`,
    );
    expect(JSON.stringify(allStatements())).not.toContain("AWS::AccountId}:identitystore");
  });

  it("names in every ARN it builds the account that owns the resource: the management account, or the function's own for its logs", () => {
    const withAccounts = allStatements()
      .flatMap(resourcesOf)
      .flatMap((arn) => {
        const resolved = arn
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own Fn::Sub placeholders
          .replaceAll("${AWS::AccountId}", "the-function-account")
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own Fn::Sub placeholders
          .replaceAll("${AWS::Region}", "us-east-1");
        const match = /^arn:aws:([^:]+):[^:]*:([^:]*):/.exec(resolved);
        return match ? [{ arn, service: match[1]!, account: match[2]! }] : [];
      });
    for (const { arn, service, account } of withAccounts) {
      // sso ARNs name no account; the secrets are the full ARNs given as deploy parameters.
      if (account === "" || service === "secretsmanager") continue;
      if (service === "logs") expect(account, arn).toBe("the-function-account");
      else expect(account, arn).toBe(scope.managementAccountId);
    }
    // The identity store, the organization's roots, OUs and accounts, and the reserved SSO roles and SAML
    // provider that assigning access in the management account touches; sso (no account field),
    // the function's logs and the secrets.
    expect(new Set(withAccounts.map(({ service }) => service))).toEqual(
      new Set(["identitystore", "organizations", "iam", "sso", "logs", "secretsmanager"]),
    );
  });

  it("scopes every sso, identitystore and organizations grant to the instance, the store and the organization", () => {
    const resources = functionStatements()
      .filter((statement) =>
        [statement.Action].flat().some((action) => /^(sso|identitystore|organizations):/.test(action)),
      )
      .flatMap(resourcesOf);
    for (const arn of resources) {
      if (arn === "*") continue;
      expect(arn).not.toMatch(/instance\/\*|permissionSet\/\*|:identitystore\/\*|organizations::\*/);
      if (arn.includes(":sso:::instance/") || arn.includes(":sso:::permissionSet/"))
        expect(arn).toContain(scope.ssoInstanceId);
      if (arn.includes(":organizations::")) expect(arn).toContain(`${scope.managementAccountId}:`);
      if (arn.includes(":organizations::")) expect(arn).toContain(scope.organizationId);
    }
    // Only the three actions that have no resource type at all keep "*".
    const anywhere = functionStatements()
      .filter((statement) => resourcesOf(statement).includes("*"))
      .flatMap((statement) => [statement.Action].flat())
      .filter((action) => !action.startsWith("logs:"));
    expect(anywhere.sort()).toEqual([
      "organizations:ListPolicies",
      "organizations:ListRoots",
      "sso:ListInstances",
    ]);
  });

  it("changes, provisions and grants only permission sets tagged managed-by=idc-sync, and creates only such", () => {
    const permissionSetArn = `arn:aws:sso:::permissionSet/${scope.ssoInstanceId}/*`;
    const onPermissionSets = roleStatements().filter((statement) =>
      resourcesOf(statement).includes(permissionSetArn),
    );
    const writes = onPermissionSets
      .filter((statement) => !statement.Sid?.endsWith("Reads"))
      .flatMap((statement) => [statement.Action].flat().map((action) => ({ action, statement })));

    for (const { action, statement } of writes) {
      if (action === "sso:DeleteAccountAssignment") continue;
      const expected =
        action === "sso:CreatePermissionSet"
          ? { StringEquals: { "aws:RequestTag/managed-by": "idc-sync" } }
          : { StringEquals: { "aws:ResourceTag/managed-by": "idc-sync" } };
      expect(statement.Condition, action).toMatchObject(expected);
    }
    expect(writes.map(({ action }) => action)).toEqual(
      expect.arrayContaining([
        "sso:UpdatePermissionSet",
        "sso:PutInlinePolicyToPermissionSet",
        "sso:CreateAccountAssignment",
        "sso:ProvisionPermissionSet",
        "sso:TagResource",
      ]),
    );
    const tagging = roleStatements().find((statement) => statement.Sid === "TagOnlyManagedPermissionSets");
    expect(tagging?.Condition?.["ForAllValues:StringNotEquals"]).toEqual({ "aws:TagKeys": "managed-by" });
  });

  it("matches every ARN and condition key to what the Service Authorization Reference lists for the action", async () => {
    const reference = JSON.parse(
      await readFile(join(root, "tests/fixtures/service-authorization/reference.json"), "utf8"),
    ) as ServiceAuthorizationReference;
    const problems: string[] = [];
    const covered = new Map<string, Set<string>>();
    const typesFitting = (action: string, arn: string) =>
      (reference.actions[action]?.resourceTypes ?? []).filter(
        (type) => arn !== "*" && arnPattern(reference.resourceTypes[type.name]!.arn).test(arn),
      );
    for (const statement of functionStatements()) {
      const actions = [statement.Action]
        .flat()
        .filter((action) => /^(sso|identitystore|organizations):/.test(action));
      if (actions.length === 0) continue;
      const arns = resourcesOf(statement);
      for (const action of actions) {
        const entry = reference.actions[action];
        if (!entry) {
          problems.push(`${action}: not in the reference`);
          continue;
        }
        if (arns.includes("*") && entry.resourceTypes.length > 0) {
          problems.push(
            `${action}: "*" although it takes ${entry.resourceTypes.map((t) => t.name).join(", ")}`,
          );
        }
        for (const arn of arns)
          for (const type of typesFitting(action, arn))
            covered.set(action, (covered.get(action) ?? new Set()).add(type.name));
        // A condition key must be one AWS evaluates for this action or for a resource type it names here.
        for (const key of Object.values(statement.Condition ?? {}).flatMap(Object.keys)) {
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the reference's own placeholder for a tag key
          const generic = key.replace(/\/[^/]+$/, "/${TagKey}");
          const evaluated = new Set([
            ...entry.conditionKeys,
            ...arns.flatMap((arn) =>
              typesFitting(action, arn).flatMap((t) => reference.resourceTypes[t.name]!.conditionKeys),
            ),
          ]);
          if (!evaluated.has(generic))
            problems.push(`${action}: condition key ${key} is not one AWS evaluates for it`);
        }
      }
      // IAM ignores an ARN no action of its statement takes: there is none (each is of a listed type).
      for (const arn of arns.filter((arn) => arn !== "*")) {
        if (!actions.some((action) => typesFitting(action, arn).length > 0)) {
          problems.push(`${statement.Sid}: ${arn} is a resource none of its actions takes`);
        }
      }
    }
    for (const [action, entry] of Object.entries(reference.actions)) {
      for (const type of entry.resourceTypes.filter((t) => t.required)) {
        if (!covered.get(action)?.has(type.name))
          problems.push(`${action}: its required ${type.name} is granted nowhere`);
      }
      if (entry.dependentActions.length > 0)
        problems.push(`${action}: needs ${entry.dependentActions.join(", ")} too`);
    }
    expect(problems).toEqual([]);
  });

  it("refuses to package without the Google secret, instance, store and organization, one clear line each", async () => {
    const failure = await failedPackaging([]);
    expect(failure.lines).toEqual([
      "idc-sync: 5 problems in the deployment; nothing was packaged:",
      expect.stringMatching(
        /^ {2}--param googleSecretArn: required: the full ARN of the Secrets Manager secret/,
      ),
      expect.stringMatching(/^ {2}--param ssoInstanceId: required, e\.g\. ssoins-/),
      expect.stringMatching(/^ {2}--param identityStoreId: required, e\.g\. d-/),
      expect.stringMatching(/^ {2}--param managementAccountId: required, e\.g\. 111111111111/),
      expect.stringMatching(/^ {2}--param organizationId: required, e\.g\. o-/),
    ]);
    // Not osls's own variable-resolution error, and no stack trace.
    expect(failure.output).not.toMatch(
      /Value not found at "param" source|Cannot resolve|\n\s+at .*:\d+:\d+\)?\n/,
    );
    expect(failure.wrote).toEqual([]);
  }, 120_000);

  it("refuses malformed secret ARNs, a bad schedule and broken rules, every problem at its place", async () => {
    const failure = await failedPackaging([
      "googleSecretArn=arn:aws:secretsmanager:us-east-1:123456789012:secret:idc-sync/google",
      ...Object.entries(scope).map(([name, value]) => `${name}=${value}`),
      "slackWebhookSecretArn=arn:aws:secretsmanager:eu-west-1:123456789012:secret:idc-sync/slack-AbCdEf",
      "schedule=cron(0 6 * * *)",
      "rules=tests/fixtures/rules/three-mistakes.yaml",
    ]);
    expect(failure.lines).toEqual([
      "idc-sync: 6 problems in the deployment; nothing was packaged:",
      expect.stringMatching(/^ {2}--param googleSecretArn: '.*:secret:idc-sync\/google' is a partial ARN/),
      expect.stringMatching(
        /^ {2}--param schedule: 'cron\(0 6 \* \* \*\)' has 5 fields; EventBridge cron takes six/,
      ),
      expect.stringMatching(
        /^ {2}--param slackWebhookSecretArn: '.*' is in eu-west-1, but the function deploys to us-east-1/,
      ),
      expect.stringMatching(
        /^ {2}tests\/fixtures\/rules\/three-mistakes\.yaml:50:22: permissionSets\[1\]\.sessionDuration/,
      ),
      expect.stringMatching(
        /^ {2}tests\/fixtures\/rules\/three-mistakes\.yaml:60:14: accounts\.core-dev\[0\]/,
      ),
      expect.stringMatching(
        /^ {2}tests\/fixtures\/rules\/three-mistakes\.yaml:69:14: unknown group 'developer'/,
      ),
    ]);
    expect(failure.wrote).toEqual([]);
  }, 120_000);

  it("packages keyless Google with no secret to read: the provider, service account and admin reach the function", async () => {
    const keyless = {
      googleWorkloadIdentityProvider:
        "projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/idc-sync",
      googleServiceAccount: "idc-sync@acme-idc.iam.gserviceaccount.com",
      googleAdminEmail: "admin@example.com",
    };
    const out = join(work, "keyless");
    await run(
      osls,
      [
        "package",
        "--stage",
        "ci",
        "--package",
        out,
        ...[
          ...Object.entries(scope).map(([name, value]) => `${name}=${value}`),
          ...Object.entries(keyless).map(([name, value]) => `${name}=${value}`),
        ].flatMap((param) => ["--param", param]),
      ],
      { cwd: root, env: offlineEnv, timeout: 120_000 },
    );
    const keylessTemplate = JSON.parse(
      await readFile(join(out, "cloudformation-template-update-stack.json"), "utf8"),
    ) as Template;
    expect(keylessTemplate.Conditions?.HasGoogleSecret).toEqual({ "Fn::Not": [{ "Fn::Equals": ["", ""] }] });
    expect(keylessTemplate.Resources.SyncLambdaFunction?.Properties.Environment).toMatchObject({
      Variables: {
        GOOGLE_SECRET_ARN: "",
        GOOGLE_WORKLOAD_IDENTITY_PROVIDER: keyless.googleWorkloadIdentityProvider,
        GOOGLE_SERVICE_ACCOUNT: keyless.googleServiceAccount,
        GOOGLE_ADMIN_EMAIL: keyless.googleAdminEmail,
      },
    });
  }, 120_000);

  it("refuses a rules file that does not exist, naming it", async () => {
    const failure = await failedPackaging([...requiredParamValues(), "rules=rules/missing.yaml"]);
    expect(failure.lines).toEqual([
      "idc-sync: 1 problem in the deployment; nothing was packaged:",
      "  rules/missing.yaml:1:1: cannot read the rules file: it does not exist",
    ]);
  }, 120_000);

  it("refuses rules that revoke sessions with SCPs from a deployment without the rights to write them", async () => {
    const failure = await failedPackaging([
      ...requiredParamValues(),
      "rules=tests/fixtures/rules/revoke-sessions-scp.yaml",
    ]);
    expect(failure.lines).toEqual([
      "idc-sync: 1 problem in the deployment; nothing was packaged:",
      "  --param revokeSessionsWithScp: tests/fixtures/rules/revoke-sessions-scp.yaml says leavers.revokeSessions: scp, which needs the Organizations rights this parameter grants: deploy with --param revokeSessionsWithScp=true (in the management account or a delegated administrator for Organizations policies), or choose permissionSets",
    ]);
  }, 120_000);

  it("adds the management-account IAM rights only when asked, on the reserved SSO roles alone", () => {
    const policy = resource("ManagementAccountProvisioningPolicy", "AWS::IAM::RolePolicy");
    expect(policy.Condition).toBe("ManagesManagementAccount");
    expect(template.Conditions?.ManagesManagementAccount).toEqual({ "Fn::Equals": ["false", "true"] });
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    expect(JSON.stringify(statements.map((statement) => statement.Resource))).not.toMatch(/"\*"/);
    expect(JSON.stringify(statements)).toContain("role/aws-reserved/sso.amazonaws.com/*");
  });

  it("grants the kill switch's SCP calls only when asked, and changes only SCPs idc-sync created", () => {
    const policy = resource("RevocationScpPolicy", "AWS::IAM::RolePolicy");
    expect(policy.Condition).toBe("RevokesSessionsWithScp");
    expect(template.Conditions?.RevokesSessionsWithScp).toEqual({ "Fn::Equals": ["false", "true"] });
    const statements = revocationStatements();
    const on = (sid: string) => statements.find((statement) => statement.Sid === sid);
    expect(on("ChangeOnlyIdcSyncServiceControlPolicies")?.Condition).toEqual({
      StringEquals: { "aws:ResourceTag/managed-by": "idc-sync" },
    });
    expect(on("CreateOnlyTaggedServiceControlPolicies")?.Condition).toEqual({
      StringEquals: {
        "aws:RequestTag/managed-by": "idc-sync",
        "organizations:PolicyType": "SERVICE_CONTROL_POLICY",
      },
    });
    expect(on("TagServiceControlPoliciesAtCreation")?.Condition).toMatchObject({
      "ForAllValues:StringEquals": { "aws:TagKeys": "managed-by" },
    });
    const writes = ["UpdatePolicy", "DeletePolicy", "DescribePolicy"].map((name) => `organizations:${name}`);
    for (const statement of statements.filter((s) => [s.Action].flat().some((a) => writes.includes(a)))) {
      expect(statement.Sid).toBe("ChangeOnlyIdcSyncServiceControlPolicies");
    }
    // Nothing of it is in the role itself: a deployment without the parameter cannot touch an SCP.
    const inRole = roleStatements().flatMap((statement) => [statement.Action].flat());
    expect(inRole.filter((action) => /^organizations:.*Polic(y|ies)/.test(action))).toEqual([]);
  });

  it("alarms on a failed run, from the function's own metric and Lambda's errors, in one alarm", () => {
    const alarm = resource("RunFailedAlarm", "AWS::CloudWatch::Alarm").Properties;
    const metric = (id: string) =>
      (alarm.Metrics as { Id: string; MetricStat?: { Metric: Json; Stat: string } }[]).find(
        (entry) => entry.Id === id,
      );
    expect(metric("failedRuns")?.MetricStat).toEqual({
      Metric: { Namespace: "IdcSync", MetricName: "RunFailed", Dimensions: functionDimensions },
      Period: 300,
      Stat: "Sum",
    });
    expect(metric("functionErrors")?.MetricStat?.Metric).toEqual({
      Namespace: "AWS/Lambda",
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: "SyncLambdaFunction" } }],
    });
    expect(alarm.Metrics).toContainEqual(
      expect.objectContaining({
        ReturnData: true,
        Expression: "FILL(failedRuns, 0) + FILL(functionErrors, 0)",
      }),
    );
    expect(alarm).toMatchObject({
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 1,
      TreatMissingData: "notBreaching",
    });
  });

  it("alarms on a guard stop, and on no successful run for 24 hours while the schedule runs", () => {
    expect(resource("GuardStopAlarm", "AWS::CloudWatch::Alarm").Properties).toMatchObject({
      Namespace: "IdcSync",
      MetricName: "GuardStops",
      Dimensions: functionDimensions,
      Statistic: "Sum",
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      Threshold: 1,
      TreatMissingData: "notBreaching",
    });
    const silence = resource("NoSuccessfulRunAlarm", "AWS::CloudWatch::Alarm");
    expect(silence.Condition).toBe("ScheduleEnabled");
    expect(template.Conditions?.ScheduleEnabled).toEqual({ "Fn::Equals": ["true", "true"] });
    expect(silence.Properties).toMatchObject({
      Namespace: "IdcSync",
      MetricName: "RunSucceeded",
      Dimensions: functionDimensions,
      Statistic: "Sum",
      Period: 3600,
      EvaluationPeriods: 24,
      DatapointsToAlarm: 24,
      ComparisonOperator: "LessThanThreshold",
      Threshold: 1,
      // The silent failure: no data at all is what the alarm is for.
      TreatMissingData: "breaching",
    });
  });

  it("sends the alarms nowhere without alarmEmail or alarmTopicArn, and the topic is not created", () => {
    expect(resource("AlarmTopic", "AWS::SNS::Topic").Condition).toBe("HasAlarmEmail");
    expect(template.Conditions?.HasAlarmEmail).toEqual({ "Fn::Not": [{ "Fn::Equals": ["", ""] }] });
    expect(template.Conditions?.HasAlarmTopicArn).toEqual({ "Fn::Not": [{ "Fn::Equals": ["", ""] }] });
    for (const id of ["RunFailedAlarm", "GuardStopAlarm", "NoSuccessfulRunAlarm"]) {
      const alarm = resource(id, "AWS::CloudWatch::Alarm").Properties;
      expect(alarm.AlarmActions, id).toEqual(alarmActions(""));
      expect(alarm.OKActions, id).toEqual(alarmActions(""));
    }
  });

  it("puts a failed scheduled invocation's record in a queue, which only Lambda's destination may write", () => {
    expect(resource("SyncLambdaEvConf", "AWS::Lambda::EventInvokeConfig").Properties).toMatchObject({
      MaximumRetryAttempts: 0,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": ["FailedInvocationsQueue", "Arn"] } } },
    });
    expect(resource("FailedInvocationsQueue", "AWS::SQS::Queue").Properties).toEqual({
      MessageRetentionPeriod: 1_209_600,
      SqsManagedSseEnabled: true,
    });
    const sqsStatements = allStatements().filter((statement) => JSON.stringify(statement).includes("sqs:"));
    const onTheSyncQueue = (statement: Statement) => JSON.stringify(statement).includes('"SyncQueue"');
    expect(sqsStatements.filter((statement) => !onTheSyncQueue(statement))).toEqual([
      {
        Effect: "Allow",
        Action: "sqs:SendMessage",
        Resource: { "Fn::GetAtt": ["FailedInvocationsQueue", "Arn"] },
      },
    ]);
    // The other one is the event source mapping's, on the event path's queue (events.yml).
    expect(sqsStatements.filter(onTheSyncQueue)).toEqual([
      {
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
        Resource: [{ "Fn::GetAtt": ["SyncQueue", "Arn"] }],
      },
    ]);
    expect(template.Outputs.FailedInvocationsQueueUrl?.Value).toEqual({ Ref: "FailedInvocationsQueue" });
  });

  it("mails the alarms through a topic of the stack with alarmEmail, or notifies an existing topic", async () => {
    const withEmail = await packagedTemplate("alarm-email", [
      ...requiredParamValues(),
      "alarmEmail=aws-alerts@example.com",
      "noSuccessAlarmHours=6",
    ]);
    expect(withEmail.Conditions?.HasAlarmEmail).toEqual({
      "Fn::Not": [{ "Fn::Equals": ["aws-alerts@example.com", ""] }],
    });
    expect(withEmail.Resources.AlarmTopic?.Properties).toEqual({
      DisplayName: "idc-sync alarms",
      Subscription: [{ Protocol: "email", Endpoint: "aws-alerts@example.com" }],
    });
    expect(withEmail.Resources.GuardStopAlarm?.Properties.AlarmActions).toEqual(alarmActions(""));
    // A --param is text; CloudFormation reads integer properties from strings (as from a Ref'd parameter).
    expect(withEmail.Resources.NoSuccessfulRunAlarm?.Properties).toMatchObject({
      EvaluationPeriods: "6",
      DatapointsToAlarm: "6",
    });

    const topicArn = "arn:aws:sns:us-east-1:123456789012:ops-alerts";
    const withTopic = await packagedTemplate("alarm-topic", [
      ...requiredParamValues(),
      `alarmTopicArn=${topicArn}`,
      "scheduleEnabled=false",
    ]);
    expect(withTopic.Conditions?.HasAlarmTopicArn).toEqual({ "Fn::Not": [{ "Fn::Equals": [topicArn, ""] }] });
    expect(withTopic.Resources.RunFailedAlarm?.Properties.AlarmActions).toEqual(alarmActions(topicArn));
    // No schedule, no silence to alarm on.
    expect(withTopic.Conditions?.ScheduleEnabled).toEqual({ "Fn::Equals": ["false", "true"] });
  }, 240_000);

  it("refuses both alarm targets at once, a topic elsewhere and a silence alarm shorter than the schedule", async () => {
    const failure = await failedPackaging([
      ...requiredParamValues(),
      "alarmEmail=aws-alerts@example.com",
      "alarmTopicArn=arn:aws:sns:us-east-1:123456789012:ops-alerts",
      "schedule=rate(12 hours)",
      "noSuccessAlarmHours=6",
    ]);
    expect(failure.lines).toEqual([
      "idc-sync: 2 problems in the deployment; nothing was packaged:",
      "  --param alarmTopicArn: give either alarmEmail (a topic of the stack) or alarmTopicArn (your own topic), not both",
      "  --param noSuccessAlarmHours: 6 hours is shorter than the schedule rate(12 hours): the alarm would go off between two good runs; give at least 12",
    ]);
    const elsewhere = await failedPackaging([
      ...requiredParamValues(),
      "alarmTopicArn=arn:aws:sns:eu-west-1:123456789012:ops-alerts",
    ]);
    expect(elsewhere.lines).toEqual([
      "idc-sync: 1 problem in the deployment; nothing was packaged:",
      "  --param alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops-alerts' is in eu-west-1, but the alarms are in us-east-1; give a topic in us-east-1",
    ]);
  }, 240_000);

  it("lets a stage change the schedule, turn it off and size the memory with --param", async () => {
    const { stdout } = await run(
      osls,
      [
        "print",
        "--stage",
        "ci",
        "--format",
        "json",
        "--param",
        "schedule=cron(0 6 * * ? *)",
        "--param",
        "scheduleEnabled=false",
        "--param",
        "memorySize=1024",
        ...requiredParams,
      ],
      { cwd: root, env: offlineEnv, timeout: 120_000 },
    );
    const printed = JSON.parse(stdout.slice(stdout.indexOf("{"))) as {
      functions: { sync: { events: Json[]; memorySize: number } };
    };
    expect(printed.functions.sync.memorySize).toBe(1024);
    expect(printed.functions.sync.events).toEqual([
      { schedule: { rate: ["cron(0 6 * * ? *)"], enabled: false, description: "idc-sync scheduled apply" } },
    ]);
  }, 120_000);
});

describe("the packaged event path (deploy parameter events)", () => {
  it("has one FIFO queue with content-based deduplication, a FIFO dead-letter queue and a visibility timeout over the run's", () => {
    const queue = resource("SyncQueue", "AWS::SQS::Queue").Properties;
    expect(queue).toMatchObject({
      FifoQueue: true,
      ContentBasedDeduplication: true,
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": ["SyncDeadLetterQueue", "Arn"] },
        maxReceiveCount: 3,
      },
    });
    expect(queue.VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * 900);
    expect(resource("SyncDeadLetterQueue", "AWS::SQS::Queue").Properties.FifoQueue).toBe(true);
  });

  it("consumes the queue in batches of 10 with partial batch responses, with the sync function's role and timeout", () => {
    const mapping = Object.values(template.Resources).find(
      (entry) => entry.Type === "AWS::Lambda::EventSourceMapping",
    );
    expect(mapping?.Properties).toMatchObject({
      BatchSize: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      EventSourceArn: { "Fn::GetAtt": ["SyncQueue", "Arn"] },
      FunctionName: { "Fn::GetAtt": ["SyncQueueLambdaFunction", "Arn"] },
    });
    const consumer = resource("SyncQueueLambdaFunction", "AWS::Lambda::Function").Properties;
    expect(consumer).toMatchObject({
      Timeout: 900,
      Role: { "Fn::GetAtt": ["IamRoleLambdaExecution", "Arn"] },
    });
    expect(consumer.ReservedConcurrentExecutions).toBeUndefined();
  });

  it("sends the schedule's full sync through the queue on the one message group when events=true", () => {
    const rule = resource("ScheduledFullSyncRule", "AWS::Events::Rule").Properties;
    expect(evaluate(rule.State, { events: true })).toBe("ENABLED");
    expect(evaluate(rule.State, { events: false })).toBe("DISABLED");
    expect(evaluate(rule.State, { events: true, scheduleEnabled: false })).toBe("DISABLED");
    expect(rule.Targets).toEqual([
      expect.objectContaining({
        Arn: { "Fn::GetAtt": ["SyncQueue", "Arn"] },
        SqsParameters: { MessageGroupId: "idc-sync" },
        InputTransformer: {
          InputPathsMap: { time: "$.time" },
          InputTemplate: '{"kind":"full","trigger":"schedule","at":"<time>"}',
        },
      }),
    ]);
  });

  it("forwards every Identity Center write idc-sync follows, and none of its own role's, to the queue", async () => {
    const { identityCenterWriteEvents } = await import("../../src/events/cloudtrail.js");
    const rule = resource("IdentityCenterDriftRule", "AWS::Events::Rule").Properties;
    const pattern = rule.EventPattern as {
      detail: { eventSource: string[]; eventName: string[]; userIdentity: unknown };
    };
    expect(pattern.detail.eventSource.sort()).toEqual(Object.keys(identityCenterWriteEvents).sort());
    expect(pattern.detail.eventName).toEqual(
      [...new Set(Object.values(identityCenterWriteEvents).flat())].sort(),
    );
    const ownRoleSessions =
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own Fn::Sub placeholders
      "arn:${AWS::Partition}:sts::${AWS::AccountId}:assumed-role/${IamRoleLambdaExecution}/";
    expect(pattern.detail.userIdentity).toEqual({
      arn: [
        {
          "anything-but": {
            prefix: { "Fn::Sub": ownRoleSessions },
          },
        },
      ],
    });
    expect(rule.Targets).toEqual([
      expect.objectContaining({ SqsParameters: { MessageGroupId: "idc-sync" } }),
    ]);
    const policy = resource("SyncQueuePolicy", "AWS::SQS::QueuePolicy").Properties.PolicyDocument as {
      Statement: Statement[];
    };
    expect(policy.Statement.map((statement) => statement.Action)).toEqual(["sqs:SendMessage"]);
  });

  it("serves the receiver from a public function URL with a role that can only keep channels, enqueue and read its secret", () => {
    expect(resource("GooglePushLambdaFunctionUrl", "AWS::Lambda::Url").Properties.AuthType).toBe("NONE");
    const receiver = resource("GooglePushLambdaFunction", "AWS::Lambda::Function").Properties;
    expect(receiver.Role).toEqual({ "Fn::GetAtt": ["GooglePushRole", "Arn"] });
    const actions = roleActions("GooglePushRole");
    expect(actions.sort()).toEqual(
      [
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "logs:CreateLogStream",
        "logs:PutLogEvents",
        "secretsmanager:GetSecretValue",
        "sqs:SendMessage",
      ].sort(),
    );
    expect(
      roleActions("RenewChannelsRole").filter((action) => /^(sso|identitystore|sqs):/.test(action)),
    ).toEqual([]);
  });
});

describe("the packaged zip", () => {
  it("holds the ESM bundle, its source map, the rules and their policy files, and no node_modules", async () => {
    const { stdout } = await run("unzip", ["-Z1", zipPath]);
    const entries = stdout.trim().split("\n").sort();
    expect(entries).toEqual(
      expect.arrayContaining([
        "examples/rules.yaml",
        "examples/policies/developer.json",
        "src/handlers/sync-lambda.mjs",
        "src/handlers/sync-lambda.mjs.map",
      ]),
    );
    expect(entries.filter((entry) => entry.includes("node_modules"))).toEqual([]);
    const bundle = await readFile(join(bundleDir, "src/handlers/sync-lambda.mjs"), "utf8");
    expect(bundle.startsWith("import { createRequire as __idcSyncCreateRequire }")).toBe(true);
  });

  describe("run with plain node against the emulators", () => {
    const emulators: ChildProcess[] = [];
    let env: NodeJS.ProcessEnv;

    beforeAll(async () => {
      const directory = join(root, "examples/directory.yaml");
      const google = await startEmulator("tests/emulators/google-directory/main.ts", [
        "--snapshot",
        directory,
        "--port",
        "0",
        "--token",
        "bundle-test-token",
      ]);
      // The example Identity Center holds a protected break-glass user and group the run must leave alone.
      const aws = await startEmulator("tests/emulators/aws/main.ts", [
        "--organization",
        directory,
        "--state",
        join(root, "examples/identity-center.json"),
        "--port",
        "0",
      ]);
      env = localHandlerEnv(bundleDir, { googleUrl: google, googleToken: "bundle-test-token", awsUrl: aws });
    }, 60_000);

    afterAll(() => {
      for (const child of emulators) if (child.exitCode === null) child.kill("SIGTERM");
    });

    it("applies the example company on a scheduled event, within its memory size", async () => {
      const first = await invokeBundle("scheduled.json");
      expect(first.result).toMatchObject({ ok: true, status: "applied", trigger: "schedule" });
      const apply = (first.result as { apply: { applied: number; failed: number; notStarted: number } })
        .apply;
      expect(apply.applied).toBeGreaterThan(50);
      expect(apply).toMatchObject({ failed: 0, notStarted: 0 });
      // Lambda's "Max Memory Used" is the process peak; half the configured size is the headroom kept.
      expect(first.peakRssMb).toBeLessThan(512 / 2);
      expect(
        first.logs.some((line) => line.message === "change applied" && typeof line.runId === "string"),
      ).toBe(true);
      // The run's metrics, as EMF lines on stdout: CloudWatch reads them from the log stream.
      const blob = first.metrics.find((line) => "RunSucceeded" in line);
      expect(blob).toMatchObject({
        service: "idc-sync",
        FunctionName: "idc-sync-local-sync",
        RunSucceeded: 1,
        RunFailed: 0,
        GuardStops: 0,
        ChangesApplied: apply.applied,
        ChangesFailed: 0,
      });
      expect(blob?.ReadTime).toBeGreaterThan(0);
      expect(blob?.ApiCalls).toBeGreaterThan(apply.applied);
      const namespaces = first.metrics.map(
        (line) =>
          (line._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics[0]?.Namespace,
      );
      expect(new Set(namespaces)).toEqual(new Set(["IdcSync"]));
      const perService = first.metrics.filter((line) => "Service" in line && "ApiCalls" in line);
      expect(perService.map((line) => line.Service).sort()).toEqual([
        "google",
        "identitystore",
        "organizations",
        "sso-admin",
      ]);
    }, 120_000);

    it("then finds nothing left to do on a manual plan", async () => {
      const second = await invokeBundle("manual-plan.json");
      expect(second.result, String(second.result.planText)).toMatchObject({
        status: "planned",
        plan: { add: 0, change: 0, remove: 0 },
      });
      expect(String(second.result.planText)).toContain("breakglass@example.com: protected by safety.protect");
    }, 120_000);

    it("answers a bad manual payload with its problems and changes nothing", async () => {
      const { result } = await invokeBundle("bad-payload.json");
      expect(result).toMatchObject({ ok: false, status: "rejected" });
      expect((result as { problems: string[] }).problems).toHaveLength(2);
    }, 60_000);

    it("runs one full sync for a queue batch holding a full message and a CloudTrail event, and fails none of it", async () => {
      const { result, logs } = await invokeBundle("sqs-batch.json", "src/handlers/queue-consumer-lambda.mjs");
      expect(result).toEqual({ batchItemFailures: [] });
      expect(logs.find((line) => line.message === "batch received")).toMatchObject({
        messages: 2,
        full: 1,
        targeted: 1,
        run: "full",
      });
      expect(logs.filter((line) => line.message === "sync finished")).toHaveLength(1);
    }, 120_000);

    it("answers a forged push 401 from the receiver bundle, reading nothing", async () => {
      const forged = join(work, "forged-push.json");
      const event = JSON.parse(
        await readFile(join(root, "tests/fixtures/events/google-push-update.json"), "utf8"),
      );
      event.headers["x-goog-channel-token"] = "forged";
      await writeFile(forged, JSON.stringify(event));
      const { result } = await invokeBundle(forged, "src/handlers/google-push-lambda.mjs", {
        // Unreachable on purpose: a forged notification is refused before any read or send.
        STATE_TABLE_NAME: "unreachable",
        SYNC_QUEUE_URL: "http://127.0.0.1:9/000000000000/unreachable.fifo",
        IDC_SYNC_CHANNEL_SECRET: "bundle-test-channel-secret-0123456789abcdef",
      });
      expect(result).toEqual({ statusCode: 401, body: "" });
    }, 60_000);

    async function invokeBundle(eventFile: string, entry?: string, extraEnv: NodeJS.ProcessEnv = {}) {
      const { stdout, stderr } = await run(
        process.execPath,
        [
          join(root, "scripts/invoke-local.mjs"),
          "handler",
          bundleDir,
          eventFile.startsWith("/") ? eventFile : join(root, "tests/fixtures/events", eventFile),
          ...(entry ? [entry] : []),
        ],
        { env: { ...env, ...extraEnv }, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      );
      const logs = stdout
        .split("\n")
        .filter((line) => line.startsWith('{"level"'))
        .map((line) => JSON.parse(line) as Json);
      const metrics = stdout
        .split("\n")
        .filter((line) => line.startsWith('{"_aws"'))
        .map((line) => JSON.parse(line) as Json);
      const result = JSON.parse(stdout.slice(stdout.lastIndexOf("\n{\n") + 1)) as Json;
      const peak = /peak RSS (\d+) MB/.exec(stderr);
      if (!peak) throw new Error(`no peak RSS line in:\n${stderr}`);
      return { result, logs, metrics, peakRssMb: Number(peak[1]) };
    }

    function startEmulator(script: string, args: string[]): Promise<string> {
      return new Promise((ready, fail) => {
        const child = spawn(join(root, "node_modules/.bin/tsx"), [join(root, script), ...args], {
          cwd: root,
          stdio: ["ignore", "pipe", "pipe"],
        });
        emulators.push(child);
        let stdout = "";
        let stderr = "";
        child.stderr?.on("data", (chunk) => {
          stderr += chunk;
        });
        child.stdout?.on("data", (chunk) => {
          stdout += chunk;
          if (stdout.includes("\n")) ready(stdout.split("\n")[0]!.trim());
        });
        child.on("exit", (code) => fail(new Error(`${script} exited with ${code}:\n${stderr}`)));
      });
    }
  });
});

/** Resolves Fn::If over the event path's conditions, as CloudFormation would with these parameters. */
function evaluate(value: unknown, params: { events: boolean; scheduleEnabled?: boolean }): unknown {
  const conditions: Record<string, boolean> = {
    EventDriven: params.events,
    ScheduleOn: params.scheduleEnabled ?? true,
    ScheduleThroughQueue: params.events && (params.scheduleEnabled ?? true),
  };
  if (Array.isArray(value)) return value.map((entry) => evaluate(entry, params));
  if (typeof value !== "object" || value === null) return value;
  const branch = (value as { "Fn::If"?: [string, unknown, unknown] })["Fn::If"];
  if (branch) {
    const known = conditions[branch[0]];
    if (known === undefined) throw new Error(`condition ${branch[0]} is not modelled here`);
    return evaluate(known ? branch[1] : branch[2], params);
  }
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, evaluate(entry, params)]));
}

function resource(logicalId: string, type: string) {
  const found = template.Resources[logicalId];
  expect(found?.Type, `${logicalId} in the template`).toBe(type);
  return found!;
}

interface ServiceAuthorizationReference {
  resourceTypes: Record<string, { arn: string; conditionKeys: string[] }>;
  actions: Record<
    string,
    {
      resourceTypes: { name: string; required: boolean }[];
      conditionKeys: string[];
      dependentActions: string[];
    }
  >;
}

/** A statement's resources as ARN strings, `Fn::Sub` resolved in the aws partition. */
function resourcesOf(statement: Statement): string[] {
  return [statement.Resource].flat().map((resource) => {
    if (typeof resource === "string") return resource;
    const sub = (resource as { "Fn::Sub"?: unknown })["Fn::Sub"];
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own Fn::Sub placeholder
    if (typeof sub === "string") return sub.replaceAll("${AWS::Partition}", "aws");
    return JSON.stringify(resource);
  });
}

/** A reference ARN template (`arn:${Partition}:sso:::instance/${InstanceId}`) as a pattern a granted ARN must fit. */
function arnPattern(template: string): RegExp {
  const parts = template.split(/\$\{[A-Za-z]+\}/).map((part) => part.replace(/[.*+?^()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join("[^:/]+")}$`);
}

/** The actions a role of the stack's own (not the functions' shared one) grants. */
function roleActions(logicalId: string): string[] {
  const role = resource(logicalId, "AWS::IAM::Role").Properties as {
    Policies: { PolicyDocument: { Statement: Statement[] } }[];
  };
  return role.Policies.flatMap((policy) => policy.PolicyDocument.Statement).flatMap((statement) =>
    [statement.Action].flat(),
  );
}

/** The statements of one of the stack's extra policies. */
function policyStatements(logicalId: string): Statement[] {
  return (resource(logicalId, "AWS::IAM::RolePolicy").Properties.PolicyDocument as { Statement: Statement[] })
    .Statement;
}

/** The statements of the function's role. */
function roleStatements(): Statement[] {
  const role = resource("IamRoleLambdaExecution", "AWS::IAM::Role").Properties as {
    Policies: { PolicyDocument: { Statement: Statement[] } }[];
  };
  return role.Policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

/** The kill switch's SCP grants, a role policy of their own, created only with revokeSessionsWithScp=true. */
function revocationStatements(): Statement[] {
  return policyStatements("RevocationScpPolicy");
}

/** What the function may call when deployed with every feature: its role, and the kill switch's SCP grants. */
function functionStatements(): Statement[] {
  return [...roleStatements(), ...revocationStatements()];
}

/** Every statement of every identity policy in the stack, conditional ones included. */
function allStatements(): Statement[] {
  const extra = Object.values(template.Resources)
    .filter((entry) =>
      ["AWS::IAM::RolePolicy", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"].includes(entry.Type),
    )
    .flatMap((entry) => (entry.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  return [...roleStatements(), ...extra];
}

/**
 * `identitystore:ListUsers` for every `ListUsersCommand` imported from an AWS SDK client by a source file
 * that is in the bundle (its source map lists them), so code the function does not carry asks for nothing.
 */
async function sdkActionsCalledBySource(): Promise<Set<string>> {
  const prefixes: Record<string, string> = {
    "client-identitystore": "identitystore",
    "client-sso-admin": "sso",
    "client-organizations": "organizations",
    "client-secrets-manager": "secretsmanager",
    "client-dynamodb": "dynamodb",
  };
  const map = JSON.parse(await readFile(join(bundleDir, "src/handlers/sync-lambda.mjs.map"), "utf8")) as {
    sources: string[];
  };
  const files = map.sources
    .filter((source) => !source.includes("node_modules/") && source.includes("src/"))
    .map((source) => join(root, source.slice(source.indexOf("src/"))));
  expect(files).toContain(join(root, "src/adapters/aws/aws-identity-center.ts"));
  const actions = new Set<string>();
  for (const file of files) {
    const text = await readFile(file, "utf8");
    for (const match of text.matchAll(/import\s*{([^}]*)}\s*from\s*"@aws-sdk\/(client-[a-z-]+)"/g)) {
      const prefix = prefixes[match[2]!];
      if (!prefix)
        throw new Error(
          `${file} imports @aws-sdk/${match[2]}: add its IAM prefix here and to serverless.yml`,
        );
      for (const name of match[1]!.split(",").map((entry) => entry.trim())) {
        if (name.startsWith("type ") || !name.endsWith("Command")) continue;
        actions.add(`${prefix}:${name.slice(0, -"Command".length)}`);
      }
    }
    // Powertools' SecretsProvider sends GetSecretValueCommand itself (its `_get`), from node_modules.
    if (
      /import\s*{[^}]*\bSecretsProvider\b[^}]*}\s*from\s*"@aws-lambda-powertools\/parameters\/secrets"/.test(
        text,
      )
    )
      actions.add("secretsmanager:GetSecretValue");
  }
  // CreatePolicy: "If the request includes tags, then the requester must have the organizations:TagResource
  // permission" (API_CreatePolicy); idc-sync tags every SCP it creates in that call.
  if (actions.has("organizations:CreatePolicy")) actions.add("organizations:TagResource");
  return actions;
}

/** The dimensions the function publishes its metrics with (src/handlers/sync.ts). */
const functionDimensions = [
  { Name: "service", Value: "idc-sync" },
  { Name: "FunctionName", Value: { Ref: "SyncLambdaFunction" } },
];

/** The alarms' actions as the template states them, with the alarmTopicArn parameter resolved. */
function alarmActions(topicArn: string) {
  return {
    "Fn::If": [
      "HasAlarmEmail",
      [{ Ref: "AlarmTopic" }],
      { "Fn::If": ["HasAlarmTopicArn", [topicArn], { Ref: "AWS::NoValue" }] },
    ],
  };
}

/** Packages with these parameters into a folder of its own and returns the CloudFormation template. */
async function packagedTemplate(name: string, params: string[]): Promise<Template> {
  const out = join(work, name);
  await run(
    osls,
    ["package", "--stage", "ci", "--package", out, ...params.flatMap((param) => ["--param", param])],
    { cwd: root, env: offlineEnv, timeout: 120_000 },
  );
  return JSON.parse(
    await readFile(join(out, "cloudformation-template-update-stack.json"), "utf8"),
  ) as Template;
}

function requiredParamValues(): string[] {
  return requiredParams.filter((_, index) => index % 2 === 1);
}

/** Runs `osls package` that must fail; its problem lines (from idc-sync's message on) and what it wrote. */
async function failedPackaging(params: string[]) {
  const out = join(work, `refused-${Math.random().toString(36).slice(2)}`);
  const result = await run(
    osls,
    ["package", "--stage", "ci", "--package", out, ...params.flatMap((param) => ["--param", param])],
    { cwd: root, env: offlineEnv, timeout: 120_000 },
  ).then(
    () => undefined,
    (error: { stdout?: string; stderr?: string }) => `${error.stdout ?? ""}${error.stderr ?? ""}`,
  );
  if (result === undefined) throw new Error("osls package succeeded");
  const lines = result.split("\n");
  const first = lines.findIndex((line) => line.startsWith("idc-sync: "));
  const problems = first < 0 ? [] : lines.slice(first);
  const end = problems.findIndex((line, index) => index > 0 && !line.startsWith("  "));
  const wrote = await readdir(out).catch(() => []);
  return { output: result, lines: end < 0 ? problems : problems.slice(0, end), wrote };
}
