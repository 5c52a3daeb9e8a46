import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rulesJsonSchema } from "../../../src/mapping/index.js";

describe("the JSON Schema for editors", () => {
  it("is checked in up to date (run `npm run schema` when this fails)", () => {
    const checkedIn = JSON.parse(
      readFileSync(join(import.meta.dirname, "../../../schema/rules.schema.json"), "utf8"),
    );

    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(rulesJsonSchema())));
  });

  it("leaves defaulted keys optional and forbids unknown keys", () => {
    const schema = rulesJsonSchema() as { required: string[]; additionalProperties: boolean };

    expect(schema.required.sort()).toEqual(["google", "version"]);
    expect(schema.additionalProperties).toBe(false);
  });
});
