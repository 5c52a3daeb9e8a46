/**
 * The example pull-request workflow, examples/github-actions/idc-sync-plan.yml: its YAML parses into the
 * workflow it says it is; its Plan step, run by bash exactly as written, against the Google Directory
 * and AWS emulators and the run state the deployed function keeps, makes the markdown a reviewer reads;
 * its comment script posts one comment and then updates that one. The read-only role it assumes
 * (plan-role.yaml) grants exactly the reads `plan` makes.
 */
import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { loadDirectorySnapshot } from "../../src/adapters/file/directory-snapshot.js";
import { loadStateFile } from "../../src/adapters/file/state-file.js";
import { planCommentMarker } from "../../src/sync/render-markdown.js";
import { examples, idcSyncProcess, repoRoot } from "../cli/cli-harness.js";
import { type AwsEmulator, startAwsEmulator } from "../emulators/aws/emulator.js";
import {
  type GoogleDirectoryEmulator,
  startGoogleDirectoryEmulator,
} from "../emulators/google-directory/emulator.js";

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}
interface Workflow {
  on: { pull_request: { paths: string[] } };
  permissions: Record<string, string>;
  jobs: { plan: { if: string; env: Record<string, string>; steps: Step[] } };
}

const workflowFile = join(repoRoot, "examples/github-actions/idc-sync-plan.yml");
const workflow = async (): Promise<Workflow> => parseYaml(await readFile(workflowFile, "utf8"));
const stepNamed = (steps: Step[], test: (step: Step) => boolean, what: string): Step => {
  const step = steps.find(test);
  if (!step) throw new Error(`the workflow has no ${what} step`);
  return step;
};

