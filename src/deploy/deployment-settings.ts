/**
 * The deploy parameters of the `sync` function (serverless.yml `--param`s), checked when the service is
 * packaged: a mistake here is one clear line at `osls package`, not a function that fails at its first
 * scheduled run. Pure: the values in, every problem out (never only the first).
 */

/** The parameters as osls resolved them (strings, or numbers where YAML wrote numbers). */
export interface DeploymentSettings {
  /** The region the stack deploys to (`--region`). */
  region: string;
  rules: string;
  googleSecretArn: string;
  /** Keyless Google: all three instead of googleSecretArn. */
  googleWorkloadIdentityProvider?: string;
  googleServiceAccount?: string;
  googleAdminEmail?: string;
  slackWebhookSecretArn: string;
  /** Slack app mode: `{"botToken", "signingSecret"}`. */
  slackAppSecretArn?: string;
  schedule: string;
  scheduleEnabled: string | boolean;
  ssoInstanceId: string;
  identityStoreId: string;
  managementAccountId: string;
  organizationId: string;
  memorySize: string | number;
  retryWindowSeconds: string | number;
  manageManagementAccount: string | boolean;
  /** Grants the kill switch's SCP rights (`leavers.revokeSessions: scp`). */
  revokeSessionsWithScp?: string | boolean;
  /** Who the alarms notify: an e-mail address (a topic of the stack), or an existing topic. */
  alarmEmail?: string;
  alarmTopicArn?: string;
  /** Hours without a successful run before the silence alarm. */
  noSuccessAlarmHours?: string | number;
  /** The event path (deploy/serverless/events.yml): the schedule goes through the queue, watches open. */
  events?: string | boolean;
  /** The receiver's public HTTPS address when a custom domain fronts the function URL. */
  pushAddress?: string;
}

/** One problem with one parameter, said so a person can fix it without reading the template. */
export interface SettingProblem {
  parameter: string;
  message: string;
}

/** `--param NAME: message`, the form the package step prints. */
export function formatSettingProblem(problem: SettingProblem): string {
  return `--param ${problem.parameter}: ${problem.message}`;
}

/** Every problem with the settings, in the order of the parameters' table in the README. */
export function checkDeploymentSettings(settings: DeploymentSettings): SettingProblem[] {
  const problems: SettingProblem[] = [];
  const add = (parameter: string, message: string | undefined) => {
    if (message !== undefined) problems.push({ parameter, message });
  };
  const text = (value: unknown) => (value === undefined || value === null ? "" : String(value).trim());

  const keyless = {
    googleWorkloadIdentityProvider: text(settings.googleWorkloadIdentityProvider),
    googleServiceAccount: text(settings.googleServiceAccount),
    googleAdminEmail: text(settings.googleAdminEmail),
  };
  if (Object.values(keyless).some((value) => value !== "")) {
    if (text(settings.googleSecretArn) !== "")
      add(
        "googleSecretArn",
        "give either the secret or the keyless parameters (googleWorkloadIdentityProvider, ...), not both",
      );
    for (const [parameter, value] of Object.entries(keyless))
      add(parameter, requiredPattern(value, keylessShapes[parameter as keyof typeof keylessShapes]));
  } else {
    add(
      "googleSecretArn",
      text(settings.googleSecretArn) === ""
        ? "required: the full ARN of the Secrets Manager secret holding the Google service-account key and the admin to act as (README, Deploy, step 3), or keyless: googleWorkloadIdentityProvider, googleServiceAccount and googleAdminEmail"
        : secretArnProblem(text(settings.googleSecretArn), settings.region),
    );
  }
  add("ssoInstanceId", requiredPattern(text(settings.ssoInstanceId), identifierShapes.ssoInstanceId));
  add("identityStoreId", requiredPattern(text(settings.identityStoreId), identifierShapes.identityStoreId));
  add("managementAccountId", requiredPattern(text(settings.managementAccountId), identifierShapes.accountId));
  add("organizationId", requiredPattern(text(settings.organizationId), identifierShapes.organizationId));
  add("schedule", scheduleExpressionProblem(text(settings.schedule)));
  add("scheduleEnabled", booleanProblem(text(settings.scheduleEnabled)));
  add("memorySize", wholeNumberProblem(text(settings.memorySize), lambdaMemoryMb));
  add("retryWindowSeconds", wholeNumberProblem(text(settings.retryWindowSeconds), retryWindowSeconds));
  add("manageManagementAccount", booleanProblem(text(settings.manageManagementAccount)));
  if (settings.revokeSessionsWithScp !== undefined)
    add("revokeSessionsWithScp", booleanProblem(text(settings.revokeSessionsWithScp)));
  if (settings.events !== undefined) add("events", booleanProblem(text(settings.events)));
  const pushAddress = text(settings.pushAddress);
  if (pushAddress !== "" && !/^https:\/\/[a-z0-9.-]+(:\d+)?(\/\S*)?$/i.test(pushAddress)) {
    // Google: the address "must use HTTPS" with a valid certificate (push guides).
    add("pushAddress", `must be an https:// address (Google delivers only to HTTPS), got "${pushAddress}"`);
  }
  const slack = text(settings.slackWebhookSecretArn);
  if (slack !== "") add("slackWebhookSecretArn", secretArnProblem(slack, settings.region));
  const slackApp = text(settings.slackAppSecretArn ?? "");
  if (slackApp !== "") add("slackAppSecretArn", secretArnProblem(slackApp, settings.region));
  if (text(settings.rules) === "") add("rules", "required: the rules file, relative to serverless.yml");
  const alarmEmail = text(settings.alarmEmail);
  const alarmTopicArn = text(settings.alarmTopicArn);
  if (alarmEmail !== "" && alarmTopicArn !== "")
    add(
      "alarmTopicArn",
      "give either alarmEmail (a topic of the stack) or alarmTopicArn (your own topic), not both",
    );
  else if (alarmEmail !== "") add("alarmEmail", requiredPattern(alarmEmail, emailShape));
  else if (alarmTopicArn !== "") add("alarmTopicArn", topicArnProblem(alarmTopicArn, settings.region));
  if (settings.noSuccessAlarmHours !== undefined) {
    const hours = text(settings.noSuccessAlarmHours);
    add(
      "noSuccessAlarmHours",
      wholeNumberProblem(hours, silenceAlarmHours) ??
        silenceShorterThanScheduleProblem(Number(hours), text(settings.schedule)),
    );
  }
  return problems;
}

