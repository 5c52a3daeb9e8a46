/**
 * `idc-sync audit iam-users`: the IAM user inventory of the organization, read-only. It parses flags,
 * builds the adapters (Organizations, STS/IAM/CloudTrail, optionally the Google directory), reads every
 * account, and hands the result to the pure classifier and renderer in `src/audit`. With `--slack` it
 * also posts the summary through the Slack notifier; that post is the only thing it sends anywhere.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import type { AwsIamInventoryConfig } from "../../adapters/aws-iam/factory.js";
import { loadRules } from "../../adapters/file/rules-file.js";
import type { SlackNotifierOptions } from "../../adapters/slack/slack-notifier.js";
import {
  buildAccountDirectory,
  buildDirectorySource,
  buildNotifier,
  parseEndpointSpec,
  slackWebhookVariable,
} from "../../app/live-ports.js";
import {
  AuditFormat,
  type AuditOptions,
  auditSlackSummary,
  buildAuditReport,
  defaultAuditOptions,
  renderAuditReport,
} from "../../audit/index.js";
import type { AuditedAccount } from "../../audit/model.js";
import { directoryRequestFromRules, formatRuleIssue } from "../../mapping/index.js";
import type { AccountDirectory } from "../../sync/ports.js";
import { ExitCode } from "../exit-codes.js";
import { parsePositiveCount } from "../flags.js";
import type { CliIo } from "../io.js";
import { createProgressReporter } from "../progress.js";

/** What tests (and only tests) replace: the clock and the adapters' waiting. */
export interface AuditCommandDeps {
  now?: () => Date;
  /** Extra inventory settings, e.g. a sleep that does not really wait. */
  inventory?: Partial<AwsIamInventoryConfig>;
  /** The Organizations account directory; by default built from the environment. */
  accountDirectory?: () => Promise<AccountDirectory>;
  /** Slack notifier settings for `--slack`, e.g. a sleep between retries that does not really wait. */
  slack?: Omit<SlackNotifierOptions, "webhookUrl">;
}

interface AuditFlags {
  accounts?: string[];
  ou?: string[];
  roleName: string;
  staleDays: number;
  cloudtrail?: boolean;
  days?: number;
  regions?: string[];
  source?: string;
  domain?: string[];
  rules?: string;
  format: AuditFormat;
  out?: string;
  concurrency?: number;
  slack?: boolean;
}

/** CloudTrail event history keeps 90 days. */
const maxDays = 90;

