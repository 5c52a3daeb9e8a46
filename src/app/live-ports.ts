/**
 * The wiring of the ports both doors use: the CLI (from `--source` / `--target` / `--state` values) and
 * the Lambda (`buildLivePorts`). `google` and `aws` are the live systems; `file:PATH` is a snapshot on
 * disk (offline plans, the demo, tests). One place, so the function and `idc-sync apply` run the same
 * adapters with the same settings.
 */
import { basename, dirname, extname, join, resolve } from "node:path";
import type { ApiCallListeners } from "../adapters/api-calls.js";
import { FileDirectorySource } from "../adapters/file/file-directory-source.js";
import { FileIdentityCenter } from "../adapters/file/file-identity-center.js";
import type { GoogleCredentials } from "../adapters/google/index.js";
import { rateScaleFrom, scaleAwsRates } from "../adapters/rate-scale.js";
import { retryWindowFrom } from "../adapters/retry.js";
import type { SlackNotifierOptions } from "../adapters/slack/slack-notifier.js";
import { FileStateStore } from "../adapters/state/file-state-store.js";
import { type Rules, rulesPartition } from "../mapping/index.js";
import type {
  AccountDirectory,
  DirectorySource,
  IdentityCenter,
  Notifier,
  RevocationPolicies,
  StateStore,
} from "../sync/ports.js";
import type { SyncPorts } from "../sync/run-sync.js";

export type EndpointSpec = { kind: "live" } | { kind: "file"; path: string };

/** Parses `google`, `aws` or `file:PATH`; returns an error message for anything else. */
export function parseEndpointSpec(
  value: string,
  liveName: "google" | "aws",
  cwd: string,
): EndpointSpec | { error: string } {
  if (value === liveName) return { kind: "live" };
  if (value.startsWith("file:") && value.length > "file:".length) {
    return { kind: "file", path: resolve(cwd, value.slice("file:".length)) };
  }
  return { error: `expected '${liveName}' or 'file:PATH', got '${value}'` };
}

/** The directory: the live Google directory, or a snapshot file. */
export async function buildDirectorySource(
  spec: EndpointSpec,
  env: Record<string, string | undefined>,
  calls?: ApiCallListeners,
): Promise<DirectorySource> {
  if (spec.kind === "file") return new FileDirectorySource(spec.path);
  const { createGoogleDirectorySource, googleDirectoryDefaults } = await import(
    "../adapters/google/index.js"
  );
  const scale = rateScaleFrom(env);
  const retryWindowMs = retryWindowFrom(env);
  // IDC_SYNC_RATE_SCALE is for the benchmark only (see rate-scale.ts); unset, the defaults apply.
  return createGoogleDirectorySource(env, {
    ...(scale === 1 ? {} : { requestsPerSecond: googleDirectoryDefaults.requestsPerSecond * scale }),
    ...(retryWindowMs === undefined ? {} : { retryWindowMs }),
    ...calls?.google,
  });
}

/** The AWS accounts: AWS Organizations, or the organization section of a snapshot file. */
export async function buildAccountDirectory(
  spec: EndpointSpec,
  env: Record<string, string | undefined> = {},
  calls?: ApiCallListeners,
): Promise<AccountDirectory> {
  if (spec.kind === "file") return new FileDirectorySource(spec.path);
  const { createAwsAccountDirectory, defaultAwsLimits } = await import("../adapters/aws/index.js");
  const scale = rateScaleFrom(env);
  return createAwsAccountDirectory({
    ...(scale === 1 ? {} : { limits: scaleAwsRates(defaultAwsLimits, scale) }),
    ...awsRetry(env),
    ...calls?.aws,
  });
}

/**
 * Identity Center: the live one, or a state file. `readEveryPrincipal` makes the live one read every
 * group's members and every principal's assignments (a state file always has everything).
 */
export async function buildTarget(
  spec: EndpointSpec,
  rules: Rules,
  env: Record<string, string | undefined> = {},
  options: { readEveryPrincipal?: boolean; calls?: ApiCallListeners } = {},
): Promise<IdentityCenter> {
  if (spec.kind === "file") return FileIdentityCenter.open(spec.path);
  const { createAwsIdentityCenter, defaultAwsLimits } = await import("../adapters/aws/index.js");
  const scale = rateScaleFrom(env);
  return createAwsIdentityCenter({
    instanceArn: rules.identityCenter?.instanceArn,
    identityStoreId: rules.identityCenter?.identityStoreId,
    managedPolicyPartition: rulesPartition(rules.identityCenter),
    ...awsRetry(env),
    ...(options.readEveryPrincipal ? { readEveryPrincipal: true } : {}),
    ...options.calls?.aws,
    // IDC_SYNC_RATE_SCALE is for the benchmark only: simulated time runs F times faster, polls included.
    ...(scale === 1
      ? {}
      : { limits: scaleAwsRates(defaultAwsLimits, scale), pollIntervalMs: defaultPollIntervalMs / scale }),
  });
}

