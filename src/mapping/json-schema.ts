import { z } from "zod";
import { rulesSchema } from "./schema.js";

/**
 * The JSON Schema of the rules file as people write it (defaults optional), for editors. Generated
 * from the zod schema so the two never disagree; `schema/rules.schema.json` is its checked-in copy.
 */
export function rulesJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(rulesSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return {
    ...schema,
    $id: "https://github.com/idc-sync/idc-sync/schema/rules.schema.json",
    title: "idc-sync rules",
    description: "Maps Google Workspace users and groups to AWS IAM Identity Center (see DESIGN.md §4).",
  };
}