const emailShape: Shape = {
  pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
  example: "aws-alerts@example.com",
  where: "the address the alarm topic mails",
};

/**
 * The silence alarm counts hourly periods (Period 3600); PutMetricAlarm: "An alarm's total current evaluation
 * period can be no longer than seven days, so Period multiplied by EvaluationPeriods can't be more than
 * 604,800 seconds": at most 168 periods of an hour.
 */
const silenceAlarmHours = { min: 1, max: 168, unit: "hours" } as const;

/**
 * A silence alarm shorter than the schedule's interval would go off between two runs that both
 * succeeded. Known for rate(...) expressions; a cron expression's gaps are left to the person.
 */
function silenceShorterThanScheduleProblem(hours: number, schedule: string): string | undefined {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(schedule);
  if (!rate) return undefined;
  const minutes = Number(rate[1]) * { minute: 1, hour: 60, day: 1440 }[rate[2] as "minute" | "hour" | "day"];
  if (hours * 60 >= minutes) return undefined;
  return `${hours} hour${hours === 1 ? "" : "s"} is shorter than the schedule ${schedule}: the alarm would go off between two good runs; give at least ${Math.ceil(minutes / 60)}`;
}

/**
 * An SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME; topic names are "up to 256 characters" of letters,
 * digits, hyphens and underscores, FIFO topics ending in .fifo). The alarms are in the deploy region and
 * the PutMetricAlarm reference lists SNS actions as arn:aws:sns:region:account-id:sns-topic-name without
 * saying another region works: the stricter reading asks for a topic in the deploy region.
 */
function topicArnProblem(arn: string, region: string): string | undefined {
  const match =
    /^arn:(aws|aws-cn|aws-us-gov):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256}(\.fifo)?)$/.exec(arn);
  if (!match)
    return `'${arn}' is not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME; \`aws sns list-topics\`)`;
  if (region !== "" && match[2] !== region)
    return `'${arn}' is in ${match[2]}, but the alarms are in ${region}; give a topic in ${region}`;
  return undefined;
}

interface Shape {
  pattern: RegExp;
  /** What the value looks like, for the message. */
  example: string;
  /** Where a person finds it. */
  where: string;
}

/**
 * The identifiers' shapes, from the API references: SSO admin `InstanceArn` ("(sso)?ins-[a-zA-Z0-9-.]{16}"),
 * Identity Store `IdentityStoreId` ("d-[0-9a-f]{10}" or a UUID), Organizations `Organization.Id`
 * ("o-[a-z0-9]{10,32}") and 12-digit account ids.
 */
