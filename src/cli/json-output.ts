/**
 * Writes a JSON document piece by piece: the top-level keys one per line and the items of large arrays
 * one per line, each serialized on its own. A plan of 150,000 changes then never exists as one string
 * of a hundred megabytes (twice that in V8's two-byte strings, for the "←" and "×" in reasons), which was
 * most of the command's peak memory at 50,000 people. The output is still one valid JSON document.
 */
export function writeJsonDocument(write: (text: string) => void, document: Record<string, unknown>): void {
  const entries = Object.entries(document).filter(([, value]) => value !== undefined);
  write("{\n");
  entries.forEach(([key, value], index) => {
    const comma = index < entries.length - 1 ? "," : "";
    write(`  ${JSON.stringify(key)}: `);
    writeValue(write, value, "  ");
    write(`${comma}\n`);
  });
  write("}\n");
}

function writeValue(write: (text: string) => void, value: unknown, indent: string): void {
  if (Array.isArray(value) && value.length > 0) {
    write("[\n");
    value.forEach((item, index) => {
      write(`${indent}  ${JSON.stringify(item) ?? "null"}${index < value.length - 1 ? "," : ""}\n`);
    });
    write(`${indent}]`);
    return;
  }
  if (isPlainObject(value) && Object.values(value).some(Array.isArray)) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    write("{\n");
    entries.forEach(([key, item], index) => {
      write(`${indent}  ${JSON.stringify(key)}: `);
      writeValue(write, item, `${indent}  `);
      write(`${index < entries.length - 1 ? "," : ""}\n`);
    });
    write(`${indent}}`);
    return;
  }
  write(JSON.stringify(value) ?? "null");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
