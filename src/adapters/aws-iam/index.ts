/** The IAM user inventory adapter: IAM and CloudTrail in each account, STS to get there. */
export { CredentialReportError } from "../errors.js";
export {
  type AccountClientFactory,
  type AccountCredentials,
  AwsIamInventory,
  type AwsIamInventoryOptions,
  type CloudTrailRequest,
  defaultInventoryLimits,
  regionsToSearch,
} from "./aws-iam-inventory.js";
export {
  CloudTrailKeyLookup,
  type CloudTrailKeyLookupOptions,
  lookupEventsPerSecond,
  maxCloudTrailDays,
} from "./cloudtrail-key-lookup.js";
export { type AwsIamInventoryConfig, createAwsIamInventory, defaultAccountClients } from "./factory.js";
export {
  IamAccountReader,
  type IamAccountReaderOptions,
} from "./iam-account-reader.js";
