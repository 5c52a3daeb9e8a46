/** The AWS adapters: Identity Center (identitystore + sso-admin) and the Organizations account directory. */
export { AccountDirectoryReadError } from "../errors.js";
export {
  AwsAccountDirectory,
  type AwsAccountDirectoryOptions,
} from "./aws-account-directory.js";
export {
  AwsCaller,
  AwsService,
  type CallListener,
  defaultRetryPolicy,
  isRetryableAwsError,
  type RetryPolicy,
} from "./aws-caller.js";
export { AwsIdentityCenter, type AwsIdentityCenterOptions } from "./aws-identity-center.js";
export { AwsRevocationPolicies, type AwsRevocationPoliciesOptions } from "./aws-revocation-policies.js";
export { discoverInstance, type IdentityCenterInstance } from "./discover-instance.js";
export {
  type AwsAccountDirectoryConfig,
  type AwsIdentityCenterConfig,
  createAwsAccountDirectory,
  createAwsIdentityCenter,
  createAwsRevocationPolicies,
} from "./factory.js";
export { type AwsLimits, defaultAwsLimits } from "./limits.js";
export { managedByTag } from "./permission-set-attributes.js";
