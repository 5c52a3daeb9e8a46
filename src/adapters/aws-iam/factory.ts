/**
 * Builds the IAM inventory over default SDK clients. Region, credentials and endpoints come from the
 * SDK's own environment handling (AWS_REGION, profiles, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_IAM,
 * AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_CLOUDTRAIL), so nothing here knows about emulators.
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";
import { adapterClientConfig } from "../aws/client-config.js";
import {
  type AccountClientFactory,
  AwsIamInventory,
  type AwsIamInventoryOptions,
} from "./aws-iam-inventory.js";

/**
 * Clients retry nothing themselves: the adapter owns retries so its rate limiters see every attempt.
 * Every request has a deadline covering its body; IAM and STS speak XML, CloudTrail JSON.
 */
const xmlClientConfig = () => adapterClientConfig({ jsonReads: false });

export const defaultAccountClients: AccountClientFactory = {
  iam: (credentials) => new IAMClient({ ...xmlClientConfig(), ...(credentials ? { credentials } : {}) }),
  cloudTrail: (credentials, region) =>
    new CloudTrailClient({ ...adapterClientConfig(), region, ...(credentials ? { credentials } : {}) }),
};

export type AwsIamInventoryConfig = Omit<AwsIamInventoryOptions, "sts" | "clients">;

/** The inventory reader over default clients, assuming `roleName` in every account but the caller's. */
export function createAwsIamInventory(config: AwsIamInventoryConfig): AwsIamInventory {
  return new AwsIamInventory({
    sts: new STSClient(xmlClientConfig()),
    clients: defaultAccountClients,
    ...config,
  });
}
