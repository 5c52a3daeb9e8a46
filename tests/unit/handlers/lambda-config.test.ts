import { describe, expect, it } from "vitest";
import { handlerConfigFromEnv } from "../../../src/handlers/lambda-config.js";

describe("the function's configuration", () => {
  it("finds the rules inside the function's root, the example rules by default", () => {
    const config = handlerConfigFromEnv({ LAMBDA_TASK_ROOT: "/var/task" });

    expect(config).toEqual({ rulesPath: "/var/task/examples/rules.yaml", deadlineMarginMs: 120_000 });
  });

  it("takes RULES_PATH, the secret ARN and the deadline margin from the environment", () => {
    const config = handlerConfigFromEnv({
      LAMBDA_TASK_ROOT: "/var/task",
      RULES_PATH: "rules/prod.yaml",
      GOOGLE_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:idc-sync/google-AbCdEf",
      DEADLINE_MARGIN_SECONDS: "45",
    });

    expect(config).toEqual({
      rulesPath: "/var/task/rules/prod.yaml",
      googleSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:idc-sync/google-AbCdEf",
      deadlineMarginMs: 45_000,
    });
  });

  it("keeps an absolute RULES_PATH and falls back to the default margin for a malformed one", () => {
    const config = handlerConfigFromEnv({ RULES_PATH: "/opt/rules.yaml", DEADLINE_MARGIN_SECONDS: "soon" });

    expect(config).toMatchObject({ rulesPath: "/opt/rules.yaml", deadlineMarginMs: 120_000 });
  });
});
