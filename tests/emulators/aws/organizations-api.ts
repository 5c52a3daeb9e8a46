/**
 * The organizations operations the account directory calls (and MoveAccount, so a test can move an
 * account between OUs through the real SDK). Pages hold at most 20 entries; bad input is
 * InvalidInputException, an unknown parent ParentNotFoundException, as in the Organizations API.
 */
import type { Handler } from "./identity-store-api.js";
import { AwsApiError, epochSeconds, paginate, requireString } from "./protocol.js";
import type { EmulatorStore, StoredOrganization } from "./store.js";

const pageRules = (scope: string) => ({
  max: 20,
  default: 20,
  scope,
  badInput: "InvalidInputException" as const,
});

export function organizationsHandlers(store: EmulatorStore): Record<string, Handler> {
  const organization = (): StoredOrganization => {
    if (!store.organization) {
      throw new AwsApiError(
        "AWSOrganizationsNotInUseException",
        "Your account is not a member of an organization.",
      );
    }
    return store.organization;
  };
  const arnOf = (kind: "root" | "ou" | "account", id: string): string => {
    const org = organization();
    return kind === "account"
      ? `arn:aws:organizations::000000000000:account/${org.id}/${id}`
      : `arn:aws:organizations::000000000000:${kind}/${org.id}/${id}`;
  };
  const checkParent = (parentId: string): void => {
    const org = organization();
    if (parentId !== org.rootId && !org.organizationalUnits.has(parentId)) {
      throw new AwsApiError(
        "ParentNotFoundException",
        `We can't find a root or OU with the ParentId ${parentId}.`,
      );
    }
  };

  return {
    ListRoots(input) {
      const org = organization();
      const { page, nextToken } = paginate([org.rootId], input, pageRules("ListRoots"));
      return {
        Roots: page.map((id) => ({ Id: id, Arn: arnOf("root", id), Name: "Root", PolicyTypes: [] })),
        NextToken: nextToken,
      };
    },

    ListOrganizationalUnitsForParent(input) {
      const parentId = requireString(input, "ParentId", "InvalidInputException");
      checkParent(parentId);
      const children = [...organization().organizationalUnits.values()].filter(
        (ou) => ou.parentId === parentId,
      );
      const { page, nextToken } = paginate(children, input, pageRules(`OUs:${parentId}`));
      return {
        OrganizationalUnits: page.map((ou) => ({ Id: ou.id, Arn: arnOf("ou", ou.id), Name: ou.name })),
        NextToken: nextToken,
      };
    },

    ListAccountsForParent(input) {
      const parentId = requireString(input, "ParentId", "InvalidInputException");
      checkParent(parentId);
      const accounts = [...organization().accounts.values()].filter(
        (account) => account.parentId === parentId,
      );
      const { page, nextToken } = paginate(accounts, input, pageRules(`Accounts:${parentId}`));
      return {
        Accounts: page.map((account) => ({
          Id: account.id,
          Arn: arnOf("account", account.id),
          Email: account.email,
          Name: account.name,
          Status: account.status,
          State: account.status,
          JoinedMethod: "CREATED",
          JoinedTimestamp: epochSeconds(),
        })),
        NextToken: nextToken,
      };
    },

    ListTagsForResource(input) {
      const resourceId = requireString(input, "ResourceId", "InvalidInputException");
      const account = organization().accounts.get(resourceId);
      if (!account)
        throw new AwsApiError("TargetNotFoundException", `We can't find a resource with id ${resourceId}.`);
      const tags = [...account.tags].map(([Key, Value]) => ({ Key, Value }));
      const { page, nextToken } = paginate(tags, input, pageRules(`Tags:${resourceId}`));
      return { Tags: page, NextToken: nextToken };
    },

    MoveAccount(input) {
      const accountId = requireString(input, "AccountId", "InvalidInputException");
      const source = requireString(input, "SourceParentId", "InvalidInputException");
      const destination = requireString(input, "DestinationParentId", "InvalidInputException");
      const account = organization().accounts.get(accountId);
      if (!account)
        throw new AwsApiError("AccountNotFoundException", `We can't find an account with id ${accountId}.`);
      checkParent(source);
      checkParent(destination);
      if (account.parentId !== source) {
        throw new AwsApiError("SourceParentNotFoundException", `Account ${accountId} is not in ${source}.`);
      }
      if (source === destination)
        throw new AwsApiError("DuplicateAccountException", "The account is already there.");
      account.parentId = destination;
      return {};
    },
  };
}
