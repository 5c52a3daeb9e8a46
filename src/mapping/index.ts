export { type CheckResult, ruleQuotas } from "./checks.js";
export { assignmentQuotas, type EvaluateResult, evaluate } from "./evaluate.js";
export { excerptAt } from "./excerpt.js";
export {
  formatRuleIssue,
  formatRulePath,
  locateRule,
  type RuleIssue,
  type RulePath,
  type RulePosition,
  type RulesSource,
  ruleIssue,
} from "./issues.js";
export { rulesJsonSchema } from "./json-schema.js";
export {
  type LoadRulesResult,
  onDamagedLine,
  type ParseRulesOptions,
  parseRules,
  type RulesDraft,
} from "./load.js";
export {
  checkReferences,
  type RulesWorld,
  type SnapshotCoverage,
  withAccountNames,
} from "./references.js";
export type { RulePermissionSet, Rules } from "./rules.js";
export {
  type AccountSelector,
  type AccountSet,
  type AttributeMapping,
  type DirectoryField,
  directoryFields,
  type MaxDeletions,
  managedByTag,
  type RuleAssignment,
  type RuleGroup,
  type RulesFile,
  type RulesFileInput,
  type RuleUsers,
  rulesPartition,
  rulesSchema,
  type SafetyRules,
  type Selector,
  type StaticUser,
} from "./schema.js";
export {
  directoryRequestFromDraft,
  directoryRequestFromRules,
  revocationFromRules,
  safetyFromRules,
  scopeFromRules,
} from "./scope.js";
export { selectorSourceOf } from "./selector-source.js";
