/**
 * What the approval endpoint needs from Slack: the members of a user group (usergroups.users.list), a
 * reply to an interaction's response_url, and a line in a thread (chat.postMessage). Translation only.
 */
import type { ApprovalDependencies } from "../../app/slack-approval.js";
import { fetchWithDeadline } from "../http-deadline.js";
import type { SlackWebApi } from "./slack-web-api.js";

/**
 * Slack's response URLs are on hooks.slack.com ("response_url ... https://hooks.slack.com/actions/...",
 * docs.slack.dev/interactivity/handling-user-interaction). Only those are posted to: a payload is
 * trusted only once its signature verifies, and even then idc-sync posts nowhere else.
 */
export function isSlackResponseUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" && parsed.hostname === "hooks.slack.com";
  } catch {
    return false;
  }
}

export function slackApprovalPorts(
  api: SlackWebApi,
  options: { allowResponseUrl?: (url: string) => boolean; timeoutMs?: number } = {},
): Pick<ApprovalDependencies, "usergroupMembers" | "respond" | "postInThread"> {
  const allowed = options.allowResponseUrl ?? isSlackResponseUrl;
  const post = fetchWithDeadline(options.timeoutMs ?? 5_000);
  return {
    usergroupMembers: async (usergroup) => {
      const answer = await api.call("usergroups.users.list", { usergroup });
      return Array.isArray(answer.users) ? answer.users.map(String) : [];
    },
    respond: async (responseUrl, message) => {
      if (!allowed(responseUrl)) throw new Error(`not a Slack response URL: ${responseUrl}`);
      const response = await post(responseUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...message, replace_original: false }),
      });
      if (!response.ok) throw new Error(`Slack answered ${response.status} to the reply`);
    },
    postInThread: async (channel, threadTs, text) => {
      await api.call("chat.postMessage", { channel, thread_ts: threadTs, text });
    },
  };
}
