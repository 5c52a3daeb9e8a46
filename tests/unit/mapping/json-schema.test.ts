import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { rulesJsonSchema, rulesSchema } from "../../../src/mapping/index.js";

const repoRoot = join(import.meta.dirname, "../../..");
const schemaFile = join(repoRoot, "schema/rules.schema.json");

/** The JSON Schema as an editor's validator (ajv, draft 2020-12) applies it. */
const editorAccepts = (() => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(rulesJsonSchema());
  return (rules: unknown) => validate(rules) === true;
})();
const commandAccepts = (rules: unknown) => rulesSchema.safeParse(rules).success;

const withPermissionSet = (set: Record<string, unknown>) => ({
  version: 1,
  google: { domains: ["example.com"] },
  permissionSets: [{ name: "Dev", ...set }],
});

describe("the JSON Schema for editors", () => {
  it("is checked in up to date (run `npm run schema` when this fails)", () => {
    const checkedIn = JSON.parse(readFileSync(schemaFile, "utf8"));

    expect(checkedIn).toEqual(JSON.parse(JSON.stringify(rulesJsonSchema())));
  });

  it("leaves defaulted keys optional and forbids unknown keys", () => {
    const schema = rulesJsonSchema() as { required: string[]; additionalProperties: boolean };

    expect(schema.required.sort()).toEqual(["google", "version"]);
    expect(schema.additionalProperties).toBe(false);
  });

  it("has an $id that resolves, from where the file sits in the repository, to the file itself", () => {
    const schema = rulesJsonSchema() as { $id: string };
    const resolved = new URL(schema.$id, pathToFileURL(schemaFile));

    expect(fileURLToPath(resolved)).toBe(schemaFile);
    expect(existsSync(resolved)).toBe(true);
    // And the example rules file's modeline points at the same file.
    const modeline = /\$schema=(\S+)/.exec(readFileSync(join(repoRoot, "examples/rules.yaml"), "utf8"))?.[1];
    expect(fileURLToPath(new URL(modeline ?? "", pathToFileURL(join(repoRoot, "examples/rules.yaml"))))).toBe(
      schemaFile,
    );
  });

  it("gives every property a description and an example, for hover help", () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (node === null || typeof node !== "object") return;
      if (Array.isArray(node)) {
        node.forEach((item, index) => {
          walk(item, `${path}[${index}]`);
        });
        return;
      }
      const record = node as Record<string, unknown>;
      if (record.type === "object" && record.properties) {
        for (const [key, property] of Object.entries(
          record.properties as Record<string, Record<string, unknown>>,
        )) {
          if (typeof property.description !== "string" || !Array.isArray(property.examples))
            undocumented.push(`${path}.${key}`);
        }
      }
      for (const [key, value] of Object.entries(record)) walk(value, `${path}/${key}`);
    };
    walk(rulesJsonSchema(), "");

    expect(undocumented).toEqual([]);
  });

  it("has examples the command itself accepts, each at its own property", () => {
    const refused: string[] = [];
    const visit = (schema: z.core.$ZodType, path: string): void => {
      const meta = z.globalRegistry.get(schema as never) as { examples?: unknown[] } | undefined;
      for (const example of meta?.examples ?? []) {
        if (!(schema as z.ZodType).safeParse(example).success)
          refused.push(`${path}: ${JSON.stringify(example)}`);
      }
      const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
      const next =
        def.type === "optional" ||
        def.type === "default" ||
        def.type === "prefault" ||
        def.type === "nullable"
          ? { schema: def.innerType, path }
          : def.type === "pipe"
            ? { schema: def.in, path }
            : def.type === "array"
              ? { schema: def.element, path: `${path}[]` }
              : def.type === "record"
                ? { schema: def.valueType, path: `${path}{}` }
                : undefined;
      if (next) {
        visit(next.schema as z.core.$ZodType, next.path);
        return;
      }
      switch (def.type) {
        case "union":
          for (const option of def.options as z.core.$ZodType[]) visit(option, path);
          return;
        case "object":
          for (const [key, value] of Object.entries(def.shape as Record<string, z.core.$ZodType>))
            visit(value, `${path}.${key}`);
          return;
        default:
          return;
      }
    };
    visit(rulesSchema, "");

    expect(refused).toEqual([]);
  });

  it("accepts the example rules and refuses what the command refuses", () => {
    const example = parseYaml(readFileSync(join(repoRoot, "examples/rules.yaml"), "utf8"));

    expect(editorAccepts(example)).toBe(true);
    expect(editorAccepts(withPermissionSet({ sessionDuration: "PT24H" }))).toBe(false);
    expect(editorAccepts(withPermissionSet({ tags: { "managed-by": "me" } }))).toBe(false);
    expect(
      editorAccepts(
        withPermissionSet({ tags: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"])) }),
      ),
    ).toBe(false);
    expect(
      editorAccepts(withPermissionSet({ managedPolicies: ["arn:aws:iam::123456789012:policy/Mine"] })),
    ).toBe(false);
    expect(
      editorAccepts({
        ...withPermissionSet({}),
        assignments: [{ permissionSets: ["Dev"], accounts: ["all"] }],
      }),
    ).toBe(false);
    expect(editorAccepts({ ...withPermissionSet({}), accounts: { none: { tag: {} } } })).toBe(false);
  });

  it("accepts exactly the session durations the command accepts, in every spelling", () => {
    const spellings = new Set<string>();
    const numbers = (top: number) => [
      ...Array.from({ length: top + 1 }, (_, n) => String(n)),
      "00",
      "01",
      "012",
      "0060",
    ];
    for (const hours of [undefined, ...numbers(14)])
      for (const minutes of [
        undefined,
        ...numbers(30),
        "59",
        "60",
        "61",
        "90",
        "119",
        "120",
        "600",
        "659",
        "660",
        "661",
        "720",
        "721",
        "800",
      ])
        spellings.add(
          `PT${hours === undefined ? "" : `${hours}H`}${minutes === undefined ? "" : `${minutes}M`}`,
        );
    const disagreements = [...spellings].filter(
      (duration) =>
        editorAccepts(withPermissionSet({ sessionDuration: duration })) !==
        commandAccepts(withPermissionSet({ sessionDuration: duration })),
    );

    expect(spellings.size).toBeGreaterThan(900);
    expect(disagreements).toEqual([]);
  });

  it("accepts exactly the display name templates the command accepts", () => {
    const pieces = [
      "{givenName}",
      "{familyName}",
      "{email}",
      "{",
      "}",
      "{x}",
      "{}",
      "a",
      " ",
      "{given",
      "Name}",
    ];
    const templates: string[] = [];
    for (const a of pieces) for (const b of pieces) for (const c of pieces) templates.push(`${a}${b}${c}`);
    const rules = (displayName: string) => ({
      version: 1,
      google: { domains: ["example.com"] },
      users: { attributes: { displayName } },
    });
    const disagreements = templates.filter(
      (template) => editorAccepts(rules(template)) !== commandAccepts(rules(template)),
    );

    expect(disagreements).toEqual([]);
  });
});
