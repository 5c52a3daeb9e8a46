/**
 * `idc-sync explain PERSON [--account ID|NAME]`: every path by which one person has, or does not have,
 * access, rule by rule. Reads what a plan reads, builds the access report, and explains one person of it.
 */
import type { Command } from "commander";
import { buildAccessReport } from "../../access/build-report.js";
import { explainAccess } from "../../access/explain.js";
import { explanationJson, renderExplanationText } from "../../access/render-explanation.js";
import { type AccessSourceFlags, accessSourceOptions, readAccessInputs } from "../access-wiring.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";

interface ExplainFlags extends AccessSourceFlags {
  account?: string;
  json?: boolean;
}

/** Adds `explain` to the program. */
export function registerExplainCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const command = program
    .command("explain")
    .description(
      "why a person has, or does not have, access: every path, rule by rule, and what excludes them (changes nothing)",
    )
    .argument("<person>", "an email address: primary, alias, or Identity Center user name");
  for (const option of accessSourceOptions()) command.addOption(option);
  command
    .option("--account <id|name>", "only this AWS account (its id, or its name)")
    .option("--json", "print the explanation as JSON")
    .action(async (person: string, flags: ExplainFlags) => {
      const read = await readAccessInputs(flags, io);
      if (!read.ok) return setExitCode(ExitCode.usage);
      const report = buildAccessReport(read.inputs);
      const result = explainAccess(read.inputs, report, {
        person,
        ...(flags.account === undefined ? {} : { account: flags.account }),
      });
      if (!result.ok) {
        const what =
          result.reason === "unknownPerson"
            ? "nobody in Google, the static users or Identity Center is"
            : "no AWS account has the id or name";
        const hint =
          result.suggestions.length > 0
            ? `; did you mean ${result.suggestions.map((s) => `'${s}'`).join(" or ")}?`
            : "";
        io.stderr(`idc-sync: ${what} '${result.query}'${hint}\n`);
        return setExitCode(ExitCode.usage);
      }
      if (flags.json) io.stdout(`${JSON.stringify(explanationJson(result.explanation, report), null, 2)}\n`);
      else io.stdout(renderExplanationText(result.explanation, report));
    });
}
