/**
 * The configuration of the deployed function, from the environment serverless.yml sets. The ports
 * themselves are wired in `src/app/live-ports.ts`, the same wiring the CLI uses.
 */
import { resolve } from "node:path";

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

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
