/**
 * Welcome and farewell messages after an apply (Slack app mode). A person whose Identity Center user this
 * run created gets a direct message: users.lookupByEmail finds them in Slack, conversations.open opens the
 * DM, chat.postMessage sends the rendered template. A leaver whose user this run deleted is announced in
 * the farewell channel. Runs only after changes were applied: never in plan or report mode. Someone not in
 * Slack, or a message Slack refuses, is a warning, never a failed run.
 */
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import type { SlackWebApi } from "../adapters/slack/slack-web-api.js";
import { describeSlackError } from "../adapters/slack/slack-web-api.js";
import type { Rules } from "../mapping/index.js";
import {
  defaultFarewellTemplate,
  defaultWelcomeTemplate,
  renderTemplate,
  templateProblem,
  welcomeView,
} from "../notify/welcome-message.js";
import { ConfigurationError } from "../sync/errors.js";
import type { JoinerAccess } from "../sync/joiner-access.js";
import { type ApplyReport, type Change, OutcomeStatus, type Plan, PrincipalType } from "../sync/model.js";
import { describeChange } from "../sync/render.js";
import { userKey } from "../sync/scope.js";

export interface AppliedRun {
  plan: Plan;
  report: ApplyReport;
  joiners?: Record<string, JoinerAccess>;
}

export interface GreetingSettings {
  welcome?: { template: string; portalUrl: string; emailOtp: boolean };
  farewell?: { template: string; channel: string };
}

/** The templates as the rules name them, read next to the rules file (or idc-sync's own). */
export async function greetingSettingsFromRules(
  rules: Pick<Rules, "notifications">,
  rulesPath: string,
): Promise<GreetingSettings> {
  const slack = rules.notifications.slack;
  const read = async (path: string | undefined, fallback: string, setting: string) => {
    if (!path) return fallback;
    const file = resolve(dirname(rulesPath), path);
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      throw new ConfigurationError(`${setting}: cannot read ${file}: ${(error as Error).message}`);
    }
    const problem = templateProblem(text);
    if (problem) throw new ConfigurationError(`${setting}: ${file} is not a valid template: ${problem}`);
    return text;
  };
  return {
    ...(slack.welcome
      ? {
          welcome: {
            template: await read(
              slack.welcome.template,
              defaultWelcomeTemplate,
              "notifications.slack.welcome.template",
            ),
            portalUrl: slack.welcome.portalUrl,
            emailOtp: slack.welcome.emailOtp,
          },
        }
      : {}),
    ...(slack.farewell
      ? {
          farewell: {
            template: await read(
              slack.farewell.template,
              defaultFarewellTemplate,
              "notifications.slack.farewell.template",
            ),
            channel: slack.farewell.channel,
          },
        }
      : {}),
  };
}

/** Sends the welcome and farewell messages of one applied run; answers the warnings. */
export async function sendGreetings(
  run: AppliedRun,
  settings: GreetingSettings,
  api: SlackWebApi,
): Promise<string[]> {
  const applied = new Set(
    run.report.outcomes
      .filter((outcome) => outcome.status === OutcomeStatus.applied)
      .map((outcome) => outcome.key),
  );
  const warnings: string[] = [];
  const { welcome, farewell } = settings;
  if (welcome) {
    for (const change of run.plan.changes) {
      if (change.kind !== "createUser" || !applied.has(change.key)) continue;
      const joiner = run.joiners?.[userKey(change.user.userName)];
      if (!joiner) continue;
      try {
        const found = await api.call("users.lookupByEmail", { email: joiner.email });
        const userId = String((found.user as { id?: string } | undefined)?.id ?? "");
        const opened = await api.call("conversations.open", { users: userId });
        const channel = String((opened.channel as { id?: string } | undefined)?.id ?? "");
        const text = renderTemplate(
          welcome.template,
          welcomeView(joiner, {
            ...welcome,
            ...(run.plan.accountNames ? { accountNames: run.plan.accountNames } : {}),
          }),
        );
        await api.call("chat.postMessage", { channel, text, unfurl_links: false });
      } catch (error) {
        warnings.push(`no welcome message for ${joiner.email}: ${describeSlackError(error)}`);
      }
    }
  }
  if (farewell) {
    for (const change of run.plan.changes) {
      if (change.kind !== "deleteUser" || !applied.has(change.key)) continue;
      const leaver = userKey(change.userName);
      const removed = run.plan.changes
        .filter((other) => applied.has(other.key) && belongsTo(other, leaver))
        .map((other) => describeChange(other, run.plan.accountNames).replace(/^- /, ""));
      const text = renderTemplate(farewell.template, {
        userName: change.userName,
        removed,
        reason: change.reason,
      });
      try {
        await api.call("chat.postMessage", { channel: farewell.channel, text, unfurl_links: false });
      } catch (error) {
        warnings.push(`no farewell notice for ${change.userName}: ${describeSlackError(error)}`);
      }
    }
  }
  return warnings;
}

/** A removal of the leaver's own: a membership or a direct assignment (the user itself included). */
function belongsTo(change: Change, leaver: string): boolean {
  if (change.kind === "removeMember") return userKey(change.userName) === leaver;
  if (change.kind === "deleteAssignment")
    return (
      change.assignment.principalType === PrincipalType.user &&
      userKey(change.assignment.principalName) === leaver
    );
  return change.kind === "deleteUser" && userKey(change.userName) === leaver;
}
