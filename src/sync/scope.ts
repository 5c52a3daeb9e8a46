/**
 * Questions about what idc-sync manages. Identity Center may hand back userNames in mixed case, so
 * every user comparison goes through `userKey`; group and permission set names are compared exactly,
 * as Identity Center does.
 */
import type { Assignment, Scope } from "./model.js";
import { PrincipalType } from "./model.js";

/** The form in which userNames are compared: lower case, since Identity Center may return mixed case. */
export function userKey(userName: string): string {
  return userName.toLowerCase();
}

/** The domain part of a userName (after the last `@`), lower case; empty when there is none. */
export function domainOf(userName: string): string {
  const at = userName.lastIndexOf("@");
  return at < 0 ? "" : userName.slice(at + 1).toLowerCase();
}

/** True when `safety.protect` names the user: it is never changed, whatever the rules say. */
export function isProtectedUser(scope: Scope, userName: string): boolean {
  const key = userKey(userName);
  return scope.protectedUserNames.some((name) => userKey(name) === key);
}

/** True when `safety.protect` names the group. */
export function isProtectedGroup(scope: Scope, displayName: string): boolean {
  return scope.protectedGroupNames.includes(displayName);
}

/** True when idc-sync manages the user: in a managed domain or a static user, and not protected. */
export function isManagedUser(scope: Scope, userName: string): boolean {
  if (isProtectedUser(scope, userName)) return false;
  const key = userKey(userName);
  const domain = domainOf(key);
  return (
    (domain !== "" && scope.domains.some((d) => d.toLowerCase() === domain)) ||
    scope.staticUserNames.some((name) => userKey(name) === key)
  );
}

/** True when the rules name the group (or name it as a previous name) and it is not protected. */
export function isManagedGroup(scope: Scope, displayName: string): boolean {
  return scope.groupNames.includes(displayName) && !isProtectedGroup(scope, displayName);
}

/** True when the rules define the permission set. */
export function isManagedPermissionSet(scope: Scope, name: string): boolean {
  return scope.permissionSetNames.includes(name);
}

/** True when the principal is protected (user or group). */
export function isProtectedPrincipal(scope: Scope, principalType: PrincipalType, name: string): boolean {
  return principalType === PrincipalType.user ? isProtectedUser(scope, name) : isProtectedGroup(scope, name);
}

/** True when the principal is managed (user or group). */
export function isManagedPrincipal(scope: Scope, principalType: PrincipalType, name: string): boolean {
  return principalType === PrincipalType.user ? isManagedUser(scope, name) : isManagedGroup(scope, name);
}

/** True when the assignment's principal is a managed user or group: idc-sync owns it. */
export function isManagedAssignment(scope: Scope, assignment: Assignment): boolean {
  return isManagedPrincipal(scope, assignment.principalType, assignment.principalName);
}
