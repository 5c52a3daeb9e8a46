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

/**
 * Reads a subject as people write it: `person:mei@example.com`, `group:aws-admins@example.com`, or any
 * form `subjectKey` prints (`person:google:ID`, `person:ic:ID`, `group:ic:ID`, `permissionSet:ARN`).
 * A string that is none of these comes back as a message saying what is accepted.
 */
export function parseSubject(text: string): { subject: SyncSubject } | { problem: string } {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(":");
  const kind = colon < 0 ? trimmed : trimmed.slice(0, colon);
  const rest = colon < 0 ? "" : trimmed.slice(colon + 1);
  const email = (value: string) => /^[^@\s:]+@[^@\s:]+\.[^@\s:]+$/.test(value);
  const problem = {
    problem: `'${text}' is not a subject: use person:EMAIL, group:EMAIL, person:google:ID, person:ic:ID, group:ic:ID or permissionSet:ARN`,
  };
  if (kind === "permissionSet")
    return rest.startsWith("arn:") ? { subject: { kind, permissionSetArn: rest } } : problem;
  if (kind !== "person" && kind !== "group") return problem;
  const [form, ...value] = rest.split(":");
  const id = value.join(":");
  const address = email(rest) ? rest : form === "email" && email(id) ? id : undefined;
  if (address !== undefined) {
    const lower = address.toLowerCase();
    return { subject: kind === "person" ? { kind, email: lower } : { kind, email: lower } };
  }
  if (id === "") return problem;
  if (kind === "person" && form === "google") return { subject: { kind, googleId: id } };
  if (kind === "person" && form === "ic") return { subject: { kind, identityCenterUserId: id } };
  if (kind === "group" && form === "ic") return { subject: { kind, identityCenterGroupId: id } };
  return problem;
}