const identifierShapes = {
  ssoInstanceId: {
    pattern: /^(sso)?ins-[a-zA-Z0-9-.]{16}$/,
    example: "ssoins-0123456789abcdef",
    where: "`aws sso-admin list-instances`: the end of InstanceArn",
  },
  identityStoreId: {
    pattern: /^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/,
    example: "d-0123456789",
    where: "`aws sso-admin list-instances`: IdentityStoreId",
  },
  accountId: {
    pattern: /^\d{12}$/,
    example: "111111111111",
    where: "`aws organizations describe-organization`: MasterAccountId",
  },
  organizationId: {
    pattern: /^o-[a-z0-9]{10,32}$/,
    example: "o-a1b2c3d4e5",
    where: "`aws organizations describe-organization`: Id",
  },
} as const satisfies Record<string, Shape>;

/** Keyless Google: the provider's resource name, a service account's address, an admin's address. */
const keylessShapes = {
  googleWorkloadIdentityProvider: {
    pattern:
      /^projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32}\/providers\/[a-z0-9-]{4,32}$/,
    example: "projects/123456789012/locations/global/workloadIdentityPools/aws-pool/providers/idc-sync",
    where:
      "`gcloud iam workload-identity-pools providers describe PROVIDER --workload-identity-pool POOL --location global --format 'value(name)'`",
  },
  googleServiceAccount: {
    pattern: /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$/,
    example: "idc-sync@my-project.iam.gserviceaccount.com",
    where: "the service account with domain-wide delegation",
  },
  googleAdminEmail: {
    pattern: /^[^@\s]+@[^@\s]+\.[^@\s]+$/,
    example: "admin@example.com",
    where: "the admin the service account acts as",
  },
} as const satisfies Record<string, Shape>;

function requiredPattern(value: string, shape: Shape): string | undefined {
  if (value === "") return `required, e.g. ${shape.example} (${shape.where})`;
  if (!shape.pattern.test(value)) return `'${value}' is not of the form ${shape.example} (${shape.where})`;
  return undefined;
}

/** Lambda's memory setting: "between 128 MB and 10,240 MB" (Lambda quotas page), whole megabytes. */
const lambdaMemoryMb = { min: 128, max: 10_240, unit: "MB" } as const;
/** The same range as the command's IDC_SYNC_RETRY_WINDOW_SECONDS. */
const retryWindowSeconds = { min: 0, max: 3600, unit: "seconds" } as const;

function wholeNumberProblem(
  value: string,
  range: { min: number; max: number; unit: string },
): string | undefined {
  const number = Number(value);
  if (value === "" || !Number.isInteger(number) || number < range.min || number > range.max)
    return `'${value}' is not a whole number of ${range.unit} from ${range.min} to ${range.max}`;
  return undefined;
}

function booleanProblem(value: string): string | undefined {
  return value === "true" || value === "false" ? undefined : `'${value}' must be "true" or "false"`;
}

/**
 * A secret's full ARN. Secrets Manager "automatically adds a hyphen and six random characters after the
 * secret name at the end of the ARN" (CreateSecret, Name): the function's role allows exactly this ARN,
 * so a partial one (no suffix) would deny the read at the first run. The function reads secrets in its own
 * region, so the secret must live there.
 */
export function secretArnProblem(arn: string, region: string): string | undefined {
  const match =
    /^arn:(aws|aws-cn|aws-us-gov):secretsmanager:([a-z0-9-]+):(\d{12}):secret:([A-Za-z0-9/_+=.@-]+)$/.exec(
      arn,
    );
  if (!match) {
    return `'${arn}' is not a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-AbCdEf; \`aws secretsmanager describe-secret --secret-id NAME --query ARN\`)`;
  }
  const [, , secretRegion, , name] = match as unknown as [string, string, string, string, string];
  if (!/-[A-Za-z0-9]{6}$/.test(name)) {
    return `'${arn}' is a partial ARN: the full ARN ends with a hyphen and the six random characters Secrets Manager adds (…:secret:${name}-AbCdEf); the function may read exactly that ARN`;
  }
  if (region !== "" && secretRegion !== region) {
    return `'${arn}' is in ${secretRegion}, but the function deploys to ${region} and reads secrets in its own region; create the secret (or a replica) in ${region}`;
  }
  return undefined;
}

/**
 * An EventBridge schedule expression, as the EventBridge user guide defines them.
 * Rate expressions reference: "rate(value unit)", value "A positive number", unit "minute | minutes | hour
 * | hours | day | days", and "If the value is equal to 1, then the unit must be singular. If the value is
 * greater than 1, the unit must be plural."
 * Cron expressions: "six required fields, which are separated by white space" (Minutes, Hours,
 * Day-of-month, Month, Day-of-week, Year), and "You can't use * in both the Day-of-month and Day-of-week
 * fields. If you use it in one, you must use ? in the other."
 */