describe("the pull-request workflow's YAML", () => {
  it("runs on pull requests that change the rules, with only the permissions it uses", async () => {
    const { on, permissions, jobs } = await workflow();
    expect(on.pull_request.paths).toEqual(["rules/**"]);
    expect(permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    expect(jobs.plan.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
  });

  it("assumes the read-only role through OIDC and gives Google the README's variables", async () => {
    const { steps } = (await workflow()).jobs.plan;
    const aws = stepNamed(
      steps,
      (step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@") ?? false,
      "AWS",
    );
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    expect(aws.with?.["role-to-assume"]).toBe("${{ vars.IDC_SYNC_PLAN_ROLE_ARN }}");
    expect(Object.keys(aws.with ?? {})).not.toContain("aws-access-key-id");
    const plan = stepNamed(steps, (step) => step.id === "plan", "plan");
    expect(Object.keys(plan.env ?? {}).sort()).toEqual(["GOOGLE_ADMIN_EMAIL", "GOOGLE_CREDENTIALS_JSON"]);
    const readme = await readFile(join(repoRoot, "README.md"), "utf8");
    for (const variable of Object.keys(plan.env ?? {})) expect(readme).toContain(`| \`${variable}\` |`);
  });

  it("plans with idc-sync's markdown and finds its comment by the marker the markdown starts with", async () => {
    const { steps } = (await workflow()).jobs.plan;
    const run = stepNamed(steps, (step) => step.id === "plan", "plan").run ?? "";
    expect(run).toMatch(/^npx idc-sync plan --rules "\$IDC_SYNC_RULES" /m);
    expect(run).toContain("--format markdown");
    const comment = stepNamed(
      steps,
      (step) => step.uses?.startsWith("actions/github-script@") ?? false,
      "comment",
    );
    expect(comment.with?.script).toContain(`const marker = "${planCommentMarker}";`);
  });
});

describe("the workflow's Plan step, run as written against the emulators", () => {
  const table = "idc-sync-prod-StateTable";
  let google: GoogleDirectoryEmulator;
  let aws: AwsEmulator;
  let live: Record<string, string>;
  let work: string;

  beforeAll(async () => {
    const snapshot = await loadDirectorySnapshot(examples("directory.yaml"));
    google = await startGoogleDirectoryEmulator({ snapshot });
    aws = await startAwsEmulator({
      organization: snapshot.organization,
      state: await loadStateFile(examples("identity-center.json")),
    });
    live = {
      IDC_SYNC_GOOGLE_ROOT_URL: google.url,
      IDC_SYNC_GOOGLE_ACCESS_TOKEN: google.accessToken,
      AWS_ENDPOINT_URL: aws.url,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "emulator-secret",
    };
    const dynamodb = new DynamoDBClient({
      endpoint: aws.url,
      region: "us-east-1",
      credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "emulator-secret" },
    });
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "pk", AttributeType: "S" },
          { AttributeName: "sk", AttributeType: "S" },
        ],
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
      }),
    );
    dynamodb.destroy();

    // The main branch's rules, applied as the deployed function applies them (its run state included).
    work = await mkdtemp(join(tmpdir(), "idc-sync-pr-"));
    await cp(examples("rules.yaml"), join(work, "rules/rules.yaml"));
    await cp(examples("policies"), join(work, "rules/policies"), { recursive: true });
    const applied = await idcSyncProcess(
      ["apply", "--rules", join(work, "rules/rules.yaml"), "--state", `dynamodb:${table}`, "--yes"],
      live,
    );
    expect(applied.stderr).not.toMatch(/idc-sync:/);
    expect(applied.exitCode).toBe(0);
  }, 180_000);
  afterAll(async () => {
    await google.close();
    await aws.close();
    await rm(work, { recursive: true, force: true });
  });

  it("shows the pull request's policy diff, new permission set, removals and the guard that would stop them", async () => {
    // The pull request: a changed inline policy, a new permission set, a group taken out of the rules.
    const rulesFile = join(work, "rules/rules.yaml");
    const rules = (await readFile(rulesFile, "utf8"))
      .replace(
        "  - name: ReadOnly\n",
        [
          "  - name: BillingViewer",
          "    sessionDuration: PT4H",
          "    managedPolicies: [job-function/Billing]",
          "    customerManagedPolicies: [{ name: InvoiceReader, path: /finance/ }]",
          "    tags: { team: finance }",
          "  - name: ReadOnly\n",
        ].join("\n"),
      )
      .replace(/ {2}- name: support-readonly\n(?: {4}.*\n)+/, "")
      .replace(
        "groups: [developers, kaigodx-developers, support-readonly]",
        "groups: [developers, kaigodx-developers]",
      )
      .replace(
        "    accounts: [prod]\n",
        "    accounts: [prod]\n  - groups: [aws-admins]\n    permissionSets: [BillingViewer]\n    accounts: [prod]\n",
      );
    await writeFile(rulesFile, rules);
    const policyFile = join(work, "rules/policies/developer.json");
    await writeFile(
      policyFile,
      (await readFile(policyFile, "utf8")).replace('"iam:CreateUser"', '"iam:CreateRole"'),
    );

    const { jobs } = await workflow();
    const script = stepNamed(jobs.plan.steps, (step) => step.id === "plan", "plan").run!;
    const runnerTemp = await mkdtemp(join(tmpdir(), "idc-sync-runner-"));
    const githubOutput = join(runnerTemp, "github-output");
    const stepSummary = join(runnerTemp, "step-summary.md");
    const writesBefore = aws.counts().writes;

    const step = await bash(script, {
      ...live,
      // The job's env as the workflow sets it, with the rules of this test's pull request.
      IDC_SYNC_RULES: rulesFile,
      IDC_SYNC_SOURCE: "google",
      IDC_SYNC_TARGET: "aws",
      IDC_SYNC_STATE: `dynamodb:${table}`,
      // The step's own env: the secret is empty here, the emulator's token stands in for the key.
      GOOGLE_CREDENTIALS_JSON: "",
      GOOGLE_ADMIN_EMAIL: "",
      RUNNER_TEMP: runnerTemp,
      GITHUB_OUTPUT: githubOutput,
      GITHUB_STEP_SUMMARY: stepSummary,
    });

    expect(step.exitCode, step.stderr).toBe(0);
    expect(await readFile(githubOutput, "utf8")).toBe("exit-code=0\n");
    expect(aws.counts().writes).toBe(writesBefore);
    const markdown = await readFile(join(runnerTemp, "plan.md"), "utf8");
    expect(await readFile(stepSummary, "utf8")).toBe(markdown);
    expect(markdown.startsWith(`${planCommentMarker}\n`)).toBe(true);
    expect(markdown).toMatch(/\*\*Plan: 3 to add, 2 to change, 17 to remove\.\*\*/);
    expect(markdown).toContain("⛔ **Safety guards:** an apply would stop here, before changing anything.");
    expect(markdown).toContain(
      "> The plan would remove 17 objects (1 group support-readonly; 7 users chihiro.sakamoto@example.com,",
    );
    // The policy diff, line by line.
    expect(markdown).toContain('-        "iam:CreateUser",\n+        "iam:CreateRole",');
    // The new permission set with what it grants.
    expect(markdown).toContain("`+ BillingViewer` — defined in the rules");
    expect(markdown).toContain("- managed policies: `arn:aws:iam::aws:policy/job-function/Billing`");
    expect(markdown).toContain("- customer managed policies: `/finance/InvoiceReader`");
    expect(markdown).toContain("- permissions boundary: none");
    // Accounts by name, and the removal the run state makes possible (the group is idc-sync's).
    expect(markdown).toContain("+ group aws-admins × BillingViewer × core-prod (222222222222)");
    expect(markdown).toContain(
      "- support-readonly  # removed from the rules (was groups[3] support-readonly)  [rules]",
    );
    expect(markdown).toContain(
      "↻ Developer: provision to core-dev (111111111111), kaigodx-dev (333333333333)",
    );
  }, 180_000);
});

