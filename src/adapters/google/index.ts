/** The Google Workspace directory adapter: entry points for the CLI and the Lambda handlers. */
export {
  createGoogleDirectorySource,
  type GoogleClientSettings,
  type GoogleCredentials,
  type GoogleDirectorySourceOverrides,
  googleClientSettings,
  googleEnvironment,
  type ServiceAccountKey,
} from "./create-google-directory-source.js";
export {
  GoogleDirectorySource,
  type GoogleDirectorySourceOptions,
  googleDirectoryDefaults,
  googleDirectoryScopes,
  membersPageSize,
  usersPageSize,
} from "./google-directory-source.js";
export { classifyGoogleError, FailureKind, type GoogleFailure } from "./google-errors.js";
export { type BudgetClock, RequestBudget, type RequestBudgetOptions } from "./request-budget.js";
