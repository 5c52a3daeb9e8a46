import { z } from "zod";
import { rulesSchema } from "./schema.js";

/**
 * The JSON Schema of the rules file as people write it (defaults optional), for editors: descriptions,
 * examples and the checks a plain JSON Schema can express all come from the zod schema's `.meta()`, so
 * the two never disagree. `schema/rules.schema.json` is its checked-in copy (`npm run schema`).
 */
export function rulesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(rulesSchema, {
    io: "input",
    unrepresentable: "any",
    // zod leaves out examples of a schema that transforms its input (they might be outputs); ours are
    // written as input, so they go in.
    override: (context) => {
      const meta = z.globalRegistry.get(context.zodSchema as never) as { examples?: unknown[] } | undefined;
      if (meta?.examples !== undefined && context.jsonSchema.examples === undefined)
        context.jsonSchema.examples = meta.examples;
    },
  }) as Record<string, unknown>;
  return {
    ...schema,
    // Relative, so it resolves against wherever the file is read from: in this repository, to itself
    // (schema/rules.schema.json), which is also where the example rules' `$schema` points.
    $id: "rules.schema.json",
    title: "idc-sync rules",
    description: "Maps Google Workspace users and groups to AWS IAM Identity Center (see DESIGN.md §4).",
  };
}
