/**
 * A click on Approve or Reject under a stopped plan (Slack `block_actions`), as the interaction endpoint
 * receives it: verify Slack's signature, check the approver, check that the click is about the plan
 * still waiting, record the decision in the run state and the history, and say so in Slack.
 *
 * Nothing is applied here: the next run applies the approved removals, and only if its plan still has
 * the approved digest (`approval-state.ts`). Every refusal is a clear ephemeral reply to the person who
 * clicked and a log line; a request whose signature does not verify gets no reply in Slack at all (its
 * response_url cannot be trusted) and a 401.
 */
import { verifySlackSignature } from "../adapters/slack/request-signature.js";
import { approvalActions } from "../notify/slack-app-message.js";
import { StateConflictError } from "../sync/errors.js";
import type { Clock, StateStore } from "../sync/ports.js";
import type { ApprovalDecision, RunRecord, RunState } from "../sync/run-state.js";

export interface InteractionRequest {
  /** Header names in any case. */
  headers: Record<string, string | undefined>;
  /** The raw body (a Lambda function URL may hand it base64-encoded: decode first). */
  body: string;
}

export interface InteractionResponse {
  statusCode: number;
  body: string;
}

/** What the endpoint talks to; built from the deployment by the handler, from emulators by tests. */
export interface ApprovalDependencies {
  signingSecret: () => Promise<string>;
  stateStore: StateStore;
  clock: Clock;
  /** `notifications.slack.approvers` of the rules: user ids (U…, W…) and user group ids (S…). */
  approvers: readonly string[];
  /** The members of a Slack user group (usergroups.users.list). */
  usergroupMembers: (usergroupId: string) => Promise<string[]>;
  /** Posts a reply to a response_url (ephemeral to the clicker). */
  respond: (responseUrl: string, message: { text: string; response_type: "ephemeral" }) => Promise<void>;
  /** Posts a visible line in the approval message's thread. */
  postInThread: (channel: string, threadTs: string, text: string) => Promise<void>;
  log: (level: "info" | "warn", message: string, data?: Record<string, unknown>) => void;
}

interface BlockActionsPayload {
  type?: string;
  user?: { id?: string; username?: string; name?: string };
  channel?: { id?: string };
  container?: { message_ts?: string; channel_id?: string };
  message?: { ts?: string; thread_ts?: string };
  response_url?: string;
  actions?: { action_id?: string; value?: string }[];
}

/** Conditional saves that lost to a concurrent writer are tried again this many times. */
const saveAttempts = 3;

