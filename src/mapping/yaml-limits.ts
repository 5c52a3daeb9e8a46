/**
 * Limits on the shape of the parsed rules YAML, checked before it is converted to plain data.
 *
 * Aliases are the one part of YAML that can make a small rules file huge ("billion laughs": ten levels
 * of ten aliases are 10^10 values) or make the conversion to plain data throw. This pass walks the
 * parsed document before it is converted and reports each such problem at the alias that causes it,
 * so the reader gets `FILE:LINE:COL` instead of a crash. The walk never expands an alias: it costs one
 * step per node written in the file, whatever the aliases would expand to.
 */
import { type Document, isAlias, isMap, isPair, isScalar, isSeq, type Node } from "yaml";

export const yamlLimits = {
  /**
   * Values that aliases may add to the rules once expanded (an alias of a list of three groups adds the
   * list and everything in it). Real rules files reuse a few selectors or policy lists and stay far below;
   * an alias bomb crosses it after a few levels. yaml's own `maxAliasCount` is set to the same number as
   * a second line of defence.
   */
  maxAliasExpansion: 10_000,
  /**
   * Nesting depth of maps and lists. The deepest real rules (a permission set's inline policy written as
   * a map) nest about ten levels; the cap keeps every recursive step after this one far from the stack limit.
   */
  maxNesting: 64,
} as const;

/** A problem at a character offset of the rules text. */
export interface YamlProblem {
  offset: number;
  message: string;
}

/**
 * Checks every alias of `document`: it must have an anchor before it, must not sit inside the node it
 * refers to, must not be a map key (nor may a list or a map), and all aliases together must expand to at most
 * `yamlLimits.maxAliasExpansion` values. Merge keys (`<<`, YAML 1.1) must merge maps. Maps and lists
 * nest at most `yamlLimits.maxNesting` deep.
 */
export function checkYamlLimits(document: Document): YamlProblem[] {
  const problems: YamlProblem[] = [];
  /** The node each anchor name refers to at this point of the document (a later anchor wins). */
  const anchors = new Map<string, Node>();
  /** Expanded size of each anchored node, known once the walk has left it. */
  const sizes = new Map<Node, number>();
  /** The anchored nodes the walk is inside: an alias to one of them would be a loop. */
  const open = new Set<Node>();
  let expansion = 0;
  let capReported = false;
  let nestingReported = false;

  const problemAt = (node: Node | undefined, message: string) =>
    problems.push({ offset: node?.range?.[0] ?? 0, message });

  /** Walks `node` in document order and returns how many values it stands for once aliases are expanded. */
  const walk = (node: unknown, depth: number): number => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) {
        problemAt(node, `unknown alias '*${node.source}': no anchor '&${node.source}' is defined before it`);
        return 0;
      }
      if (open.has(target)) {
        problemAt(
          node,
          `alias '*${node.source}' is inside the node anchored '&${node.source}' that it refers to (a loop)`,
        );
        return 0;
      }
      const size = sizes.get(target) ?? 0;
      expansion += size;
      if (expansion > yamlLimits.maxAliasExpansion && !capReported) {
        capReported = true;
        problemAt(
          node,
          `aliases expand to more than ${yamlLimits.maxAliasExpansion} values; YAML aliases are capped to stop alias bombs`,
        );
      }
      return size;
    }
    if (!isScalar(node) && !isMap(node) && !isSeq(node)) return 0;
    if (depth > yamlLimits.maxNesting) {
      if (!nestingReported) {
        nestingReported = true;
        problemAt(node, `maps and lists nest more than ${yamlLimits.maxNesting} levels deep`);
      }
      return 1;
    }
    const anchor = node.anchor;
    if (anchor) {
      anchors.set(anchor, node);
      open.add(node);
    }
    let size = 1;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        if (isAlias(pair.key)) problemAt(pair.key, "an alias cannot be used as a map key");
        // yaml would turn a list or map key into a string and warn on the process's stderr.
        else if (isMap(pair.key) || isSeq(pair.key))
          problemAt(pair.key, "a map key must be a plain value, not a list or a map");
        else size += walk(pair.key, depth + 1);
        size += walk(pair.value, depth + 1);
        if (isMergeKey(pair.key) && !mergesMaps(pair.value, anchors)) {
          problemAt(
            (pair.value ?? pair.key) as Node,
            "a merge key '<<' takes a map, an alias of a map, or a list of those",
          );
        }
      }
    } else if (isSeq(node)) {
      for (const item of node.items) size += walk(item, depth + 1);
    }
    if (anchor) {
      open.delete(node);
      sizes.set(node, size);
    }
    return size;
  };

  walk(document.contents, 0);
  return problems;
}

/** yaml resolves `<<` to a symbol only where merge keys are on (a `%YAML 1.1` document). */
function isMergeKey(key: unknown): boolean {
  return isScalar(key) && typeof key.value === "symbol" && key.value.description === "<<";
}

function mergesMaps(value: unknown, anchors: Map<string, Node>): boolean {
  // An alias with no anchor is reported as such; it is not also a bad merge.
  const isMapOrAliasOfMap = (item: unknown) =>
    isMap(item) || (isAlias(item) && (!anchors.has(item.source) || isMap(anchors.get(item.source))));
  return isSeq(value) ? value.items.every(isMapOrAliasOfMap) : isMapOrAliasOfMap(value);
}
