/**
 * What the sync function measures of one run besides its result: the requests its adapters send (and
 * the throttled answers) and the time its reads take. The ports are wrapped, not changed: every read
 * is timed on its way through, every other call passes straight on.
 */
import { ApiCallCounter, type ApiCallCounts } from "../adapters/api-calls.js";
import type { SyncPorts } from "../sync/run-sync.js";

export class RunMeasurement {
  /** Hand `calls.listeners` to the adapters (buildLivePorts). */
  readonly calls = new ApiCallCounter();
  private firstReadStartedAt: number | undefined;
  private lastReadEndedAt: number | undefined;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** The same ports, with their reads timed. */
  timed(ports: SyncPorts): SyncPorts {
    const { directory, accounts, identityCenter, revocation } = ports;
    const readOrganization = accounts.readOrganization?.bind(accounts);
    return {
      directory: {
        readDirectory: (request, progress) => this.read(() => directory.readDirectory(request, progress)),
      },
      accounts: {
        listAccounts: (progress) => this.read(() => accounts.listAccounts(progress)),
        ...(readOrganization
          ? { readOrganization: (progress) => this.read(() => readOrganization(progress)) }
          : {}),
      },
      identityCenter: {
        readState: (scope, progress) => this.read(() => identityCenter.readState(scope, progress)),
        applyChange: (change) => identityCenter.applyChange(change),
      },
      ...(revocation
        ? {
            revocation: {
              read: () => this.read(() => revocation.read()),
              apply: (change) => revocation.apply(change),
            },
          }
        : {}),
    };
  }

  /** Read time from the first read's start to the last read's end, and the call counts. */
  measured(): { readMs?: number; calls: ApiCallCounts } {
    const readMs =
      this.firstReadStartedAt === undefined || this.lastReadEndedAt === undefined
        ? undefined
        : this.lastReadEndedAt - this.firstReadStartedAt;
    return { ...(readMs === undefined ? {} : { readMs }), calls: this.calls.counts() };
  }

  private async read<T>(run: () => Promise<T>): Promise<T> {
    this.firstReadStartedAt ??= this.now();
    try {
      return await run();
    } finally {
      this.lastReadEndedAt = this.now();
    }
  }
}