export function scheduleExpressionProblem(expression: string): string | undefined {
  if (expression === "")
    return "required: an EventBridge rate(...) or cron(...) expression, e.g. rate(15 minutes)";
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) return rateProblem(expression, rate[1]!);
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return cronProblem(expression, cron[1]!);
  return `'${expression}' is neither rate(VALUE UNIT) nor cron(6 FIELDS), e.g. rate(15 minutes) or cron(0 6 * * ? *)`;
}

function rateProblem(expression: string, body: string): string | undefined {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 2) return `'${expression}': a rate is rate(VALUE UNIT), e.g. rate(15 minutes)`;
  const [value, unit] = parts as [string, string];
  if (!/^[1-9]\d*$/.test(value)) return `'${expression}': the value must be a positive whole number`;
  if (!["minute", "minutes", "hour", "hours", "day", "days"].includes(unit))
    return `'${expression}': the unit must be minute(s), hour(s) or day(s)`;
  const plural = unit.endsWith("s");
  if (value === "1" && plural)
    return `'${expression}': with 1 the unit is singular: rate(1 ${unit.slice(0, -1)})`;
  if (value !== "1" && !plural)
    return `'${expression}': with ${value} the unit is plural: rate(${value} ${unit}s)`;
  return undefined;
}

const months = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC";
const weekdays = "SUN|MON|TUE|WED|THU|FRI|SAT";

/** Each cron field's values and wildcards, from the table of the cron expressions reference. */
const cronFields = [
  { name: "minutes", min: 0, max: 59, names: "", extra: "" },
  { name: "hours", min: 0, max: 23, names: "", extra: "" },
  { name: "day-of-month", min: 1, max: 31, names: "", extra: "?LW" },
  { name: "month", min: 1, max: 12, names: months, extra: "" },
  { name: "day-of-week", min: 1, max: 7, names: weekdays, extra: "?L#" },
  { name: "year", min: 1970, max: 2199, names: "", extra: "" },
] as const;

function cronProblem(expression: string, body: string): string | undefined {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return `'${expression}' has ${fields.length} field${fields.length === 1 ? "" : "s"}; EventBridge cron takes six: minutes hours day-of-month month day-of-week year, e.g. cron(0 6 * * ? *)`;
  }
  for (const [index, field] of fields.entries()) {
    const spec = cronFields[index]!;
    if (!cronFieldFits(field, spec))
      return `'${expression}': '${field}' is not a valid ${spec.name} field (${spec.min}-${spec.max}${spec.names ? ` or ${spec.names.split("|")[0]}-${spec.names.split("|").at(-1)}` : ""})`;
  }
  const [, , dayOfMonth, , dayOfWeek] = fields as [string, string, string, string, string, string];
  if ((dayOfMonth === "?") === (dayOfWeek === "?")) {
    return `'${expression}': exactly one of day-of-month and day-of-week must be ?, e.g. cron(0 6 * * ? *) or cron(0 6 ? * MON-FRI *)`;
  }
  return undefined;
}

function cronFieldFits(
  field: string,
  spec: { min: number; max: number; names: string; extra: string },
): boolean {
  if (field === "*" || (field === "?" && spec.extra.includes("?"))) return true;
  const value = spec.names ? `(\\d+|${spec.names})` : "(\\d+)";
  const single = new RegExp(`^${value}$`, "i");
  const inRange = (token: string) => {
    if (!single.test(token)) return false;
    if (/^\d+$/.test(token)) return Number(token) >= spec.min && Number(token) <= spec.max;
    return true;
  };
  return field.split(",").every((part) => {
    // L: the last day (of the month, or of the week); LW: the last weekday of the month; 15W: the weekday
    // nearest the 15th; 6L: the last Friday; 2#1: the first Monday.
    if (spec.extra.includes("L") && (part === "L" || (spec.extra.includes("W") && part === "LW")))
      return true;
    if (spec.extra.includes("W") && /^\d+W$/.test(part)) return inRange(part.slice(0, -1));
    if (spec.extra.includes("#") && /^.+L$/.test(part)) return inRange(part.slice(0, -1));
    if (spec.extra.includes("#") && /^.+#[1-5]$/.test(part)) return inRange(part.split("#")[0]!);
    const [range, step] = part.split("/");
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return false;
    if (range === "*" && step !== undefined) return true;
    const bounds = range!.split("-");
    return bounds.length <= 2 && bounds.every(inRange);
  });
}
