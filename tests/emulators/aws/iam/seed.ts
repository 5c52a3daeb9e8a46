/**
 * A seeded multi-account organisation for the IAM inventory, relative to `now` so the demo stays
 * meaningful on any day. One user per story the audit must tell (see the comments); the accounts
 * match `seed-directory.yaml`, whose people the users are matched to.
 */
import type { SeedAccount, SeedEvent } from "./iam-emulator.js";

export const seedDirectoryFile = new URL("./seed-directory.yaml", import.meta.url).pathname;

export const seedAccountIds = {
  management: "111111111111",
  dev: "222222222222",
  prod: "333333333333",
  /** The audit role is missing here: AssumeRole answers AccessDenied. */
  legacy: "444444444444",
} as const;

const day = 86_400_000;

/** Events of one key: `perDay` calls a day for `days` days up to `now`, newest first is not required. */
export function dailyEvents(
  now: Date,
  accessKeyId: string,
  options: {
    days: number;
    perDay: number;
    region: string;
    sourceIps: string[];
    userAgent: string;
    calls: [eventSource: string, eventName: string][];
  },
): SeedEvent[] {
  const events: SeedEvent[] = [];
  for (let dayIndex = 1; dayIndex <= options.days; dayIndex += 1) {
    for (let call = 0; call < options.perDay; call += 1) {
      const [eventSource, eventName] = options.calls[(dayIndex + call) % options.calls.length]!;
      events.push({
        accessKeyId,
        at: new Date(now.getTime() - dayIndex * day + call * 60_000).toISOString(),
        region: options.region,
        eventSource,
        eventName,
        sourceIp: options.sourceIps[call % options.sourceIps.length]!,
        userAgent: options.userAgent,
      });
    }
  }
  return events;
}

export function seedAccounts(now: Date): SeedAccount[] {
  const ago = (days: number) => new Date(now.getTime() - days * day).toISOString();
  return [
    {
      id: seedAccountIds.management,
      groups: [{ name: "admins", attachedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] }],
      users: [
        // A person with console use: signs in every few days, with MFA, administrator through a group.
        {
          userName: "alice.smith",
          createdAt: ago(900),
          password: { lastUsed: ago(2) },
          mfaDevices: ["arn:aws:iam::111111111111:mfa/alice.smith"],
          groups: ["admins"],
        },
        // A Google leaver (suspended) who still signs in, without MFA.
        {
          userName: "bob",
          createdAt: ago(700),
          password: { lastUsed: ago(10) },
          tags: { email: "bob.tanaka@example.com" },
          attachedPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        },
        // A key that was never used, created long ago.
        {
          userName: "old-backup",
          createdAt: ago(500),
          accessKeys: [{ id: "AKIA1111OLDBACKUP001", createdAt: ago(500) }],
          attachedPolicyArns: ["arn:aws:iam::aws:policy/AmazonS3FullAccess"],
        },
      ],
    },
    {
      id: seedAccountIds.dev,
      users: [
        // A key used every day by the AWS CLI from one address: a system.
        {
          userName: "ci-deployer",
          createdAt: ago(400),
          accessKeys: [
            {
              id: "AKIA2222CIDEPLOYER01",
              createdAt: ago(300),
              lastUsed: { at: ago(1), service: "s3", region: "eu-west-1" },
            },
          ],
          tags: { purpose: "deploys the website from CI" },
        },
        // A stale user: a person once, nobody for months.
        {
          userName: "carol.jones",
          createdAt: ago(800),
          password: { lastUsed: ago(200) },
          accessKeys: [
            {
              id: "AKIA2222CAROLJONES01",
              createdAt: ago(700),
              lastUsed: { at: ago(150), service: "ec2", region: "us-east-1" },
            },
          ],
        },
        // Terraform with an inline allow-everything policy, busy enough to need several pages.
        {
          userName: "terraform",
          createdAt: ago(600),
          accessKeys: [
            {
              id: "AKIA2222TERRAFORM001",
              createdAt: ago(60),
              lastUsed: { at: ago(1), service: "ec2", region: "eu-west-1" },
            },
          ],
          inlinePolicies: {
            everything: {
              Version: "2012-10-17",
              Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
            },
          },
        },
        // Tagged with the address of someone Google no longer knows; the key was deactivated long ago.
        {
          userName: "dave-scripts",
          createdAt: ago(1000),
          tags: { owner: "dave.ito@example.com" },
          accessKeys: [
            {
              id: "AKIA2222DAVESCRIPTS1",
              status: "Inactive",
              createdAt: ago(900),
              lastUsed: { at: ago(400), service: "s3", region: "us-east-1" },
            },
          ],
        },
      ],
      events: [
        ...dailyEvents(now, "AKIA2222CIDEPLOYER01", {
          days: 30,
          perDay: 2,
          region: "eu-west-1",
          sourceIps: ["203.0.113.10"],
          userAgent:
            "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1 md/arch#x86_64 lang/python#3.11.8",
          calls: [
            ["s3.amazonaws.com", "PutObject"],
            ["cloudfront.amazonaws.com", "CreateInvalidation"],
          ],
        }),
        ...dailyEvents(now, "AKIA2222TERRAFORM001", {
          days: 30,
          perDay: 4,
          region: "eu-west-1",
          sourceIps: ["198.51.100.7"],
          userAgent:
            "APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.40.0 aws-sdk-go-v2/1.25.3",
          calls: [
            ["ec2.amazonaws.com", "DescribeInstances"],
            ["iam.amazonaws.com", "GetRole"],
            ["s3.amazonaws.com", "GetBucketPolicy"],
          ],
        }),
      ],
    },
    {
      id: seedAccountIds.prod,
      users: [
        // A reporting job in Python, from two addresses.
        {
          userName: "reporting",
          createdAt: ago(200),
          accessKeys: [
            {
              id: "AKIA3333REPORTING001",
              createdAt: ago(30),
              lastUsed: { at: ago(3), service: "athena", region: "ap-northeast-1" },
            },
          ],
        },
        // A console user created for a person who never signed in.
        { userName: "erin.sato", createdAt: ago(120), password: {} },
      ],
      events: dailyEvents(now, "AKIA3333REPORTING001", {
        days: 5,
        perDay: 3,
        region: "ap-northeast-1",
        sourceIps: ["192.0.2.21", "192.0.2.22"],
        userAgent: "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10 md/arch#x86_64 lang/python#3.12.2",
        calls: [
          ["athena.amazonaws.com", "StartQueryExecution"],
          ["s3.amazonaws.com", "GetObject"],
        ],
      }),
    },
    {
      id: seedAccountIds.legacy,
      denyAssumeRole: true,
      users: [{ userName: "forgotten", createdAt: ago(2000) }],
    },
  ];
}
