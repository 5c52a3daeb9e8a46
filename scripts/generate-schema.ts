/** Writes schema/rules.schema.json from the zod schema (`npm run schema`). */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { rulesJsonSchema } from "../src/mapping/json-schema.js";

const target = fileURLToPath(new URL("../schema/rules.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(rulesJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
