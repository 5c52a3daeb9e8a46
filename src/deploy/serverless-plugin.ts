/**
 * The osls (Serverless Framework v3) plugin that idc-sync's serverless.yml loads: before anything is
 * packaged (`osls package`, and `osls deploy`, which packages first) it checks the deploy parameters and
 * the rules file, and adds the rules file and the policy files it names to the package. Every problem is
 * one line, all of them at once; with any, nothing is packaged.
 *
 * It reads what serverless.yml resolved: `custom.idcSync.settings` (the parameters with their defaults,
 * deploy/serverless/settings.yml) and `provider.region`.
 */
import { isAbsolute, normalize, posix, relative, resolve, sep } from "node:path";
import { loadRules } from "../adapters/file/rules-file.js";
import { formatRuleIssue } from "../mapping/index.js";
import {
  checkDeploymentSettings,
  type DeploymentSettings,
  formatSettingProblem,
} from "./deployment-settings.js";

/** The parts of the osls `serverless` object this plugin touches. */
interface ServerlessLike {
  serviceDir: string;
  service: {
    provider: { region?: string };
    custom?: { idcSync?: { settings?: Partial<DeploymentSettings> } };
    package?: { patterns?: string[] };
  };
  classes: { Error: new (message: string) => Error };
}

interface PluginUtils {
  log: { notice: (message: string) => void; warning: (message: string) => void };
}

export default class IdcSyncServerlessPlugin {
  readonly hooks: Record<string, () => Promise<void>>;

  constructor(
    private readonly serverless: ServerlessLike,
    _options: unknown,
    private readonly utils: PluginUtils,
  ) {
    this.hooks = { "before:package:initialize": () => this.checkBeforePackaging() };
  }

  private async checkBeforePackaging(): Promise<void> {
    const { service, serviceDir } = this.serverless;
    const settings = { ...service.custom?.idcSync?.settings, region: service.provider.region ?? "" };
    const problems = checkDeploymentSettings(settings as DeploymentSettings).map(formatSettingProblem);
    const rulesFile = String(settings.rules ?? "").trim();
    const packaged: string[] = [];
    if (rulesFile !== "") {
      const checked = await checkRulesFile(serviceDir, rulesFile);
      problems.push(...checked.problems);
      const scpRights = String(settings.revokeSessionsWithScp ?? "false").trim() === "true";
      if (checked.revokeSessions === "scp" && !scpRights) {
        // The function could plan leavers' denies but not write them: every leaver's run would fail.
        problems.push(
          `--param revokeSessionsWithScp: ${rulesFile} says leavers.revokeSessions: scp, which needs the Organizations rights this parameter grants: deploy with --param revokeSessionsWithScp=true (in the management account or a delegated administrator for Organizations policies), or choose permissionSets`,
        );
      } else if (checked.revokeSessions !== undefined && checked.revokeSessions !== "scp" && scpRights) {
        this.utils.log.warning(
          `idc-sync: --param revokeSessionsWithScp=true grants SCP rights that ${rulesFile} does not use (leavers.revokeSessions: ${checked.revokeSessions})`,
        );
      }
      for (const warning of checked.warnings) this.utils.log.warning(`idc-sync: ${warning}`);
      packaged.push(...checked.files);
    }
    if (problems.length > 0) {
      throw new this.serverless.classes.Error(
        [
          `idc-sync: ${problems.length} problem${problems.length === 1 ? "" : "s"} in the deployment; nothing was packaged:`,
          ...problems.map((problem) => `  ${problem}`),
        ].join("\n"),
      );
    }
    // Whatever folder the rules live in, they and their policy files go into the zip: a rules file the
    // function cannot find would fail every run.
    service.package ??= {};
    service.package.patterns = [...(service.package.patterns ?? []), ...packaged];
    this.utils.log.notice(
      `idc-sync: ${rulesFile} is valid; packaging it with ${packaged.length - 1} policy file(s)`,
    );
  }
}

/**
 * Loads the rules file as the function will (relative to the service folder, policy files next to it).
 * Returns its problems as `FILE:LINE:COL: message` lines and the files to package, relative to the service.
 */
async function checkRulesFile(
  serviceDir: string,
  rulesFile: string,
): Promise<{ problems: string[]; warnings: string[]; files: string[]; revokeSessions?: string }> {
  const path = resolve(serviceDir, rulesFile);
  const inside = relative(serviceDir, path);
  if (isAbsolute(rulesFile) || inside.startsWith(`..${sep}`) || inside === "..") {
    return {
      problems: [
        `--param rules: '${rulesFile}' is outside the service folder, so it cannot be packaged; put the rules next to serverless.yml`,
      ],
      warnings: [],
      files: [],
    };
  }
  const loaded = await loadRules(path, { file: toPosix(inside) });
  if (!loaded.ok) return { problems: loaded.issues.map(formatRuleIssue), warnings: [], files: [] };
  const folder = posix.dirname(toPosix(inside));
  const policyFiles = Object.values(loaded.rules.inlinePolicyFiles ?? {}).map((file) =>
    posix.normalize(posix.join(folder, toPosix(normalize(file.path)))),
  );
  // Slack welcome and farewell templates live next to the rules too.
  const slack = loaded.rules.notifications.slack;
  const templates = [slack.welcome?.template, slack.farewell?.template]
    .filter((file): file is string => file !== undefined)
    .map((file) => posix.normalize(posix.join(folder, toPosix(normalize(file)))));
  return {
    problems: [],
    warnings: loaded.warnings.map(formatRuleIssue),
    files: [toPosix(inside), ...new Set([...policyFiles, ...templates])],
    revokeSessions: loaded.rules.leavers.revokeSessions,
  };
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}
