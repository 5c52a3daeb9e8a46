import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type LineCounter, type Node } from "yaml";
import { formatRulePath, type RulePath, type RulePosition, type RulesSource } from "./issues.js";

/**
 * Records the position of every node of a parsed YAML document under its rule path. Aliases are not
 * followed: a path below an alias resolves to the alias itself, which is where the reader should look.
 */
export function indexDocument(file: string, document: Document, lineCounter: LineCounter): RulesSource {
  const source: RulesSource = { file, values: {}, keys: {} };
  const position = (offset: number): RulePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  const visit = (node: unknown, path: RulePath, fallback: RulePosition): void => {
    const here = nodeStart(node);
    source.values[formatRulePath(path)] = here === undefined ? fallback : position(here);
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const keyPath = [...path, key];
        const keyStart = nodeStart(pair.key);
        const keyPosition =
          keyStart === undefined ? (here === undefined ? fallback : position(here)) : position(keyStart);
        source.keys[formatRulePath(keyPath)] = keyPosition;
        // `name:` with nothing after it has no value node: point at the key.
        visit(pair.value, keyPath, keyPosition);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        visit(item, [...path, index], here === undefined ? fallback : position(here));
      });
    }
  };
  visit(document.contents, [], { line: 1, column: 1 });
  return source;
}

function nodeStart(node: unknown): number | undefined {
  if (isScalar(node) || isMap(node) || isSeq(node) || isAlias(node)) return (node as Node).range?.[0];
  return undefined;
}
