import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command, CommanderError } from "commander";
import { parse } from "csv-parse/sync";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createAwsAccountDirectory } from "../../../src/adapters/aws/index.js";
import { loadDirectorySnapshot } from "../../../src/adapters/file/directory-snapshot.js";
import type { AuditReport } from "../../../src/audit/model.js";
import { registerAuditCommand } from "../../../src/cli/commands/audit.js";
import type { CliIo } from "../../../src/cli/io.js";
import { SyncError } from "../../../src/sync/errors.js";
import { idcSync, repoRoot } from "../../cli/cli-harness.js";
import { type AwsEmulator, startAwsEmulator } from "../../emulators/aws/emulator.js";
import { type IamEmulator, startIamEmulator } from "../../emulators/aws/iam/iam-emulator.js";
import { seedAccountIds, seedAccounts, seedDirectoryFile } from "../../emulators/aws/iam/seed.js";
import { startWebhookSink, type WebhookSink } from "../../emulators/slack/webhook-sink.js";
import { now, quickSleep } from "./harness.js";

/**
 * Runs `audit iam-users` as main.ts registers it, with the default SDK clients finding the emulators
 * through AWS_ENDPOINT_URL_* like in production; only the clock and the waiting are injected.
 */
async function audit(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  let exitCode = 0;
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    isInteractive: false,
    ask: async () => "",
    env: { ...process.env, ...env },
    cwd: repoRoot,
  };
  const program = new Command("idc-sync")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  registerAuditCommand(
    program,
    io,
    (code) => {
      exitCode = code;
    },
    {
      now: () => now,
      inventory: {
        sleep: quickSleep,
        reportPollIntervalMs: 1,
        iamPerSecond: 10_000,
        cloudTrailPerSecond: 10_000,
      },
      accountDirectory: async () => createAwsAccountDirectory({ limits: { organizationsPerSecond: 10_000 } }),
      slack: { sleep: quickSleep, timeoutMs: 2_000 },
    },
  );
  try {
    await program.parseAsync(["audit", "iam-users", ...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return { exitCode: 64, stdout, stderr };
    if (error instanceof SyncError) return { exitCode: 1, stdout, stderr: `${stderr}${error.message}` };
    throw error;
  }
  return { exitCode, stdout, stderr };
}

const withGoogle = ["--source", `file:${seedDirectoryFile}`, "--domain", "example.com"];

describe("idc-sync audit iam-users against a seeded multi-account organisation", () => {
  let organizations: AwsEmulator;
  let iam: IamEmulator;
  beforeAll(async () => {
    const snapshot = await loadDirectorySnapshot(seedDirectoryFile);
    organizations = await startAwsEmulator(
      snapshot.organization ? { organization: snapshot.organization } : {},
    );
    iam = await startIamEmulator({
      accounts: seedAccounts(now),
      homeAccountId: seedAccountIds.management,
      cloudTrailPerSecond: 0,
    });
  });
  afterAll(async () => {
    await organizations.close();
    await iam.close();
  });
  const pointAtEmulators = () => {
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIAEMULATORAUDITOR1");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "emulator");
    vi.stubEnv("AWS_SESSION_TOKEN", undefined);
    vi.stubEnv("AWS_PROFILE", undefined);
    vi.stubEnv("AWS_ENDPOINT_URL_ORGANIZATIONS", organizations.url);
    vi.stubEnv("AWS_ENDPOINT_URL_IAM", iam.url);
    vi.stubEnv("AWS_ENDPOINT_URL_STS", iam.url);
    vi.stubEnv("AWS_ENDPOINT_URL_CLOUDTRAIL", iam.url);
  };
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("prints the classified inventory as markdown, leaver first, and exits 1 for the account it could not enter", async () => {
    pointAtEmulators();

    const run = await audit(["--cloudtrail", "--days", "30", ...withGoogle, "--format", "markdown"]);

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("warning: 444444444444 (legacy) was not audited: cannot assume");
    expect(run.stdout).toContain("9 IAM users in 3 accounts, 2 leavers");
    const users = run.stdout
      .slice(run.stdout.indexOf("## Users"))
      .split("\n")
      .filter((line) => line.startsWith("| 1") || line.startsWith("| 2") || line.startsWith("| 3"));
    expect(users[0]).toMatch(
      /^\| 111111111111 \(management\) \| bob \| person \| \*\*leaver: disable now\*\*/,
    );
    expect(users[1]).toMatch(
      /^\| 222222222222 \(dev\) \| dave-scripts \| unused \| \*\*safe to retire\*\*.*dave\.ito@example\.com is gone from Google/,
    );
    expect(run.stdout).toMatch(
      /\| ci-deployer \| system \| \*\*keep: used by a system\*\*: never retire while in use: AWS CLI from 203\.0\.113\.10 calling cloudfront, s3/,
    );
    expect(run.stdout).toMatch(/\| old-backup \| unused \| \*\*safe to retire\*\*/);
    expect(run.stdout).toMatch(/\| carol\.jones \| unused \|.*console last used .* \(200 days ago\)/);
    expect(run.stdout).toMatch(
      /\| alice\.smith \| person \| \*\*move the person to Identity Center, then retire\*\*/,
    );
    expect(run.stdout).toContain(
      "| 444444444444 | legacy | unreachable: cannot assume arn:aws:iam::444444444444:role/idc-sync-audit",
    );
  });

  it("writes JSON and CSV reports to --out that parse back", async () => {
    pointAtEmulators();
    const directory = await mkdtemp(join(tmpdir(), "idc-sync-audit-"));

    const json = await audit([
      "--accounts",
      "222222222222,333333333333",
      "--cloudtrail",
      "--format",
      "json",
      "--out",
      join(directory, "audit.json"),
    ]);
    const csv = await audit([
      "--accounts",
      "222222222222",
      "--format",
      "csv",
      "--out",
      join(directory, "audit.csv"),
    ]);

    expect(json.exitCode).toBe(0);
    expect(json.stdout).toBe("");
    expect(json.stderr).toContain(`Wrote 6 IAM users of 2 accounts to ${join(directory, "audit.json")}`);
    const report = JSON.parse(await readFile(join(directory, "audit.json"), "utf8")) as AuditReport;
    expect(report.cloudTrailDays).toBe(90);
    expect(report.users.find((user) => user.userName === "reporting")).toMatchObject({
      classification: "system",
      system: {
        agents: ["AWS SDK (Python)"],
        sourceIps: ["192.0.2.21", "192.0.2.22"],
        services: ["athena", "s3"],
      },
      cloudTrailEvents: 15,
    });
    expect(csv.exitCode).toBe(0);
    const rows = parse(await readFile(join(directory, "audit.csv"), "utf8"), { columns: true }) as Record<
      string,
      string
    >[];
    expect(rows.map((row) => [row.user_name, row.classification, row.recommendation])).toEqual([
      ["carol.jones", "unused", "probably unused: confirm with --cloudtrail"],
      ["ci-deployer", "system", "keep: used by a system"],
      ["dave-scripts", "unused", "probably unused: confirm with --cloudtrail"],
      ["terraform", "system", "keep: used by a system"],
    ]);
  });

  it("limits the audit to the accounts under --ou", async () => {
    pointAtEmulators();

    const run = await audit(["--ou", "ou-ab12-22222222", "--format", "json"]);

    const report = JSON.parse(run.stdout) as AuditReport;
    expect(report.accounts.map((account) => [account.id, account.status])).toEqual([
      ["444444444444", "unreachable"],
    ]);
  });

  describe("with --slack", () => {
    let sink: WebhookSink;
    beforeEach(async () => {
      sink = await startWebhookSink();
    });
    afterEach(async () => {
      await sink.close();
    });

    it("posts one summary naming the leavers, the counts and the account it could not enter", async () => {
      pointAtEmulators();

      const run = await audit(["--cloudtrail", "--days", "30", ...withGoogle, "--slack"], {
        SLACK_WEBHOOK_URL: sink.url,
      });

      expect(run.exitCode).toBe(1);
      expect(run.stdout).toContain("9 IAM users in 3 accounts, 2 leavers");
      expect(sink.messages).toHaveLength(1);
      const message = sink.messages[0]!;
      const text = sink.textOf(message);
      expect(message.blocks[0]).toMatchObject({
        type: "header",
        text: { text: "IAM user inventory: 9 users in 3 accounts" },
      });
      expect(text).toContain("*2 leavers* · ");
      expect(text).toContain("safe to retire)");
      expect(text).toContain("• `bob` in management (111111111111) _leaver_:");
      expect(text).toMatch(
        /• `dave-scripts` in dev \(222222222222\) _leaver_ _safe to retire_: dave\.ito@example\.com is gone from Google/,
      );
      expect(text).toMatch(/• `old-backup` in .* _safe to retire_/);
      expect(text.indexOf("`dave-scripts`")).toBeLessThan(text.indexOf("`old-backup`"));
      expect(text).toContain("• legacy (444444444444): cannot assume");
      expect(text).toContain("CloudTrail searched over 30 days");
      expect(message.text).toContain("2 leavers");
    });

    it("prints the report and keeps the exit code when Slack answers 500", async () => {
      pointAtEmulators();
      sink.behave({ answer: "status", status: 500 });
      const env = { SLACK_WEBHOOK_URL: sink.url };

      const withUnreachable = await audit(["--cloudtrail", ...withGoogle, "--slack"], env);
      const allRead = await audit(["--accounts", "222222222222", "--slack"], env);

      expect(withUnreachable.exitCode).toBe(1);
      expect(withUnreachable.stdout).toContain("9 IAM users in 3 accounts, 2 leavers");
      expect(withUnreachable.stderr).toContain(
        "warning: the Slack summary was not delivered: Slack answered 500",
      );
      expect(allRead.exitCode).toBe(0);
      expect(allRead.stdout).toContain("dave-scripts");
      expect(allRead.stderr).toContain("warning: the Slack summary was not delivered: Slack answered 500");
      expect(sink.messages).toEqual([]);
      expect(sink.attempts).toBe(6);
    });
  });
});

describe("idc-sync audit iam-users usage", () => {
  it("is registered on the idc-sync command", async () => {
    const run = await idcSync(["audit", "iam-users", "--help"]);

    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("--role-name <name>");
  });

  it.each([
    [["--cloudtrail", "--days", "91"], "--days: CloudTrail keeps 90 days of events, got 91"],
    [["--days", "30"], "--days needs --cloudtrail"],
    [["--source", "file:x.yaml"], "--source needs --domain (or --rules)"],
    [["--slack"], "--slack needs SLACK_WEBHOOK_URL"],
  ])("refuses %j before calling AWS", async (args, message) => {
    const run = await idcSync(["audit", "iam-users", ...args]);

    expect(run.exitCode).toBe(64);
    expect(run.stderr).toContain(message);
  });

  it("refuses an account id that is not 12 digits and an unknown format", async () => {
    expect((await idcSync(["audit", "iam-users", "--accounts", "1234"])).exitCode).toBe(64);
    expect((await idcSync(["audit", "iam-users", "--format", "xml"])).exitCode).toBe(64);
  });
});
