import type { SelectorSource } from "../sync/model.js";
import { formatRulePath, type RulePath } from "./issues.js";
import type { Selector } from "./schema.js";

/**
 * A rules selector as provenance data: what it selects and where it sits (`groups[1].members[0]`).
 * `evaluate` records these on the members it selects; `explain` lists the ones that did not match.
 */
export function selectorSourceOf(selector: Selector, path: RulePath): SelectorSource {
  const rule = formatRulePath(path);
  if ("googleGroup" in selector) return { kind: "googleGroup", rule, googleGroup: selector.googleGroup };
  if ("orgUnit" in selector)
    return { kind: "orgUnit", rule, orgUnit: selector.orgUnit, recursive: selector.recursive };
  if ("user" in selector) return { kind: "user", rule, user: selector.user };
  const where: Record<string, string> = {};
  for (const [key, value] of Object.entries(selector.where)) if (value !== undefined) where[key] = value;
  return { kind: "where", rule, where };
}
