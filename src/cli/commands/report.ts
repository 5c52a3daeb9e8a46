/**
 * `idc-sync report access`: who reaches which AWS account with which permission set, through which
 * group, rule and Google source, as one self-contained HTML page, markdown, CSV or JSON. Reads what a
 * plan reads (Identity Center wide), builds the report in the pure core, and writes what a renderer
 * yields, piece by piece.
 */
import { createWriteStream } from "node:fs";
import { resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Command, Option } from "commander";
import { buildAccessReport } from "../../access/build-report.js";
import type { AccessReport } from "../../access/model.js";
import { renderAccessHtml } from "../../access/render-html.js";
import {
  AccessFormat,
  renderAccessCsv,
  renderAccessJson,
  renderAccessMarkdown,
} from "../../access/render-report.js";
import { type AccessSourceFlags, accessSourceOptions, readAccessInputs } from "../access-wiring.js";
import { ExitCode } from "../exit-codes.js";
import type { CliIo } from "../io.js";

interface ReportFlags extends AccessSourceFlags {
  format?: AccessFormat;
  out?: string;
}

const formatByExtension: Record<string, AccessFormat> = {
  ".html": "html",
  ".htm": "html",
  ".md": "markdown",
  ".csv": "csv",
  ".json": "json",
};

/** Adds `report access` to the program. */
export function registerReportCommand(
  program: Command,
  io: CliIo,
  setExitCode: (code: number) => void,
): void {
  const report = program.command("report").description("read-only reports");
  const access = report
    .command("access")
    .description(
      "who reaches which AWS account with which permission set, through which group, rule and Google source; marks access no rule explains (changes nothing)",
    );
  for (const option of accessSourceOptions()) access.addOption(option);
  access
    .addOption(
      new Option(
        "--format <format>",
        "output format (default: from the --out extension, else markdown)",
      ).choices(Object.values(AccessFormat)),
    )
    .option("--out <file>", "write the report to this file instead of stdout")
    .action(async (flags: ReportFlags) => {
      const format = flags.format ?? formatFor(flags.out);
      const read = await readAccessInputs(flags, io);
      if (!read.ok) return setExitCode(ExitCode.usage);
      const built = buildAccessReport(read.inputs);
      const chunks = render(built, format);
      if (flags.out === undefined) {
        for (const chunk of chunks) io.stdout(chunk);
        return;
      }
      try {
        await pipeline(Readable.from(chunks), createWriteStream(resolve(io.cwd, flags.out)));
      } catch (error) {
        io.stderr(`idc-sync: cannot write ${flags.out}: ${(error as Error).message}\n`);
        return setExitCode(ExitCode.failed);
      }
      io.stderr(
        `Wrote the access report (${format}) of ${built.people.length} people, ${built.principals.length} groups and users and ${built.accounts.length} accounts to ${flags.out}\n`,
      );
    });
}

function formatFor(out: string | undefined): AccessFormat {
  const extension = out?.match(/\.[^./]+$/)?.[0]?.toLowerCase();
  return (extension && formatByExtension[extension]) || AccessFormat.markdown;
}

function render(report: AccessReport, format: AccessFormat): Iterable<string> {
  switch (format) {
    case "html":
      return [renderAccessHtml(report)];
    case "markdown":
      return renderAccessMarkdown(report);
    case "csv":
      return renderAccessCsv(report);
    case "json":
      return renderAccessJson(report);
  }
}