/** Registers `audit iam-users` on `program`. */
export function registerAuditCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
  deps: AuditCommandDeps = {},
): Command {
  const audit = program.command("audit").description("read-only inventories of what is left to migrate");

  audit
    .command("iam-users")
    .description(
      "inventory IAM users in every account: who still uses which user, and which are safe to retire (changes nothing)",
    )
    .addOption(
      new Option(
        "--accounts <ids>",
        "only these account ids (comma-separated) instead of the organization",
      ).argParser(accountIds),
    )
    .addOption(
      new Option(
        "--ou <ids>",
        "only active accounts under these OUs, recursively (comma-separated)",
      ).argParser(list),
    )
    .addOption(new Option("--role-name <name>", "the role assumed in each account").default("idc-sync-audit"))
    .addOption(
      new Option("--stale-days <n>", "no console or key use for this many days makes a user unused")
        .default(defaultAuditOptions.staleDays)
        .argParser(parsePositiveCount),
    )
    .option("--cloudtrail", "also look up what each active key did in CloudTrail")
    .addOption(
      new Option("--days <n>", `CloudTrail window in days, at most ${maxDays}`).argParser(parsePositiveCount),
    )
    .addOption(
      new Option(
        "--regions <regions>",
        "CloudTrail regions searched for every key, besides its last-used region",
      ).argParser(list),
    )
    .addOption(
      new Option(
        "--source <google|file:PATH>",
        "match IAM users to people in the Google directory or a snapshot",
      ),
    )
    .addOption(
      new Option("--domain <domains>", "the Google domains that are yours (comma-separated)").argParser(list),
    )
    .addOption(new Option("--rules <file>", "take --domain and the customer id from this rules file"))
    .addOption(
      new Option("--format <format>", "output format")
        .choices(Object.values(AuditFormat))
        .default(AuditFormat.table),
    )
    .option("--out <file>", "write the report to this file instead of stdout")
    .addOption(new Option("--concurrency <n>", "accounts read at once").argParser(parsePositiveCount))
    .option("--slack", `also post a summary to the Slack incoming webhook in ${slackWebhookVariable}`)
    .action(async (flags: AuditFlags) => {
      const usage = (message: string) => {
        io.stderr(`idc-sync: ${message}\n`);
        setExitCode(ExitCode.usage);
      };
      if (flags.days !== undefined && !flags.cloudtrail) return usage("--days needs --cloudtrail");
      const days = flags.days ?? maxDays;
      if (days > maxDays) return usage(`--days: CloudTrail keeps ${maxDays} days of events, got ${days}`);
      if (flags.regions && !flags.cloudtrail) return usage("--regions needs --cloudtrail");
      if (flags.accounts && flags.ou) return usage("--accounts and --ou cannot be combined");
      const notifier = flags.slack ? await buildNotifier(io.env, deps.slack) : undefined;
      if (flags.slack && !notifier)
        return usage(`--slack needs ${slackWebhookVariable} (a Slack incoming webhook URL)`);

      let directory: AuditOptions["directory"];
      if (flags.source) {
        const spec = parseEndpointSpec(flags.source, "google", io.cwd);
        if ("error" in spec) return usage(`--source: ${spec.error}`);
        const request = await directoryRequest(flags, io);
        if ("error" in request) return usage(request.error);
        const source = await buildDirectorySource(spec, io.env);
        const read = await source.readDirectory(request);
        directory = { people: read.users, domains: request.domains };
      }

      const now = deps.now?.() ?? new Date();
      const progress = createProgressReporter(io);
      const { createAwsIamInventory } = await import("../../adapters/aws-iam/factory.js");
      const inventory = createAwsIamInventory({
        roleName: flags.roleName,
        ...(flags.concurrency ? { accountConcurrency: flags.concurrency } : {}),
        ...deps.inventory,
      });
      const accounts = await accountsToAudit(flags, deps, io);
      if (accounts.length === 0) return usage("no active accounts to audit");
      const inventories = await inventory
        .readAccounts(
          accounts,
          flags.cloudtrail ? { days, regions: flags.regions ?? [], now } : undefined,
          progress.listener,
        )
        .finally(progress.done);

      const report = buildAuditReport(inventories, {
        now,
        staleDays: flags.staleDays,
        keyMaxAgeDays: defaultAuditOptions.keyMaxAgeDays,
        ...(flags.cloudtrail ? { cloudTrailDays: days } : {}),
        ...(directory ? { directory } : {}),
      });
      const text = renderAuditReport(report, flags.format);
      if (flags.out) {
        await writeFile(resolve(io.cwd, flags.out), text, "utf8");
        io.stderr(
          `Wrote ${report.users.length} IAM users of ${report.accounts.length} accounts to ${flags.out}\n`,
        );
      } else {
        io.stdout(text);
      }
      const unreachable = report.accounts.filter((account) => account.status === "unreachable");
      for (const account of unreachable)
        io.stderr(`warning: ${account.id} (${account.name}) was not audited: ${account.reason}\n`);
      if (unreachable.length > 0) setExitCode(ExitCode.failed);
      if (notifier) {
        // Slack is a courtesy: an undelivered summary is a warning and leaves the exit code as it is.
        const delivery = await notifier.notify(auditSlackSummary(report));
        if (delivery.delivered) io.stderr("Posted the summary to Slack\n");
        else io.stderr(`warning: the Slack summary was not delivered: ${delivery.error}\n`);
      }
    });
  return audit;
}

async function accountsToAudit(
  flags: AuditFlags,
  deps: AuditCommandDeps,
  io: CliIo,
): Promise<AuditedAccount[]> {
  if (flags.accounts) return flags.accounts.map((id) => ({ id, name: id }));
  const directory = deps.accountDirectory
    ? await deps.accountDirectory()
    : await buildAccountDirectory({ kind: "live" }, io.env);
  const accounts = await directory.listAccounts();
  return accounts
    .filter((account) => account.status === "ACTIVE")
    .filter((account) => !flags.ou || flags.ou.some((ou) => account.ancestorIds.includes(ou)))
    .map((account) => ({ id: account.id, name: account.name }));
}

async function directoryRequest(
  flags: AuditFlags,
  io: CliIo,
): Promise<{ customerId: string; domains: string[]; groupEmails: string[] } | { error: string }> {
  if (flags.domain)
    return { customerId: "my_customer", domains: flags.domain.map((d) => d.toLowerCase()), groupEmails: [] };
  if (!flags.rules)
    return { error: "--source needs --domain (or --rules) to know which Google domains are yours" };
  const loaded = await loadRules(resolve(io.cwd, flags.rules));
  if (!loaded.ok) return { error: loaded.issues.map(formatRuleIssue).join("\n") };
  return { ...directoryRequestFromRules(loaded.rules), groupEmails: [] };
}

function list(value: string): string[] {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  if (items.length === 0) throw new InvalidArgumentError("expected a comma-separated list");
  return items;
}

function accountIds(value: string): string[] {
  const ids = list(value);
  const bad = ids.filter((id) => !/^\d{12}$/.test(id));
  if (bad.length > 0) throw new InvalidArgumentError(`an account id is 12 digits, got ${bad.join(", ")}`);
  return ids;
}
