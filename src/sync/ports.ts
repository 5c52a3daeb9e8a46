/**
 * The ports: what the core needs from the outside world, named by capability. Adapters in
 * `src/adapters/*` implement them; tests use the in-memory implementations. The core never imports
 * an SDK, `process.env` or the clock directly.
 */
import type {
  AwsAccount,
  Directory,
  DirectoryRequest,
  IdentityCenterChange,
  IdentityCenterState,
  Organization,
  RevocationPolicyChange,
  Scope,
  ScpReadout,
} from "./model.js";
import type { Notice } from "./notices.js";
import type { RunRecord, RunState, SlackThread } from "./run-state.js";
import type {
  DescribedPrincipal,
  IdentityCenterPeopleRequest,
  IdentityCenterPeopleState,
  PeopleRead,
  PeopleRequest,
} from "./targeted/reads.js";

/** Reads people, groups and org units. Throws a `DirectoryReadError` rather than return a partial picture. */
export interface DirectorySource {
  readDirectory(request: DirectoryRequest, progress?: ProgressListener): Promise<Directory>;
  /**
   * A targeted run's read: only the named people (and the members of the named groups), with their
   * memberships of the rules' groups. A person Google does not know is reported, not thrown. Optional:
   * a source without it cannot run targeted syncs (the run says so).
   */
  readPeople?(request: PeopleRequest, progress?: ProgressListener): Promise<PeopleRead>;
}

/** Lists AWS accounts with their OU ancestry and tags. */
export interface AccountDirectory {
  listAccounts(progress?: ProgressListener): Promise<AwsAccount[]>;
  /**
   * The accounts with the OUs they sit in, empty OUs included, so a rule naming an OU that does not
   * exist can be told from one naming an OU without accounts. Optional: sources that cannot tell leave
   * it out and the rules are checked against the accounts alone.
   */
  readOrganization?(progress?: ProgressListener): Promise<Organization>;
}

/**
 * Reads and changes IAM Identity Center. Changes name principals by userName / displayName and
 * permission sets by name; the adapter keeps the name → id maps (it learns new ids as it creates).
 */
export interface IdentityCenter {
  /**
   * The actual state inside (at least) the scope; memberships of unmanaged groups may be left unread.
   * The scope's read hints (`ownedGroupNames`, `ownedPermissionSetNames`, `findTaggedPermissionSets`)
   * widen it to what removals need: those groups' memberships and assignments, those permission sets
   * in full with every assignment that uses them.
   */
  readState(scope: Scope, progress?: ProgressListener): Promise<IdentityCenterState>;
  /** Applies one change; throws (a `ChangeFailedError` where AWS gave a reason) when it did not happen. */
  applyChange(change: IdentityCenterChange): Promise<void>;
  /**
   * A targeted run's read: the people's users, memberships and assignments, every group by name
   * (`IdentityCenterPeopleState`). Optional: a target without it cannot run targeted syncs.
   */
  readPeople?(request: IdentityCenterPeopleRequest, scope: Scope): Promise<IdentityCenterPeopleState>;
  /** The user or group behind an Identity Store id (a CloudTrail event names ids); undefined when gone. */
  describePrincipal?(
    principal: { userId: string } | { groupId: string },
  ): Promise<DescribedPrincipal | undefined>;
}

/**
 * The service control policies the kill switch writes leavers' denies into (AWS Organizations). Only
 * policies idc-sync created (tagged managed-by=idc-sync) are ever read in full or changed.
 */
export interface RevocationPolicies {
  /**
   * The root, what is attached to it, and idc-sync's policies with their content. Never throws: when
   * the policies cannot be read (SCPs not enabled, no permission, an outage that outlasts the retries)
   * it says why, so the rest of the run still removes the leavers' access.
   */
  read(): Promise<ScpReadout>;
  /** Creates, updates or deletes one of idc-sync's policies; throws when that did not happen. */
  apply(change: RevocationPolicyChange): Promise<void>;
}

/** The run state as stored, with the revision a conditional save must find. */
export interface StoredRunState {
  /** Undefined before the first run. */
  state: RunState | undefined;
  /** Opaque; undefined before the first save. */
  revision: string | undefined;
}

/**
 * Keeps the run state and the run history. `save` is conditional: it throws a `StateConflictError`
 * when the stored revision is no longer `expectedRevision`, so two runs never clobber each other. It
 * resolves the new revision, for a later save in the same run.
 */
export interface StateStore {
  load(): Promise<StoredRunState>;
  save(state: RunState, expectedRevision: string | undefined): Promise<string>;
  recordRun(run: RunRecord): Promise<void>;
  /** The most recent runs first, at most `limit`. */
  listRuns(limit: number): Promise<RunRecord[]>;
}

/**
 * Tells people what happened (Slack). Never throws and never blocks a sync for long: a message that
 * cannot be delivered after a few tries resolves `{ delivered: false }` with the reason.
 */
export interface Notifier {
  /**
   * `context.threads`: where earlier alerts were posted (Slack app mode threads replies under them); a
   * notifier that threads answers the threads to remember after this notice.
   */
  notify(notice: Notice, context?: NotifyContext): Promise<Delivery>;
}

export interface NotifyContext {
  threads: Readonly<Record<string, SlackThread>>;
}

export type Delivery =
  | { delivered: true; threads?: Record<string, SlackThread> }
  | { delivered: false; error: string };

export interface Clock {
  now(): Date;
}

/** Progress of a long read or apply, for a TTY spinner or a log line. Never required. */
export type ProgressListener = (event: ProgressEvent) => void;

export interface ProgressEvent {
  /** "users", "groups", "members", "accounts", "apply" ... */
  phase: string;
  done: number;
  /** Unknown while paging. */
  total?: number;
}