export async function handleSlackInteraction(
  request: InteractionRequest,
  deps: ApprovalDependencies,
): Promise<InteractionResponse> {
  const header = (name: string) =>
    Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const nowSeconds = deps.clock.now().getTime() / 1000;
  const verdict = verifySlackSignature(
    {
      timestamp: header("x-slack-request-timestamp"),
      signature: header("x-slack-signature"),
      rawBody: request.body,
    },
    await deps.signingSecret(),
    nowSeconds,
  );
  if (!verdict.ok) {
    deps.log("warn", "refused a Slack interaction: its signature does not verify", {
      reason: verdict.reason,
    });
    return { statusCode: 401, body: `refused: ${verdict.reason}` };
  }

  const payload = parsePayload(request.body);
  const action = payload?.actions?.[0];
  const isOurs =
    action?.action_id === approvalActions.approve || action?.action_id === approvalActions.reject;
  if (payload?.type !== "block_actions" || !isOurs || !action?.value || !payload.user?.id) {
    deps.log("warn", "refused a Slack interaction idc-sync does not handle", { type: payload?.type });
    return { statusCode: 400, body: "refused: not an idc-sync approval" };
  }
  const userId = payload.user.id;
  const userName = payload.user.username ?? payload.user.name ?? userId;
  const digest = action.value;
  const verdictName: ApprovalDecision["verdict"] =
    action.action_id === approvalActions.approve ? "approved" : "rejected";
  const reply = async (text: string) => {
    if (payload.response_url) {
      await deps
        .respond(payload.response_url, { text, response_type: "ephemeral" })
        .catch((error: unknown) =>
          deps.log("warn", "could not reply in Slack", { error: (error as Error).message }),
        );
    }
    return { statusCode: 200, body: "" };
  };

  if (!(await isAllowed(userId, deps))) {
    deps.log("warn", "refused an approval: the user is not an approver", { user: userId, digest });
    return reply(
      `You are not allowed to approve or reject idc-sync plans (${userId} is not in notifications.slack.approvers). Nothing was changed.`,
    );
  }

  const at = deps.clock.now().toISOString();
  for (let attempt = 1; ; attempt += 1) {
    const stored = await deps.stateStore.load();
    const state = stored.state;
    const requested = state?.approval?.requested;
    if (!state || !requested || requested.digest !== digest) {
      deps.log("warn", "refused an approval of a plan that is no longer waiting", {
        user: userId,
        digest,
        waiting: requested?.digest,
      });
      return reply(
        requested
          ? `This plan (${digest}) is no longer the one waiting: a later run stopped a different plan (${requested.digest}). Use the buttons on that alert. Nothing was changed.`
          : `This plan (${digest}) is no longer waiting for approval (a later run applied or no longer stopped it). Nothing was changed.`,
      );
    }
    const earlier = state.approval?.decision;
    if (earlier && earlier.digest === digest) {
      deps.log("info", "ignored a second decision on the same plan", { user: userId, digest, earlier });
      return reply(
        `This plan was already ${earlier.verdict} by <@${earlier.by}> at ${earlier.at}. Nothing was changed.`,
      );
    }
    const decision: ApprovalDecision = { digest, verdict: verdictName, by: userId, byName: userName, at };
    const next: RunState = { ...state, approval: { requested, decision } };
    try {
      await deps.stateStore.save(next, stored.revision);
    } catch (error) {
      if (error instanceof StateConflictError && attempt < saveAttempts) continue;
      throw error;
    }
    await recordDecision(deps, decision, requested.removals);
    deps.log("info", `plan ${verdictName} in Slack`, { user: userId, name: userName, digest });
    const thread = payload.container?.message_ts ?? payload.message?.ts;
    const channel = payload.container?.channel_id ?? payload.channel?.id;
    const said =
      verdictName === "approved"
        ? `:white_check_mark: <@${userId}> approved these ${requested.removals} removals (plan ${digest}). The next run applies them if its plan is still the same; otherwise it asks again.`
        : `:no_entry: <@${userId}> rejected these ${requested.removals} removals (plan ${digest}). Nothing is removed.`;
    if (channel && thread) {
      await deps
        .postInThread(channel, thread, said)
        .catch((error: unknown) =>
          deps.log("warn", "could not post the decision in the thread", { error: (error as Error).message }),
        );
    }
    return reply(said);
  }
}

async function isAllowed(userId: string, deps: ApprovalDependencies): Promise<boolean> {
  if (deps.approvers.includes(userId)) return true;
  for (const group of deps.approvers.filter((id) => id.startsWith("S"))) {
    try {
      if ((await deps.usergroupMembers(group)).includes(userId)) return true;
    } catch (error) {
      // A group that cannot be read allows nobody; the log says why.
      deps.log("warn", "could not read a Slack user group of approvers", {
        usergroup: group,
        error: (error as Error).message,
      });
    }
  }
  return false;
}

/** Every decision is in `idc-sync history`, as a record of its own. */
async function recordDecision(deps: ApprovalDependencies, decision: ApprovalDecision, removals: number) {
  const record: RunRecord = {
    runId: `slack-${decision.verdict}-${decision.at}`,
    startedAt: decision.at,
    finishedAt: decision.at,
    trigger: "slack",
    mode: "enforce",
    status: decision.verdict,
    message: `${removals} removals of plan ${decision.digest} ${decision.verdict} in Slack by ${decision.byName ?? decision.by} (${decision.by})`,
  };
  try {
    await deps.stateStore.recordRun(record);
  } catch (error) {
    deps.log("warn", "the decision was not recorded in the history", { error: (error as Error).message });
  }
}

function parsePayload(body: string): BlockActionsPayload | undefined {
  try {
    const raw = new URLSearchParams(body).get("payload");
    if (!raw) return undefined;
    const parsed: unknown = JSON.parse(raw);
    return parsed !== null && typeof parsed === "object" ? (parsed as BlockActionsPayload) : undefined;
  } catch {
    return undefined;
  }
}
