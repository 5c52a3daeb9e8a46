/**
 * `idc-sync history`: the last runs from the run state (a file, or the Lambda's DynamoDB table).
 */
import { resolve } from "node:path";
import { type Command, InvalidArgumentError, Option } from "commander";
import { buildStateStore, parseEndpointSpec, runStateLocation } from "../../app/live-ports.js";
import { renderRunHistory } from "../../notify/history.js";
import { parsePositiveCount } from "../flags.js";
import type { CliIo } from "../io.js";

/** Adds `history` to the program. */
export function registerHistoryCommand(
  program: Command,
  io: CliIo,
  _setExitCode: (code: number) => void,
): void {
  program
    .command("history")
    .description("list the last runs: when, mode, outcome, drift found and changes made")
    .addOption(
      new Option("--rules <file>", "the rules file (locates the default state)").default("rules.yaml"),
    )
    .addOption(
      new Option("--target <aws|file:PATH>", "the Identity Center the state belongs to").default("aws"),
    )
    .addOption(new Option("--state <file|dynamodb:TABLE>", "the run state (default: as apply finds it)"))
    .addOption(new Option("--limit <n>", "how many runs").default(20).argParser(parsePositiveCount))
    .option("--json", "print the runs as JSON")
    .action(
      async (flags: { rules: string; target: string; state?: string; limit: number; json?: boolean }) => {
        const target = parseEndpointSpec(flags.target, "aws", io.cwd);
        if ("error" in target) throw new InvalidArgumentError(`--target: ${target.error}`);
        const location = runStateLocation(flags.state, resolve(io.cwd, flags.rules), target);
        const runs = await (await buildStateStore(location, io.cwd)).listRuns(flags.limit);
        if (flags.json) io.stdout(`${JSON.stringify({ runs }, null, 2)}\n`);
        else io.stdout(renderRunHistory(runs));
      },
    );
}
