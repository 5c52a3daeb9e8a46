import { describe, expect, it } from "vitest";
import { formatRuleIssue, locateRule, parseRules, type Rules } from "../../../src/mapping/index.js";
import { aRulesText, inMemoryFiles, loadRulesText, someRules } from "../../builders/rules.js";

/** The formatted issues of rules text that must not load. */
function issuesOf(text: string, files: Record<string, string> = {}): string[] {
  const result = loadRulesText(text, files);
  if (result.ok) throw new Error("expected the rules not to load");
  return result.issues.map(formatRuleIssue);
}

function rulesOf(text: string, files: Record<string, string> = {}): Rules {
  const result = loadRulesText(text, files);
  if (!result.ok) throw new Error(result.issues.map(formatRuleIssue).join("\n"));
  return result.rules;
}

const lines = (...text: string[]) => `${text.join("\n")}\n`;

describe("loading a valid rules file", () => {
  it("fills in every default", () => {
    const rules = someRules();

    expect(rules.google).toEqual({ customerId: "my_customer", domains: ["example.com"] });
    expect(rules.users).toEqual({
      provision: "mapped",
      exclude: [],
      static: [],
      leavers: "delete",
      externallyProvisioned: "leave",
      attributes: {
        displayName: "{givenName} {familyName}",
        title: "title",
        department: "department",
        costCenter: "costCenter",
        employeeNumber: "employeeId",
        manager: "manager",
        organization: false,
        division: false,
      },
    });
    expect(rules.safety).toEqual({ maxDeletions: "10%", protect: { users: [], groups: [] } });
    expect(rules).toMatchObject({ groups: [], permissionSets: [], accounts: {}, assignments: [] });
  });

  it("accepts the example of DESIGN.md §4 with a $schema comment and key", () => {
    const text = lines(
      "# yaml-language-server: $schema=../schema/rules.schema.json",
      "$schema: ../schema/rules.schema.json",
      "version: 1",
      "identityCenter:",
      "  instanceArn: arn:aws:sso:::instance/ssoins-0123456789abcdef",
      "  identityStoreId: d-0123456789",
      "google: { customerId: my_customer, domains: [Example.com] }",
      "users:",
      "  provision: mapped",
      "  exclude: [CEO@example.com]",
      "  static:",
      "    - { email: saburo-kato@partner.example, givenName: Saburo, familyName: Kato, groups: [developers] }",
      "  leavers: strip",
      "groups:",
      "  - name: developers",
      "    members:",
      "      - orgUnit: /Engineering/",
      "      - googleGroup: kaigodx-dev@example.com",
      "    exclude:",
      "      - orgUnit: /Engineering/Interns",
      "        recursive: false",
      "  - name: support-readonly",
      "    members: [{ where: { department: Support } }, { user: Help@Example.com }]",
      "permissionSets:",
      "  - name: Developer",
      "    sessionDuration: PT90M",
      "    managedPolicies: [PowerUserAccess, job-function/ViewOnlyAccess, 'arn:aws:iam::aws:policy/AdministratorAccess']",
      "    customerManagedPolicies: [team-boundary, { name: deploy, path: /ci/ }]",
      "    inlinePolicy: policies/developer.json",
      "    permissionsBoundary: { customerManagedPolicy: boundary }",
      "    tags: { team: platform }",
      "accounts:",
      '  dev: ["111111111111", { tag: { env: dev } }]',
      "  prod: { ou: ou-ab12-34cd5678 }",
      "  everything: all",
      "assignments:",
      "  - { groups: [developers], users: [saburo-kato@partner.example], permissionSets: [Developer], accounts: [dev, prod, everything, '222222222222'] }",
      "safety:",
      "  maxDeletions: 10%",
      "  protect: { users: [breakglass@example.com], groups: [AWSControlTowerAdmins] }",
    );

    const rules = rulesOf(text, {
      "policies/developer.json":
        '{\n  "Version": "2012-10-17", "Statement": [{ "Effect": "Deny", "Action": "iam:*", "Resource": "*" }]\n}',
    });

    expect(rules.google.domains).toEqual(["example.com"]);
    expect(rules.users.exclude).toEqual(["ceo@example.com"]);
    expect(rules.users.leavers).toBe("strip");
    expect(rules.groups[0]?.members).toEqual([
      { orgUnit: "/Engineering", recursive: true },
      { googleGroup: "kaigodx-dev@example.com" },
    ]);
    expect(rules.groups[0]?.exclude).toEqual([{ orgUnit: "/Engineering/Interns", recursive: false }]);
    expect(rules.groups[1]?.members).toEqual([
      { where: { department: "Support" } },
      { user: "help@example.com" },
    ]);
    expect(rules.permissionSets).toEqual([
      {
        name: "Developer",
        sessionDuration: "PT1H30M",
        managedPolicyArns: [
          "arn:aws:iam::aws:policy/AdministratorAccess",
          "arn:aws:iam::aws:policy/PowerUserAccess",
          "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
        ],
        customerManagedPolicies: [
          { name: "team-boundary", path: "/" },
          { name: "deploy", path: "/ci/" },
        ],
        inlinePolicy:
          '{"Statement":[{"Action":"iam:*","Effect":"Deny","Resource":"*"}],"Version":"2012-10-17"}',
        permissionsBoundary: { kind: "customerManaged", policy: { name: "boundary", path: "/" } },
        tags: { team: "platform" },
      },
    ]);
    expect(rules.accounts).toEqual({
      dev: ["111111111111", { tag: { env: "dev" } }],
      prod: { ou: "ou-ab12-34cd5678", recursive: true },
      everything: "all",
    });
    expect(rules.safety.maxDeletions).toBe("10%");
  });

  it("takes an inline policy written as a map and a managed permissions boundary", () => {
    const rules = someRules({
      permissionSets: [
        {
          name: "ReadOnly",
          inlinePolicy: {
            Version: "2012-10-17",
            Statement: [{ Effect: "Deny", Action: "s3:*", Resource: "*" }],
          },
          permissionsBoundary: { managedPolicy: "ReadOnlyAccess" },
        },
      ],
    });

    expect(rules.permissionSets[0]).toMatchObject({
      sessionDuration: "PT1H",
      inlinePolicy: '{"Statement":[{"Action":"s3:*","Effect":"Deny","Resource":"*"}],"Version":"2012-10-17"}',
      permissionsBoundary: { kind: "managed", managedPolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
    });
  });

  it("accepts a number as maxDeletions", () => {
    expect(someRules({ safety: { maxDeletions: 25 } }).safety.maxDeletions).toBe(25);
  });

  it("warns about permission sets and account sets no assignment uses", () => {
    const result = loadRulesText(
      lines(
        "version: 1",
        "google: { domains: [example.com] }",
        "permissionSets:",
        "  - name: Unused",
        "accounts:",
        "  spare: all",
      ),
    );

    expect(result.ok && result.warnings.map(formatRuleIssue)).toEqual([
      "rules.yaml:4:11: permission set 'Unused' is not used by any assignment",
      "rules.yaml:6:3: account set 'spare' is not used by any assignment",
    ]);
  });

  it("keeps the position of every rule for later stages", () => {
    const rules = rulesOf(
      lines(
        "version: 1",
        "google: { domains: [example.com] }",
        "groups:",
        "  - name: admins",
        "    members:",
        "      - googleGroup: a@example.com",
      ),
    );

    expect(locateRule(rules.source, ["groups", 0, "members", 0, "googleGroup"])).toEqual({
      line: 6,
      column: 22,
    });
    expect(locateRule(rules.source, ["groups", 0, "nothing", "here"])).toEqual({ line: 4, column: 5 });
  });
});

describe("reporting mistakes with their line and column", () => {
  it("reports a map left open once, at its opening brace", () => {
    expect(issuesOf(lines("version: 1", "google: { domains: [example.com]", "groups: []"))).toEqual([
      "rules.yaml:2:9: a { map } is not closed: add '}' before the end of the line",
    ]);
  });

  it("reports a duplicated YAML key", () => {
    expect(issuesOf(lines("version: 1", "version: 1", "google: { domains: [example.com] }"))).toEqual([
      "rules.yaml:2:1: key 'version' appears twice in this map: keep one",
    ]);
  });

  it("reports an empty file", () => {
    expect(issuesOf("# nothing yet\n")).toEqual(["rules.yaml:1:1: the rules file is empty"]);
  });

  it("points at an unknown key and suggests the one meant", () => {
    expect(issuesOf(lines("version: 1", "google:", "  domains: [example.com]", "  custmerId: C123"))).toEqual(
      ["rules.yaml:4:3: unknown key 'custmerId' in google; did you mean 'customerId'?"],
    );
  });

  it("reports a missing required key at the map that lacks it", () => {
    expect(issuesOf(lines("version: 1", "google:", "  customerId: C123"))).toEqual([
      "rules.yaml:3:3: google: missing required key 'domains'",
    ]);
  });

  it("reports three independent mistakes as three issues", () => {
    const text = lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "users:",
      "  exclude: [not-an-email]",
      "groups:",
      "  - name: developers",
      "permissionSets:",
      "  - name: Developer",
      "    sessionDuration: PT13H",
      "assignments:",
      "  - groups: [developer]",
      "    permissionSets: [Developer]",
      "    accounts: ['111111111111']",
    );

    expect(issuesOf(text)).toEqual([
      "rules.yaml:4:13: users.exclude[0]: invalid email address 'not-an-email'",
      "rules.yaml:9:22: permissionSets[0].sessionDuration: session duration 'PT13H' must be between PT1H and PT12H",
      "rules.yaml:11:14: unknown group 'developer' in assignments[0].groups; did you mean 'developers'?",
    ]);
  });

  it("rejects wrong types and says what was expected", () => {
    expect(
      issuesOf(
        lines(
          "version: 1",
          "google: { domains: [example.com] }",
          "groups:",
          "  - name: g",
          "    members:",
          "      - orgUnit: /Eng",
          '        recursive: "yes"',
        ),
      ),
    ).toEqual(["rules.yaml:7:20: groups[0].members[0].recursive: expected a boolean, got 'yes'"]);
  });

  it("explains a selector that matches no kind and suggests the key meant", () => {
    expect(
      issuesOf(
        lines(
          "version: 1",
          "google: { domains: [example.com] }",
          "groups:",
          "  - name: g",
          "    members:",
          "      - googleGroupp: a@example.com",
        ),
      ),
    ).toEqual([
      "rules.yaml:6:9: groups[0].members[0]: a selector is one of {googleGroup: email}, {orgUnit: /Path, recursive?: boolean}, {user: email}, {where: {...}}; unknown key 'googleGroupp'; did you mean 'googleGroup'?",
    ]);
  });

  it("rejects a where selector without conditions and an org unit that is not a path", () => {
    expect(
      issuesOf(
        lines(
          "version: 1",
          "google: { domains: [example.com] }",
          "groups:",
          "  - name: g",
          "    members:",
          "      - where: {}",
          "      - orgUnit: Engineering",
        ),
      ),
    ).toEqual([
      "rules.yaml:6:16: groups[0].members[0].where: a where selector needs at least one of department, costCenter, title, orgUnitPath, employeeId",
      "rules.yaml:7:18: groups[0].members[1].orgUnit: invalid org unit path 'Engineering': expected an absolute path like /Engineering",
    ]);
  });

  it("asks for account ids in quotes because YAML reads them as numbers", () => {
    expect(
      issuesOf(
        lines("version: 1", "google: { domains: [example.com] }", "accounts:", "  dev: [111111111111]"),
      ),
    ).toEqual([
      "rules.yaml:4:9: accounts.dev[0]: an account selector is a quoted 12-digit id, {ou: ou-... or r-...}, {tag: {key: value}} (put it in quotes: YAML reads unquoted digits as a number and drops leading zeros)",
    ]);
  });

  it("rejects malformed account ids, OU ids and set names", () => {
    const text = lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "accounts:",
      "  dev: ['11111111111']",
      "  prod: { ou: ou-bad }",
      "  '123456789012': all",
    );

    expect(issuesOf(text)).toEqual([
      "rules.yaml:4:9: accounts.dev[0]: invalid AWS account id '11111111111': expected 12 digits",
      "rules.yaml:5:15: accounts.prod.ou: invalid organizational unit id 'ou-bad': expected ou-xxxx-xxxxxxxx or a root r-xxxx",
      "rules.yaml:6:3: accounts[\"123456789012\"]: invalid account set name '123456789012': use letters, digits, _ . - and not 12 digits",
    ]);
  });

  it("rejects malformed Identity Center ARNs and identity store ids", () => {
    expect(
      issuesOf(
        lines(
          "version: 1",
          "google: { domains: [example.com] }",
          "identityCenter:",
          "  instanceArn: arn:aws:sso:::instance/ssoins-xyz",
          "  identityStoreId: d-123",
        ),
      ),
    ).toEqual([
      "rules.yaml:4:16: identityCenter.instanceArn: invalid Identity Center instance ARN 'arn:aws:sso:::instance/ssoins-xyz': expected arn:PARTITION:sso:::instance/ssoins-<16 letters or digits> (PARTITION is aws, aws-us-gov, aws-cn, ...)",
      "rules.yaml:5:20: identityCenter.identityStoreId: invalid identity store id 'd-123': expected d-<10 hex> or a UUID",
    ]);
  });

  it("takes instance ARNs of every partition, both instance id forms, and identity store UUIDs", () => {
    const instance = (instanceArn: string, identityStoreId: string) =>
      rulesOf(
        lines(
          "version: 1",
          "google: { domains: [example.com] }",
          "identityCenter:",
          `  instanceArn: ${instanceArn}`,
          `  identityStoreId: ${identityStoreId}`,
        ),
      ).identityCenter;

    expect(instance("arn:aws-us-gov:sso:::instance/ssoins-7907a1b2c3d4e5f6", "d-906789abcd")).toBeDefined();
    expect(
      instance("arn:aws-cn:sso:::instance/ins-0a1B2c3D.4e5F6a7", "9a5c8f14-2b6e-4d1f-8c3a-0e7b6d5f4a21"),
    ).toEqual({
      instanceArn: "arn:aws-cn:sso:::instance/ins-0a1B2c3D.4e5F6a7",
      identityStoreId: "9a5c8f14-2b6e-4d1f-8c3a-0e7b6d5f4a21",
    });
  });

  it("expands AWS managed policy names into the instance's partition, boundary included", () => {
    const rules = rulesOf(
      lines(
        "version: 1",
        "google: { domains: [example.com] }",
        "identityCenter: { instanceArn: 'arn:aws-us-gov:sso:::instance/ssoins-7907a1b2c3d4e5f6' }",
        "permissionSets:",
        "  - name: Auditor",
        "    managedPolicies: [ReadOnlyAccess, 'arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess']",
        "    permissionsBoundary: { managedPolicy: PowerUserAccess }",
      ),
    );

    expect(rules.permissionSets[0]).toMatchObject({
      managedPolicyArns: [
        "arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess",
        "arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess",
      ],
      permissionsBoundary: {
        kind: "managed",
        managedPolicyArn: "arn:aws-us-gov:iam::aws:policy/PowerUserAccess",
      },
    });
    expect(
      someRules({ permissionSets: [{ name: "P", managedPolicies: ["ReadOnlyAccess"] }] }).permissionSets[0]
        ?.managedPolicyArns,
    ).toEqual(["arn:aws:iam::aws:policy/ReadOnlyAccess"]);
  });

  it("refuses an AWS managed policy ARN of another partition than the instance's", () => {
    const text = lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "identityCenter: { instanceArn: 'arn:aws-cn:sso:::instance/ssoins-7907a1b2c3d4e5f6' }",
      "permissionSets:",
      "  - name: Auditor",
      "    managedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess']",
      "    permissionsBoundary: { managedPolicy: 'arn:aws-us-gov:iam::aws:policy/PowerUserAccess' }",
    );

    expect(issuesOf(text)).toEqual([
      "rules.yaml:6:23: 'arn:aws:iam::aws:policy/ReadOnlyAccess' is an AWS managed policy of the partition aws, but the Identity Center instance is in aws-cn: write the name alone (ReadOnlyAccess) or arn:aws-cn:iam::aws:policy/ReadOnlyAccess",
      "rules.yaml:7:43: 'arn:aws-us-gov:iam::aws:policy/PowerUserAccess' is an AWS managed policy of the partition aws-us-gov, but the Identity Center instance is in aws-cn: write the name alone (PowerUserAccess) or arn:aws-cn:iam::aws:policy/PowerUserAccess",
    ]);
  });

  it("names the character Identity Center refuses in a description, a tag or a relay state", () => {
    const text = lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "permissionSets:",
      "  - name: Operators",
      "    description: Operators’ access – production",
      "    relayState: https://console.aws.amazon.com/s3/home?region=eu-west-1#bücket",
      "    tags: { 'team#': platform, owner: 'ops!', '': x }",
      "  - name: Empty",
      "    description: ''",
    );

    expect(issuesOf(text)).toEqual([
      "rules.yaml:5:18: permissionSets[0].description: invalid description: Identity Center takes tab, line breaks and Latin-1 letters and signs only (U+2019 '’' is not allowed); write - for – and ' for ’",
      "rules.yaml:6:17: permissionSets[0].relayState: invalid relayState 'https://console.aws.amazon.com/s3/home?region=eu-west-1#bücket': a console URL of ASCII letters, digits and URL punctuation (U+00FC 'ü' is not allowed)",
      "rules.yaml:7:13: permissionSets[0].tags[\"team#\"]: invalid tag key 'team#': use letters, digits, spaces and _ . : / = + - @ (U+0023 '#' is not allowed)",
      "rules.yaml:7:39: permissionSets[0].tags.owner: invalid tag value 'ops!': use letters, digits, spaces and _ . : / = + - @ (U+0021 '!' is not allowed)",
      'rules.yaml:7:47: permissionSets[0].tags[""]: tag keys must not be empty',
      "rules.yaml:9:18: permissionSets[1].description: description must not be empty: leave it out instead",
    ]);
  });

  it("takes the Latin-1 a description, a tag and a relay state may hold", () => {
    const rules = rulesOf(
      lines(
        "version: 1",
        "google: { domains: [example.com] }",
        "permissionSets:",
        "  - name: Operators",
        "    description: \"Opérateurs - production, 'read only'\\tcafé\"",
        "    relayState: https://console.aws.amazon.com/s3/home?region=eu-west-1#/buckets",
        "    tags: { 'cost:centre/Ops': 'CC-1 @Tokyo', チーム: 運用 }",
      ),
    );

    expect(rules.permissionSets[0]).toMatchObject({
      description: "Opérateurs - production, 'read only'\tcafé",
      tags: { "cost:centre/Ops": "CC-1 @Tokyo", チーム: "運用" },
    });
  });

  it("rejects permission set names, durations, customer managed ARNs and the reserved tag", () => {
    const text = lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "permissionSets:",
      "  - name: Has Space",
      "    sessionDuration: 8h",
      "    managedPolicies: ['arn:aws:iam::123456789012:policy/mine']",
      "    tags: { managed-by: me }",
    );

    expect(issuesOf(text)).toEqual([
      "rules.yaml:4:11: permissionSets[0].name: invalid permission set name 'Has Space': use letters, digits and +=,.@_-",
      "rules.yaml:5:22: permissionSets[0].sessionDuration: invalid session duration '8h': expected PTnH, PTnM or PTnHnM",
      "rules.yaml:6:23: permissionSets[0].managedPolicies[0]: invalid AWS managed policy 'arn:aws:iam::123456789012:policy/mine': expected a name like PowerUserAccess or job-function/ViewOnlyAccess, or arn:aws:iam::aws:policy/NAME",
      "rules.yaml:7:13: permissionSets[0].tags.managed-by: tag 'managed-by' is reserved for idc-sync",
    ]);
  });

  it("reports duplicate groups, permission sets and static users at the second one", () => {
    const text = lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "users:",
      "  static:",
      "    - { email: a@partner.example, givenName: A, familyName: B }",
      "    - { email: A@Partner.example, givenName: A, familyName: B }",
      "groups:",
      "  - { name: devs, previousNames: [ops] }",
      "  - { name: ops }",
      "permissionSets:",
      "  - { name: Dev }",
      "  - { name: Dev }",
    );

    expect(issuesOf(text)).toEqual([
      "rules.yaml:6:16: static user 'a@partner.example' is listed twice (first at users.static[0].email)",
      "rules.yaml:9:13: group name 'ops' is used twice (first at groups[0].previousNames[0])",
      "rules.yaml:12:13: permission set 'Dev' is defined twice (first at permissionSets[0].name)",
    ]);
  });

  it("reports unknown references with a did-you-mean hint", () => {
    const text = lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "users:",
      "  static: [{ email: p@partner.example, givenName: P, familyName: Q, groups: [admin] }]",
      "groups: [{ name: admins }, { name: developers }]",
      "permissionSets: [{ name: Developer }]",
      "accounts: { prod: all }",
      "assignments:",
      "  - groups: [developer, nobody-like-this]",
      "    permissionSets: [Developr]",
      "    accounts: [prd, '12345']",
    );

    expect(issuesOf(text)).toEqual([
      "rules.yaml:4:78: unknown group 'admin' in users.static[0].groups; did you mean 'admins'?",
      "rules.yaml:9:14: unknown group 'developer' in assignments[0].groups; did you mean 'developers'?",
      "rules.yaml:9:25: unknown group 'nobody-like-this' in assignments[0].groups",
      "rules.yaml:10:22: unknown permission set 'Developr' in assignments[0].permissionSets; did you mean 'Developer'?",
      "rules.yaml:11:16: unknown account set 'prd' in assignments[0].accounts; did you mean 'prod'?",
      "rules.yaml:11:21: '12345' in assignments[0].accounts is not an account id: account ids have 12 digits",
    ]);
  });

  it("requires a principal and a permission set in every assignment", () => {
    expect(
      issuesOf(aRulesText({ assignments: [{ permissionSets: [], accounts: ["111111111111"] }] })),
    ).toEqual([
      "rules.yaml:6:5: assignments[0]: an assignment needs at least one of groups or users",
      "rules.yaml:6:21: assignments[0].permissionSets: list at least one permission set",
    ]);
  });

  it("rejects more than 20 managed and customer managed policies on one permission set", () => {
    const managed = Array.from({ length: 15 }, (_, index) => `Policy${index}`);
    const customer = Array.from({ length: 6 }, (_, index) => `mine-${index}`);
    const text = lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "permissionSets:",
      "  - name: Big",
      `    managedPolicies: [${managed.join(", ")}]`,
      `    customerManagedPolicies: [${customer.join(", ")}]`,
    );

    expect(issuesOf(text)).toEqual([
      "rules.yaml:5:22: permission set 'Big' has 21 managed and customer managed policies; Identity Center allows at most 20",
    ]);
  });

  it("rejects a percentage that is not one", () => {
    expect(
      issuesOf(
        lines("version: 1", "google: { domains: [example.com] }", "safety: { maxDeletions: 10 percent }"),
      ),
    ).toEqual([
      "rules.yaml:3:25: safety.maxDeletions: invalid maxDeletions '10 percent': expected a number or a percentage like 10%",
    ]);
  });

  it("rejects an unknown display name placeholder", () => {
    expect(
      issuesOf(
        lines(
          "version: 1",
          "google: { domains: [example.com] }",
          "users: { attributes: { displayName: '{first} {last}' } }",
        ),
      ),
    ).toEqual([
      "rules.yaml:3:37: users.attributes.displayName: display name template '{first} {last}' uses an unknown placeholder; use {givenName}, {familyName}, {email}",
    ]);
  });
});

