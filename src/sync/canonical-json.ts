/**
 * JSON with object keys sorted and no white space, so two policies that differ only in formatting or
 * key order compare equal. Identity Center hands inline policies back reformatted; comparing raw
 * strings would plan an update on every run.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/** Parses a JSON policy document given as text and returns it canonical; throws SyntaxError if not JSON. */
export function canonicalPolicyText(text: string): string {
  return canonicalJson(JSON.parse(text));
}

/**
 * JSON with object keys sorted, two spaces a level and one value a line: the form a line diff of a
 * policy or another structured attribute reads well in, whatever order Identity Center or the rules
 * wrote the keys in.
 */
export function prettyJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2);
}