describe("the workflow's comment script", () => {
  it("posts one comment, updates that one on the next push, leaves people's comments alone, and explains a failed plan", async () => {
    const { jobs } = await workflow();
    const script = stepNamed(
      jobs.plan.steps,
      (step) => step.uses?.startsWith("actions/github-script@") ?? false,
      "comment",
    ).with!.script!;
    const github = new FakeGitHub([
      { id: 1, user: { type: "User" }, body: `${planCommentMarker}\nquoted by a person` },
    ]);
    const runnerTemp = await mkdtemp(join(tmpdir(), "idc-sync-runner-"));
    const runScript = async (exitCode: string) => {
      const previous = { RUNNER_TEMP: process.env.RUNNER_TEMP, PLAN_EXIT_CODE: process.env.PLAN_EXIT_CODE };
      Object.assign(process.env, { RUNNER_TEMP: runnerTemp, PLAN_EXIT_CODE: exitCode });
      try {
        const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
        await new AsyncFunction("github", "context", "core", "require", script)(
          github,
          { repo: { owner: "acme", repo: "idc-sync" }, issue: { number: 7 } },
          { info: () => {} },
          createRequire(import.meta.url),
        );
      } finally {
        for (const [name, value] of Object.entries(previous)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
      }
    };

    await writeFile(
      join(runnerTemp, "plan.md"),
      `${planCommentMarker}\n\n**Plan: 1 to add, 0 to change, 0 to remove.**\n`,
    );
    await runScript("0");
    await writeFile(
      join(runnerTemp, "plan.md"),
      `${planCommentMarker}\n\n**Plan: 2 to add, 0 to change, 0 to remove.**\n`,
    );
    await runScript("0");

    expect(github.comments).toHaveLength(2);
    expect(github.comments[0]!.body).toBe(`${planCommentMarker}\nquoted by a person`);
    expect(github.comments[1]).toEqual({
      id: 2,
      user: { type: "Bot" },
      body: `${planCommentMarker}\n\n**Plan: 2 to add, 0 to change, 0 to remove.**\n`,
    });

    await writeFile(join(runnerTemp, "plan.md"), "");
    await writeFile(join(runnerTemp, "plan.err"), "rules/rules.yaml:12:5: unknown key 'memebrs'\n```\n");
    await runScript("64");
    expect(github.comments).toHaveLength(2);
    expect(github.comments[1]!.body).toContain("❌ **idc-sync could not plan these rules** (exit 64)");
    expect(github.comments[1]!.body).toContain(
      "````text\nrules/rules.yaml:12:5: unknown key 'memebrs'\n```\n````",
    );
  });
});

describe("the workflow's read-only role (plan-role.yaml)", () => {
  interface Statement {
    Sid: string;
    Action: string | string[];
    Resource: unknown;
  }
  interface Template {
    Resources: {
      PlanRole: {
        Properties: {
          AssumeRolePolicyDocument: { Statement: Record<string, unknown>[] };
          Policies: unknown[];
        };
      };
    };
  }
  const template = async (): Promise<Template> =>
    parseYaml(await readFile(join(repoRoot, "examples/github-actions/plan-role.yaml"), "utf8"));
  /** Every statement of the role, those of the policy that exists only with a state table included. */
  const statements = async (): Promise<Statement[]> =>
    (await template()).Resources.PlanRole.Properties.Policies.flatMap((policy) => {
      const conditional = (policy as { "Fn::If"?: unknown[] })["Fn::If"];
      const document = (conditional ? conditional[1] : policy) as {
        PolicyDocument: { Statement: Statement[] };
      };
      return document.PolicyDocument.Statement;
    });
  const actionsOf = (list: Statement[]) => list.flatMap((statement) => [statement.Action].flat());

  it("may make exactly the reads the README lists for plan, and read the run state, nothing else", async () => {
    const readme = await readFile(join(repoRoot, "README.md"), "utf8");
    const block = /For `plan` and `snapshot identity-center` \(read-only\):\n\n```\n([\s\S]*?)```/.exec(
      readme,
    )?.[1];
    const documented = [...(block ?? "").matchAll(/\b(?:sso|identitystore|organizations):[A-Za-z]+/g)].map(
      (m) => m[0],
    );
    expect(documented.length).toBeGreaterThan(10);
    const granted = actionsOf(await statements());
    expect([...granted].sort()).toEqual([...documented, "dynamodb:GetItem"].sort());
    for (const action of granted) expect(action).toMatch(/^[a-z]+:(List|Get|Describe)[A-Za-z]+$/);
  });

  it('grants each action on the resource types the Service Authorization Reference gives it, "*" only where it takes none', async () => {
    const reference = JSON.parse(
      await readFile(join(repoRoot, "tests/fixtures/service-authorization/reference.json"), "utf8"),
    ) as {
      resourceTypes: Record<string, { arn: string }>;
      actions: Record<string, { resourceTypes: { name: string; required: boolean }[] }>;
    };
    const parameters: Record<string, string> = {
      "AWS::Partition": "aws",
      "AWS::Region": "us-east-1",
      "AWS::AccountId": "123456789012",
      ManagementAccountId: "111111111111",
      OrganizationId: "o-a1b2c3d4e5",
      SsoInstanceId: "ssoins-72230000a1b2c3d4",
      IdentityStoreId: "d-9067a1b2c3",
      StateTableName: "idc-sync-prod-StateTable-X",
    };
    const arnsOf = (statement: Statement) =>
      [statement.Resource].flat().map((resource) => {
        if (typeof resource === "string") return resource;
        const sub = (resource as { "Fn::Sub": string })["Fn::Sub"];
        return sub.replace(/\$\{([^}]+)\}/g, (_, name: string) => parameters[name] ?? `?${name}`);
      });
    const fits = (template: string, arn: string) => {
      const parts = template.split(/\$\{[A-Za-z]+\}/).map((part) => part.replace(/[.*+?^()|[\]\\]/g, "\\$&"));
      return new RegExp(`^${parts.join("[^:/]+")}$`).test(arn);
    };
    const problems: string[] = [];
    for (const statement of await statements()) {
      const arns = arnsOf(statement);
      for (const action of [statement.Action].flat()) {
        if (action.startsWith("dynamodb:")) {
          if (
            !arns.every(
              (arn) => arn === "arn:aws:dynamodb:us-east-1:123456789012:table/idc-sync-prod-StateTable-X",
            )
          )
            problems.push(`${action}: not the state table`);
          continue;
        }
        const entry = reference.actions[action];
        if (!entry) {
          problems.push(`${action}: not in the reference`);
          continue;
        }
        if (arns.includes("*") !== (entry.resourceTypes.length === 0))
          problems.push(`${action}: "*" misused`);
        for (const type of entry.resourceTypes.filter((t) => t.required)) {
          if (!arns.some((arn) => fits(reference.resourceTypes[type.name]!.arn, arn)))
            problems.push(`${action}: its required ${type.name} is granted nowhere`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("trusts only this repository's pull requests, through GitHub's OIDC provider and the STS audience", async () => {
    const [trust] = (await template()).Resources.PlanRole.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual({
      Effect: "Allow",
      Action: "sts:AssumeRoleWithWebIdentity",
      Principal: { Federated: { Ref: "OidcProviderArn" } },
      Condition: {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own Fn::Sub placeholder
          "token.actions.githubusercontent.com:sub": { "Fn::Sub": "repo:${GitHubRepository}:pull_request" },
        },
      },
    });
  });
});

/** Runs a workflow step's `run` script as GitHub's runner does (bash -e), from the repository's root. */
async function bash(script: string, env: Record<string, string>) {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      "bash",
      ["--noprofile", "--norc", "-eo", "pipefail", "-c", script],
      {
        cwd: repoRoot,
        env: {
          PATH: process.env.PATH ?? "",
          HOME: process.env.HOME ?? repoRoot,
          NO_COLOR: "1",
          // npx runs this repository's own idc-sync; offline, it could never fetch another.
          npm_config_offline: "true",
          npm_config_update_notifier: "false",
          ...env,
        },
      },
    );
    return { exitCode: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: failed.code ?? 1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

interface Comment {
  id: number;
  user: { type: string };
  body: string;
}

/** The part of Octokit the script uses (`github.paginate`, `github.rest.issues`), over a list of comments. */
class FakeGitHub {
  constructor(readonly comments: Comment[]) {}
  readonly rest = {
    issues: {
      listComments: async (params: { issue_number: number }) => {
        expect(params.issue_number).toBe(7);
        return { data: this.comments.map((comment) => ({ ...comment })) };
      },
      createComment: async (params: { issue_number: number; body: string }) => {
        const comment = { id: this.comments.length + 1, user: { type: "Bot" }, body: params.body };
        this.comments.push(comment);
        return { data: comment };
      },
      updateComment: async (params: { comment_id: number; body: string }) => {
        const comment = this.comments.find((candidate) => candidate.id === params.comment_id);
        if (!comment) throw new Error(`no comment ${params.comment_id}`);
        comment.body = params.body;
        return { data: comment };
      },
    },
  };
  async paginate<T>(list: (params: never) => Promise<{ data: T[] }>, params: unknown): Promise<T[]> {
    return (await list(params as never)).data;
  }
}