const denyIamPolicy =
  '{"Statement":[{"Action":"iam:*","Effect":"Deny","Resource":"*"}],"Version":"2012-10-17"}';

describe("inline policy files", () => {
  const withPolicy = (path: string) =>
    lines(
      "version: 1",
      "google: { domains: [example.com] }",
      "permissionSets:",
      "  - name: Dev",
      `    inlinePolicy: ${path}`,
    );

  it("asks for the path relative to the rules file's folder, folded", () => {
    const result = parseRules(withPolicy("./policies/../policies/dev.json"), {
      file: "config/rules.yaml",
      readPolicyFile: inMemoryFiles({ "policies/dev.json": denyIamPolicy }),
    });

    expect(result.ok && result.rules.permissionSets[0]?.inlinePolicy).toBe(denyIamPolicy);
  });

  it("reports a missing file at the inlinePolicy value", () => {
    expect(issuesOf(withPolicy("policies/missing.json"))).toEqual([
      "rules.yaml:5:19: inline policy file 'policies/missing.json' does not exist",
    ]);
  });

  it("refuses a path that climbs out of the rules file's folder, without asking for it", () => {
    const asked: string[] = [];
    const result = parseRules(withPolicy("policies/../../secret.json"), {
      file: "rules.yaml",
      readPolicyFile: (path) => {
        asked.push(path);
        return { text: "{}" };
      },
    });

    expect(result.ok ? [] : result.issues.map(formatRuleIssue)).toEqual([
      "rules.yaml:5:19: inline policy file 'policies/../../secret.json' is outside the rules file's folder: policy files must be in that folder or below it",
    ]);
    expect(asked).toEqual([]);
  });

  it("refuses absolute paths, POSIX and Windows alike", () => {
    for (const path of [
      "/etc/passwd",
      "/proc/self/environ",
      "'C:\\keys\\key.json'",
      "'\\\\server\\share\\k.json'",
    ]) {
      expect(issuesOf(withPolicy(path), { "etc/passwd": "{}" })).toEqual([
        expect.stringMatching(
          /^rules\.yaml:5:19: inline policy file '.*' is an absolute path: write it relative to the rules file's folder$/,
        ),
      ]);
    }
  });

  it("reports where a file stops being JSON without quoting what it contains", () => {
    const secret = "root:x:0:0:root:/root:/bin/bash";

    const issues = issuesOf(withPolicy("p.json"), {
      "p.json": `{\n  "Version": "2012-10-17",\n  ${secret}\n}`,
    });

    expect(issues).toEqual([
      "rules.yaml:5:19: inline policy file 'p.json' is not valid JSON: line 3, column 3: unexpected character",
    ]);
    expect(issues.join("\n")).not.toMatch(/root/);
  });

  it("names an empty policy file as empty", () => {
    expect(issuesOf(withPolicy("p.json"), { "p.json": "  \n" })).toEqual([
      "rules.yaml:5:19: inline policy file 'p.json' is not valid JSON: the file is empty",
    ]);
  });

  it("reports JSON that is not a policy document", () => {
    expect(issuesOf(withPolicy("p.json"), { "p.json": "[1, 2]" })).toEqual([
      "rules.yaml:5:19: inline policy file 'p.json' must contain a JSON object (a policy document)",
    ]);
  });

  it("reports a policy over 10,240 bytes without white space, however little of it is white space", () => {
    const big = JSON.stringify({
      Statement: [{ Action: "iam:*", Effect: "Deny", Resource: `arn:aws:iam::*:user/${"x".repeat(10_200)}` }],
      Version: "2012-10-17",
    });

    expect(issuesOf(withPolicy("p.json"), { "p.json": big })).toEqual([
      "rules.yaml:5:19: inline policy file 'p.json' is 10307 bytes without white space; Identity Center allows at most 10240",
    ]);
  });

  it("takes a policy of 10,240 bytes without white space however widely it is indented", () => {
    const document = {
      Statement: [{ Action: "iam:*", Effect: "Deny", Resource: `arn:aws:iam::*:user/${"x".repeat(10_133)}` }],
      Version: "2012-10-17",
    };

    const rules = rulesOf(withPolicy("p.json"), { "p.json": JSON.stringify(document, null, 8) });

    expect(new TextEncoder().encode(rules.permissionSets[0]?.inlinePolicy).length).toBe(10_240);
  });

  it("reports a character Identity Center does not store in a policy, at its line and column in the file", () => {
    const policy = [
      "{",
      '  "Version": "2012-10-17",',
      '  "Statement": [{ "Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject",',
      '    "Resource": "*", "Condition": { "StringEquals": { "aws:PrincipalTag/team": "Ops – prod" } } }]',
      "}",
    ].join("\n");

    expect(issuesOf(withPolicy("p.json"), { "p.json": policy })).toEqual([
      "rules.yaml:5:19: inline policy file 'p.json' line 4, column 80 (Statement[0].Condition.StringEquals[\"aws:PrincipalTag/team\"]): U+2013 '–' is not allowed in a policy: Identity Center takes tab, line breaks and U+0020 to U+00FF only (write - for – and ' for ’)",
    ]);
  });
});
