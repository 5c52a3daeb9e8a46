import { describe, expect, it } from "vitest";
import {
  checkDeploymentSettings,
  type DeploymentSettings,
  formatSettingProblem,
  scheduleExpressionProblem,
  secretArnProblem,
} from "../../../src/deploy/deployment-settings.js";

const secretArn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:idc-sync/google-AbCdEf";

function someSettings(overrides: Partial<DeploymentSettings> = {}): DeploymentSettings {
  return {
    region: "us-east-1",
    rules: "rules.yaml",
    googleSecretArn: secretArn,
    slackWebhookSecretArn: "",
    schedule: "rate(15 minutes)",
    scheduleEnabled: "true",
    ssoInstanceId: "ssoins-72230000a1b2c3d4",
    identityStoreId: "d-9067a1b2c3",
    managementAccountId: "111111111111",
    organizationId: "o-a1b2c3d4e5",
    memorySize: 512,
    retryWindowSeconds: "60",
    manageManagementAccount: "false",
    ...overrides,
  };
}

describe("the deploy parameters, checked before packaging", () => {
  it("finds nothing wrong with a complete deployment", () => {
    expect(checkDeploymentSettings(someSettings())).toEqual([]);
  });

  it("names every required parameter left out, one line each, and where to find its value", () => {
    const problems = checkDeploymentSettings(
      someSettings({
        googleSecretArn: "",
        ssoInstanceId: "",
        identityStoreId: "",
        managementAccountId: "",
        organizationId: "",
      }),
    ).map(formatSettingProblem);
    expect(problems).toEqual([
      expect.stringMatching(/^--param googleSecretArn: required: the full ARN of the Secrets Manager secret/),
      expect.stringMatching(
        /^--param ssoInstanceId: required, e\.g\. ssoins-0123456789abcdef \(`aws sso-admin list-instances`/,
      ),
      expect.stringMatching(/^--param identityStoreId: required, e\.g\. d-0123456789/),
      expect.stringMatching(/^--param managementAccountId: required, e\.g\. 111111111111/),
      expect.stringMatching(/^--param organizationId: required, e\.g\. o-a1b2c3d4e5/),
    ]);
  });

  it("reports malformed identifiers, sizes and switches all at once", () => {
    const problems = checkDeploymentSettings(
      someSettings({
        ssoInstanceId: "ssoins-123",
        identityStoreId: "d-XYZ",
        managementAccountId: "11111111111",
        organizationId: "org-1",
        memorySize: "64",
        retryWindowSeconds: "1.5",
        scheduleEnabled: "yes",
        manageManagementAccount: "TRUE",
      }),
    );
    expect(problems.map((problem) => problem.parameter)).toEqual([
      "ssoInstanceId",
      "identityStoreId",
      "managementAccountId",
      "organizationId",
      "scheduleEnabled",
      "memorySize",
      "retryWindowSeconds",
      "manageManagementAccount",
    ]);
    expect(problems[4]?.message).toBe(`'yes' must be "true" or "false"`);
    expect(problems[5]?.message).toBe("'64' is not a whole number of MB from 128 to 10240");
  });

  it("takes keyless Google instead of the secret: all three parameters, well formed, and no secret", () => {
    const keyless = {
      googleSecretArn: "",
      googleWorkloadIdentityProvider:
        "projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/idc-sync",
      googleServiceAccount: "idc-sync@acme-idc.iam.gserviceaccount.com",
      googleAdminEmail: "admin@example.com",
    };
    expect(checkDeploymentSettings(someSettings(keyless))).toEqual([]);
    expect(
      checkDeploymentSettings(
        someSettings({ ...keyless, googleWorkloadIdentityProvider: "aws/idc-sync", googleAdminEmail: "" }),
      ).map((problem) => problem.parameter),
    ).toEqual(["googleWorkloadIdentityProvider", "googleAdminEmail"]);
    expect(checkDeploymentSettings(someSettings({ ...keyless, googleSecretArn: secretArn }))).toEqual([
      { parameter: "googleSecretArn", message: expect.stringContaining("not both") },
    ]);
  });

  it("checks the optional Slack secret only when one is given", () => {
    expect(checkDeploymentSettings(someSettings({ slackWebhookSecretArn: "hooks.slack.com/x" }))).toEqual([
      {
        parameter: "slackWebhookSecretArn",
        message: expect.stringContaining("is not a Secrets Manager secret ARN"),
      },
    ]);
  });
});

describe("who the alarms tell, and when silence is an alarm", () => {
  it("takes an e-mail address or a topic in the deploy region, and nothing", () => {
    expect(checkDeploymentSettings(someSettings({ alarmEmail: "aws-alerts@example.com" }))).toEqual([]);
    expect(
      checkDeploymentSettings(
        someSettings({
          alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:ops-alerts",
          noSuccessAlarmHours: 24,
        }),
      ),
    ).toEqual([]);
    expect(checkDeploymentSettings(someSettings({ alarmEmail: "", alarmTopicArn: "" }))).toEqual([]);
  });

  it("says what is wrong with each, one line per parameter", () => {
    const problems = (overrides: Partial<DeploymentSettings>) =>
      checkDeploymentSettings(someSettings(overrides)).map(formatSettingProblem);

    expect(problems({ alarmEmail: "aws-alerts" })).toEqual([
      "--param alarmEmail: 'aws-alerts' is not of the form aws-alerts@example.com (the address the alarm topic mails)",
    ]);
    expect(
      problems({ alarmEmail: "a@example.com", alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:ops" }),
    ).toEqual([
      "--param alarmTopicArn: give either alarmEmail (a topic of the stack) or alarmTopicArn (your own topic), not both",
    ]);
    expect(problems({ alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:ops" })).toEqual([
      "--param alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ops' is in eu-west-1, but the alarms are in us-east-1; give a topic in us-east-1",
    ]);
    expect(problems({ alarmTopicArn: "ops-alerts" })).toEqual([
      expect.stringMatching(/^--param alarmTopicArn: 'ops-alerts' is not an SNS topic ARN/),
    ]);
    expect(problems({ noSuccessAlarmHours: 0 })).toEqual([
      "--param noSuccessAlarmHours: '0' is not a whole number of hours from 1 to 168",
    ]);
    expect(problems({ noSuccessAlarmHours: "200" })).toEqual([
      "--param noSuccessAlarmHours: '200' is not a whole number of hours from 1 to 168",
    ]);
  });

  it("refuses a silence alarm shorter than the schedule's interval, which would go off between good runs", () => {
    const problems = checkDeploymentSettings(
      someSettings({ schedule: "rate(12 hours)", noSuccessAlarmHours: 6 }),
    ).map(formatSettingProblem);

    expect(problems).toEqual([
      "--param noSuccessAlarmHours: 6 hours is shorter than the schedule rate(12 hours): the alarm would go off between two good runs; give at least 12",
    ]);
    expect(
      checkDeploymentSettings(someSettings({ schedule: "rate(1 day)", noSuccessAlarmHours: 24 })),
    ).toEqual([]);
    expect(
      checkDeploymentSettings(someSettings({ schedule: "cron(0 6 * * ? *)", noSuccessAlarmHours: 2 })),
    ).toEqual([]);
  });
});

describe("a secret's ARN", () => {
  it("is accepted in full, in the function's region", () => {
    expect(secretArnProblem(secretArn, "us-east-1")).toBeUndefined();
    expect(
      secretArnProblem(
        "arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:a_b+c=d.e@f-x1Y2z3",
        "us-gov-west-1",
      ),
    ).toBeUndefined();
  });

  it("is refused without the six characters Secrets Manager adds, since the role allows exactly that ARN", () => {
    expect(
      secretArnProblem("arn:aws:secretsmanager:us-east-1:123456789012:secret:idc-sync/google", "us-east-1"),
    ).toMatch(/is a partial ARN: the full ARN ends with a hyphen and the six random characters/);
  });

  it("is refused in another region than the function's", () => {
    expect(
      secretArnProblem(
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:idc-sync/google-AbCdEf",
        "us-east-1",
      ),
    ).toMatch(/is in eu-west-1, but the function deploys to us-east-1/);
  });

  it.each([
    "idc-sync/google",
    "arn:aws:secretsmanager:us-east-1:12345678901:secret:x-AbCdEf",
    "arn:aws:ssm:us-east-1:123456789012:parameter/x-AbCdEf",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:",
  ])("is refused when it is not a secret ARN at all: %s", (arn) => {
    expect(secretArnProblem(arn, "us-east-1")).toMatch(/is not a Secrets Manager secret ARN/);
  });
});

describe("a schedule expression", () => {
  it.each([
    "rate(1 minute)",
    "rate(15 minutes)",
    "rate(1 hour)",
    "rate(2 days)",
    "cron(0 6 * * ? *)",
    "cron(0/15 * * * ? *)",
    "cron(0 6 ? * MON-FRI *)",
    "cron(0 18 L * ? *)",
    "cron(0 8 ? * 6L 2027)",
    "cron(0 9 ? * 2#1 *)",
    "cron(0 9 15W JAN,JUL ? 2026-2030)",
  ])("accepts %s", (expression) => {
    expect(scheduleExpressionProblem(expression)).toBeUndefined();
  });

  it.each([
    ["rate(1 minutes)", "with 1 the unit is singular: rate(1 minute)"],
    ["rate(5 hour)", "with 5 the unit is plural: rate(5 hours)"],
    ["rate(0 minutes)", "the value must be a positive whole number"],
    ["rate(1.5 hours)", "the value must be a positive whole number"],
    ["rate(2 weeks)", "the unit must be minute(s), hour(s) or day(s)"],
    ["rate(15minutes)", "a rate is rate(VALUE UNIT)"],
    ["cron(0 6 * * *)", "has 5 fields; EventBridge cron takes six"],
    ["cron(0 6 * * * *)", "exactly one of day-of-month and day-of-week must be ?"],
    ["cron(0 6 ? * ? *)", "exactly one of day-of-month and day-of-week must be ?"],
    ["cron(60 6 * * ? *)", "'60' is not a valid minutes field (0-59)"],
    ["cron(0 24 * * ? *)", "'24' is not a valid hours field (0-23)"],
    ["cron(0 6 * 13 ? *)", "'13' is not a valid month field (1-12 or JAN-DEC)"],
    ["cron(0 6 ? * FUNDAY *)", "'FUNDAY' is not a valid day-of-week field"],
    ["cron(0 6 * * ? 1969)", "'1969' is not a valid year field (1970-2199)"],
    ["every 15 minutes", "is neither rate(VALUE UNIT) nor cron(6 FIELDS)"],
    ["", "required"],
  ])("refuses %s: %s", (expression, message) => {
    expect(scheduleExpressionProblem(expression)).toContain(message);
  });
});
