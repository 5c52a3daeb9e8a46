/**
 * In-memory ports for use-case tests (runSync, the monitored run, the job): a directory and accounts
 * answered from memory, the strict in-memory Identity Center, a run state store and a notifier that
 * record what they were given.
 */
import { StrictInMemoryIdentityCenter } from "../../src/adapters/file/strict-in-memory-identity-center.js";
import type { Notice } from "../../src/sync/notices.js";
import type { Notifier, StateStore, StoredRunState } from "../../src/sync/ports.js";
import type { RunRecord, RunState } from "../../src/sync/run-state.js";
import type { SyncPorts } from "../../src/sync/run-sync.js";
import { aDirectory, aDirectoryUser, aGoogleGroup, anAccount, someRules } from "./rules.js";

/** Rules for one group from Google with one permission set in one account; members become users. */
export function developersRules(parts: Record<string, unknown> = {}) {
  return someRules({
    groups: [{ name: "developers", members: [{ googleGroup: "dev@example.com" }] }],
    permissionSets: [{ name: "Developer" }],
    accounts: { dev: ["111111111111"] },
    assignments: [{ groups: ["developers"], permissionSets: ["Developer"], accounts: ["dev"] }],
    ...parts,
  });
}

/** Google with `emails` in dev@example.com, one active account, and an empty Identity Center. */
export function developersPorts(emails: string[] = ["ann@example.com", "bob@example.com"]) {
  const directory = aDirectory({
    users: emails.map((primaryEmail) => aDirectoryUser({ primaryEmail })),
    groups: [aGoogleGroup("dev@example.com", emails)],
  });
  const identityCenter = new StrictInMemoryIdentityCenter();
  const ports: SyncPorts = {
    directory: { readDirectory: async () => directory },
    accounts: { listAccounts: async () => [anAccount({ id: "111111111111", name: "dev" })] },
    identityCenter,
  };
  return { ports, identityCenter };
}

/** A run state store in memory; `failLoad` makes `load` throw (an unreachable table). */
export class InMemoryStateStore implements StateStore {
  state: RunState | undefined;
  runs: RunRecord[] = [];
  saves = 0;
  failLoad: Error | undefined;
  private revision = 0;

  async load(): Promise<StoredRunState> {
    if (this.failLoad) throw this.failLoad;
    return { state: this.state, revision: this.revision === 0 ? undefined : String(this.revision) };
  }

  async save(state: RunState): Promise<string> {
    this.state = structuredClone(state);
    this.saves += 1;
    this.revision += 1;
    return String(this.revision);
  }

  async recordRun(run: RunRecord): Promise<void> {
    this.runs.unshift(run);
  }

  async listRuns(limit: number): Promise<RunRecord[]> {
    return this.runs.slice(0, limit);
  }
}

/** A notifier that delivers every notice into `sent`. */
export class RecordingNotifier implements Notifier {
  readonly sent: Notice[] = [];

  async notify(notice: Notice): Promise<{ delivered: true }> {
    this.sent.push(notice);
    return { delivered: true };
  }
}

/** A clock that stands still at `iso`. */
export const aClockAt = (iso = "2026-05-04T09:00:00.000Z") => ({ now: () => new Date(iso) });
