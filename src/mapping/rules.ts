import type { PermissionSetAttributes } from "../sync/model.js";
import type { RulesSource } from "./issues.js";
import type { RulesFile } from "./schema.js";

/**
 * A permission set as the rules want it: ARNs resolved, lists sorted and deduplicated, the inline
 * policy loaded and canonical. Tags are the user's; `evaluate` adds `managed-by`.
 */
export type RulePermissionSet = PermissionSetAttributes;

/** The loaded, validated and normalised rules file, with the positions of its nodes. */
export type Rules = Omit<RulesFile, "$schema" | "permissionSets"> & {
  permissionSets: RulePermissionSet[];
  /** Where each rule came from, so later stages can report `rules.yaml:LINE:COL`. */
  source: RulesSource;
  /** Inline policy files as written (path in the rules, text as read), by permission set index. */
  inlinePolicyFiles?: Record<number, { path: string; text: string }>;
};
