/**
 * The flags several commands share (`--rules`, `--source`, `--target`, `--accounts`, `--state`,
 * `--allow-deletions`) and what they name: endpoints, ports and the run state's location.
 */
import { resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { FileDirectorySource } from "../adapters/file/file-directory-source.js";
import {
  buildAccountDirectory,
  buildDirectorySource,
  buildRevocationPolicies,
  buildTarget,
  type EndpointSpec,
  parseEndpointSpec,
  runStateLocation,
} from "../app/live-ports.js";
import type { Rules } from "../mapping/index.js";
import { UsageError } from "./errors.js";
import type { CliIo } from "./io.js";
import type { WorldPorts } from "./rules-check.js";

export interface CommonFlags {
  rules: string;
  source: string;
  target: string;
  accounts?: string;
  json?: boolean;
  /** The run state: a file or dynamodb:TABLE (default: beside a file target, else next to the rules). */
  state?: string;
}

export const rulesOption = () => new Option("--rules <file>", "the rules file").default("rules.yaml");
export const sourceOption = () =>
  new Option(
    "--source <google|file:PATH>",
    "where people come from: the live Google directory or a snapshot",
  ).default("google");
export const targetOption = () =>
  new Option(
    "--target <aws|file:PATH>",
    "the Identity Center to change: the live one or a state file",
  ).default("aws");
export const accountsOption = () =>
  new Option(
    "--accounts <aws|file:PATH>",
    "where AWS accounts come from (default: the --source snapshot when it is a file, else AWS Organizations)",
  );
export const stateOption = () =>
  new Option(
    "--state <file|dynamodb:TABLE>",
    "the run state (drift, history): default beside a file target, else .idc-sync/state.json next to the rules",
  );
export const allowDeletionsOption = () =>
  new Option(
    "--allow-deletions <n>",
    "let up to N removals pass the maxDeletions guard, deliberately",
  ).argParser(parseCount);

/** A command that reads and changes what `--rules`, `--source`, `--target` and `--accounts` name (plan, apply). */
export function syncCommand(program: Command, name: string, description: string): Command {
  const command = program.command(name).description(description);
  for (const option of [rulesOption(), sourceOption(), targetOption(), accountsOption()])
    command.addOption(option);
  return command;
}

/** A whole number, 0 or more (`--allow-deletions`, `--concurrency`). */
export function parseCount(value: string): number {
  return wholeNumberAtLeast(value, 0);
}

/** A whole number, 1 or more (`--limit`, `--days`, ...). */
export function parsePositiveCount(value: string): number {
  return wholeNumberAtLeast(value, 1);
}

function wholeNumberAtLeast(value: string, least: 0 | 1): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < least)
    throw new InvalidArgumentError(`expected a whole number, ${least} or more`);
  return parsed;
}

export function endpoint(value: string, liveName: "google" | "aws", flag: string, io: CliIo): EndpointSpec {
  const spec = parseEndpointSpec(value, liveName, io.cwd);
  if ("error" in spec) throw new UsageError(`${flag}: ${spec.error}`);
  return spec;
}

/**
 * The directory and the accounts as `--source` and `--accounts` name them; for a snapshot file, also what
 * it holds, so what it lacks is never blamed on the rules. `--accounts none` reads no accounts.
 */
export async function worldPorts(
  flags: Pick<CommonFlags, "source" | "accounts">,
  io: CliIo,
): Promise<WorldPorts> {
  const source = endpoint(flags.source, "google", "--source", io);
  const directory = await buildDirectorySource(source, io.env);
  const accountsFlag = flags.accounts ?? (source.kind === "file" ? flags.source : "aws");
  const accounts =
    accountsFlag === "none"
      ? noAccounts
      : await buildAccountDirectory(endpoint(accountsFlag, "aws", "--accounts", io), io.env);
  return {
    directory,
    accounts,
    ...(directory instanceof FileDirectorySource
      ? {
          snapshot: {
            file: flags.source.slice("file:".length),
            // A separate --accounts file or AWS answers for the organization whatever the snapshot holds.
            contents: async () => ({
              ...(await directory.contents()),
              ...(accountsFlag === flags.source ? {} : { organization: true }),
            }),
          },
        }
      : {}),
  };
}

/** For commands that read no accounts (snapshot directory --accounts none). */
const noAccounts = { listAccounts: async () => [] };

export async function targetPort(flags: Pick<CommonFlags, "target">, rules: Rules, io: CliIo) {
  return buildTarget(endpoint(flags.target, "aws", "--target", io), rules, io.env);
}

/** The SCPs of `leavers.revokeSessions: scp`, beside a live `--target`. */
export function revocationPort(flags: Pick<CommonFlags, "target">, rules: Rules, io: CliIo) {
  return buildRevocationPolicies(endpoint(flags.target, "aws", "--target", io), rules, io.env);
}

/** Identity Center as `--target` names it, with the SCPs of `leavers.revokeSessions: scp` beside a live one. */
export async function targetPorts(flags: Pick<CommonFlags, "target">, rules: Rules, io: CliIo) {
  return { identityCenter: await targetPort(flags, rules, io), ...(await revocationPort(flags, rules, io)) };
}

/** `--state`, or the default location (`runStateLocation`). */
export function stateLocation(flags: Pick<CommonFlags, "state" | "rules" | "target">, io: CliIo): string {
  return runStateLocation(
    flags.state,
    resolve(io.cwd, flags.rules),
    endpoint(flags.target, "aws", "--target", io),
  );
}