/**
 * AWS Organizations' service control policies for `leavers.revokeSessions: scp`, beside a live target.
 * None otherwise: a `file:` target has no Organizations, so such a plan says its denies are not written.
 */
export async function buildRevocationPolicies(
  target: EndpointSpec,
  rules: Rules,
  env: Record<string, string | undefined> = {},
  calls?: ApiCallListeners,
): Promise<{ revocation?: RevocationPolicies }> {
  if (rules.leavers.revokeSessions !== "scp" || target.kind === "file") return {};
  const { createAwsRevocationPolicies, defaultAwsLimits } = await import("../adapters/aws/index.js");
  const scale = rateScaleFrom(env);
  return {
    revocation: createAwsRevocationPolicies({
      ...(scale === 1 ? {} : { limits: scaleAwsRates(defaultAwsLimits, scale) }),
      ...awsRetry(env),
      ...calls?.aws,
    }),
  };
}

/** `IDC_SYNC_RETRY_WINDOW_SECONDS`, when set, as the AWS adapters' retry option. */
function awsRetry(env: Record<string, string | undefined>): { retry?: { windowMs: number } } {
  const windowMs = retryWindowFrom(env);
  return windowMs === undefined ? {} : { retry: { windowMs } };
}

/** AwsIdentityCenter's first status poll interval, scaled with the rates under IDC_SYNC_RATE_SCALE. */
const defaultPollIntervalMs = 1000;

type Env = Record<string, string | undefined>;

/** Reads the Google credentials (the Lambda's secret); the reader keeps its own cache. */
export type GoogleCredentialsReader = () => Promise<GoogleCredentials>;

/**
 * The live ports of the deployed function: Google with credentials from Secrets Manager, AWS
 * Organizations and AWS Identity Center. The secret is read only when it is needed: a local run against
 * the Google emulator (`IDC_SYNC_GOOGLE_ACCESS_TOKEN`) or with key variables set
 * (`GOOGLE_CREDENTIALS_JSON`, as the CLI reads them) needs no Secrets Manager. `calls` counts every
 * request the adapters send (the run's metrics).
 */
export async function buildLivePorts(
  rules: Rules,
  env: Env,
  googleCredentials: GoogleCredentialsReader | undefined,
  calls?: ApiCallListeners,
): Promise<SyncPorts> {
  const { createGoogleDirectorySource, googleEnvironment } = await import("../adapters/google/index.js");
  const useSecret = googleCredentials !== undefined && !env[googleEnvironment.accessToken]?.trim();
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

/** The variable holding the Slack incoming webhook URL for local runs. */
export const slackWebhookVariable = "SLACK_WEBHOOK_URL";

/**
 * Where the run state lives: `state` when given (a file or `dynamodb:TABLE`), else beside a file target
 * (`ic.json` → `ic.state.json`, since the state describes that Identity Center), else
 * `.idc-sync/state.json` next to the rules. The one place this default is computed.
 */
export function runStateLocation(state: string | undefined, rulesPath: string, target: EndpointSpec): string {
  if (state !== undefined) return state;
  if (target.kind === "file") {
    const extension = extname(target.path);
    return join(dirname(target.path), `${basename(target.path, extension)}.state.json`);
  }
  return join(dirname(rulesPath), ".idc-sync", "state.json");
}

/** A file path, or `dynamodb:TABLE`. */
export async function buildStateStore(location: string, cwd: string): Promise<StateStore> {
  if (location.startsWith("dynamodb:") && location.length > "dynamodb:".length) {
    const [{ DynamoDBClient }, { DynamoDbStateStore }, { guardedRequestHandler }] = await Promise.all([
      import("@aws-sdk/client-dynamodb"),
      import("../adapters/state/dynamodb-state-store.js"),
      import("../adapters/aws/client-config.js"),
    ]);
    return new DynamoDbStateStore({
      client: new DynamoDBClient({ requestHandler: guardedRequestHandler() }),
      tableName: location.slice("dynamodb:".length),
    });
  }
  return new FileStateStore(resolve(cwd, location));
}

/** The Slack notifier when `SLACK_WEBHOOK_URL` is set; `settings` are for tests (a sleep that does not wait). */
export async function buildNotifier(
  env: Record<string, string | undefined>,
  settings: Omit<SlackNotifierOptions, "webhookUrl"> = {},
): Promise<Notifier | undefined> {
  const url = env[slackWebhookVariable]?.trim();
  if (!url) return undefined;
  const { SlackNotifier } = await import("../adapters/slack/slack-notifier.js");
  return new SlackNotifier({ ...settings, webhookUrl: url });
}
