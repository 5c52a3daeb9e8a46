/**
 * What one run is about. The scheduled run reads the whole directory (`full`); an event-driven run
 * (a Google push, a CloudTrail event) reads and plans only what its subjects need (`targeted`), with the
 * same rules, guards and reasons, and never removes anything outside them.
 *
 * Subjects carry only identifiers: nothing from a notification's body is trusted, so a targeted run
 * re-reads every subject from Google and Identity Center before it plans.
 */

/** One person or group an event names, by whatever identifier the event carried. */
export type SyncSubject =
  /** A Google user by primary e-mail or alias (Directory push, Reports API activity). */
  | { readonly kind: "person"; readonly email: string }
  /** A Google user by their immutable id (the Directory push names it). */
  | { readonly kind: "person"; readonly googleId: string }
  /** An Identity Center user touched by hand (CloudTrail: identitystore/sso-directory). */
  | { readonly kind: "person"; readonly identityCenterUserId: string }
  /** A Google group by e-mail (Reports API groups_enterprise / admin activity). */
  | { readonly kind: "group"; readonly email: string }
  /** An Identity Center group touched by hand (CloudTrail). */
  | { readonly kind: "group"; readonly identityCenterGroupId: string }
  /** A permission set edited or assigned by hand (CloudTrail: sso.amazonaws.com). */
  | { readonly kind: "permissionSet"; readonly permissionSetArn: string };

export type SyncScope =
  | { readonly kind: "full" }
  | { readonly kind: "targeted"; readonly subjects: readonly SyncSubject[] };

export const fullScope: SyncScope = { kind: "full" };

/** A stable key per subject, for coalescing a burst of events into one targeted run. */
export function subjectKey(subject: SyncSubject): string {
  if ("email" in subject) return `${subject.kind}:email:${subject.email.toLowerCase()}`;
  if ("googleId" in subject) return `person:google:${subject.googleId}`;
  if ("identityCenterUserId" in subject) return `person:ic:${subject.identityCenterUserId}`;
  if ("identityCenterGroupId" in subject) return `group:ic:${subject.identityCenterGroupId}`;
  return `permissionSet:${subject.permissionSetArn}`;
}

/** The subjects of many events, each once, in first-seen order. */
export function coalesceSubjects(subjects: Iterable<SyncSubject>): SyncSubject[] {
  const seen = new Map<string, SyncSubject>();
  for (const subject of subjects) {
    const key = subjectKey(subject);
    if (!seen.has(key)) seen.set(key, subject);
  }
  return [...seen.values()];
}
