/**
 * The ports of the deployed function: Google with credentials from Secrets Manager, AWS Organizations and
 * AWS Identity Center. The AWS side is built by the CLI's own wiring, so the function and `idc-sync apply`
 * run the same adapters with the same settings.
 */
import { resolve } from "node:path";
import type { ApiCallListeners } from "../adapters/api-calls.js";
import { createGoogleDirectorySource, googleEnvironment } from "../adapters/google/index.js";
import { retryWindowFrom } from "../adapters/retry.js";
import { buildAccountDirectory, buildRevocationPolicies, buildTarget } from "../cli/wiring.js";
import type { Rules } from "../mapping/index.js";
import type { SyncPorts } from "../sync/run-sync.js";
import type { GoogleCredentialsReader } from "./google-secret.js";

type Env = Record<string, string | undefined>;

/** The environment variables the function reads (serverless.yml sets them). */
export const handlerEnvironment = {
  /** The rules file, relative to the function's root (`LAMBDA_TASK_ROOT`) unless absolute. */
  rulesPath: "RULES_PATH",
  /** ARN of the secret holding `{"serviceAccountKey": {...}, "adminEmail": "..."}`. */
  googleSecretArn: "GOOGLE_SECRET_ARN",
  /** No change starts when fewer seconds than this are left before the timeout. */
  deadlineMarginSeconds: "DEADLINE_MARGIN_SECONDS",
  /** The DynamoDB table of the run state and history; without it no drift is tracked and nothing alerts. */
  stateTableName: "STATE_TABLE_NAME",
  /** ARN of the secret holding the Slack incoming webhook URL (optional). */
  slackWebhookSecretArn: "SLACK_WEBHOOK_SECRET_ARN",
  /** The webhook URL itself, for local runs (the secret wins when both are set). */
  slackWebhookUrl: "SLACK_WEBHOOK_URL",
} as const;

export const defaultRulesPath = "examples/rules.yaml";
export const defaultDeadlineMarginSeconds = 120;

export interface HandlerConfig {
  rulesPath: string;
  googleSecretArn?: string;
  deadlineMarginMs: number;
  stateTableName?: string;
  slackWebhookSecretArn?: string;
  slackWebhookUrl?: string;
  /** For the CloudWatch link in alerts. */
  region?: string;
}

/** Reads the function's configuration; a malformed value falls back to the default rather than crash a run. */
export function handlerConfigFromEnv(env: Env): HandlerConfig {
  const root = nonEmpty(env.LAMBDA_TASK_ROOT) ?? process.cwd();
  const margin = Number(env[handlerEnvironment.deadlineMarginSeconds]);
  const secret = nonEmpty(env[handlerEnvironment.googleSecretArn]);
  const optional = (key: keyof HandlerConfig, value: string | undefined) =>
    nonEmpty(value) ? { [key]: nonEmpty(value) } : {};
  return {
    rulesPath: resolve(root, nonEmpty(env[handlerEnvironment.rulesPath]) ?? defaultRulesPath),
    ...(secret ? { googleSecretArn: secret } : {}),
    ...optional("stateTableName", env[handlerEnvironment.stateTableName]),
    ...optional("slackWebhookSecretArn", env[handlerEnvironment.slackWebhookSecretArn]),
    ...optional("slackWebhookUrl", env[handlerEnvironment.slackWebhookUrl]),
    ...optional("region", env.AWS_REGION),
    deadlineMarginMs: (Number.isFinite(margin) && margin >= 0 ? margin : defaultDeadlineMarginSeconds) * 1000,
  };
}

/**
 * Builds the live ports. The secret is read only when it is needed: a local run against the Google
 * emulator (`IDC_SYNC_GOOGLE_ACCESS_TOKEN`) or with key variables set (`GOOGLE_CREDENTIALS_JSON`, as the
 * CLI reads them) needs no Secrets Manager. `calls` counts every request the adapters send (the run's metrics).
 */
export async function buildLivePorts(
  rules: Rules,
  env: Env,
  googleCredentials: GoogleCredentialsReader | undefined,
  calls?: ApiCallListeners,
): Promise<SyncPorts> {
  const useSecret = googleCredentials !== undefined && !nonEmpty(env[googleEnvironment.accessToken]);
  const retryWindowMs = retryWindowFrom(env);
  const retry = { ...(retryWindowMs === undefined ? {} : { retryWindowMs }), ...calls?.google };
  const directory = useSecret
    ? createGoogleDirectorySource(env, { credentials: await googleCredentials(), ...retry })
    : createGoogleDirectorySource(env, retry);
  const [accounts, identityCenter, revocation] = await Promise.all([
    buildAccountDirectory({ kind: "live" }, env, calls),
    buildTarget({ kind: "live" }, rules, env, calls ? { calls } : {}),
    buildRevocationPolicies({ kind: "live" }, rules, env, calls),
  ]);
  return { directory, accounts, identityCenter, ...revocation };
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
