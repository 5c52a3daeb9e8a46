/** The IAM user inventory: pure model, classification, matching and rendering (no SDK, no clock). */
export { failedKeyActivity, summarizeKeyActivity } from "./activity.js";
export {
  type AuditOptions,
  allowsEverything,
  buildAuditReport,
  classifyUser,
  defaultAuditOptions,
} from "./classify.js";
export { CredentialReportFormatError, parseCredentialReport } from "./credential-report.js";
export { matchPerson } from "./matching.js";
export * from "./model.js";
export { AuditFormat, csvColumns, renderAuditReport } from "./render.js";
export { type AuditSummaryNotice, auditSlackSummary, auditSummaryLinesLimit } from "./slack-summary.js";
export { classifyUserAgent } from "./user-agent.js";
