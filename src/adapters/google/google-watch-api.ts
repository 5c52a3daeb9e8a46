/**
 * Google's watch methods through the Admin SDK client: Directory `users.watch` (one channel per user
 * event, for the whole customer) and Reports `activities.watch` (`userKey=all`, one channel per
 * application, with `payload: true` so the activity comes in the notification), and each API's own
 * `channels.stop` (discovery documents admin:directory_v1 and admin:reports_v1).
 *
 * Scopes: users.watch takes `admin.directory.user.readonly`, which the sync already has;
 * activities.watch and the Reports channels.stop take only `admin.reports.audit.readonly`, which
 * domain-wide delegation must grant in addition (`watchScopes`).
 */
import { admin } from "@googleapis/admin";
import type { ChannelApi } from "../../events/google-notification.js";
import type { OpenedChannel, WatchApi, WatchTarget } from "../../events/ports.js";
import { type GoogleClientSettings, googleClientSettings } from "./create-google-directory-source.js";
import { googleDirectoryScopes } from "./google-directory-source.js";

export const reportsAuditScope = "https://www.googleapis.com/auth/admin.reports.audit.readonly";

/** What the channel renewer's delegated token asks for: the sync's scopes and the Reports one. */
export const watchScopes = [...googleDirectoryScopes, reportsAuditScope] as const;

export class GoogleWatchApi implements WatchApi {
  private readonly directory;
  private readonly reports;

  constructor(
    settings: GoogleClientSettings,
    private readonly customer = "my_customer",
  ) {
    const common = { auth: settings.auth, ...(settings.rootUrl ? { rootUrl: settings.rootUrl } : {}) };
    this.directory = admin({ version: "directory_v1", ...common });
    this.reports = admin({ version: "reports_v1", ...common });
  }

  async watch(
    target: WatchTarget,
    channel: { id: string; address: string; token: string; ttlSeconds: number },
  ): Promise<OpenedChannel> {
    const requestBody = {
      id: channel.id,
      type: "web_hook",
      address: channel.address,
      token: channel.token,
      params: { ttl: String(channel.ttlSeconds) },
    };
    const answer =
      target.api === "directory"
        ? (await this.directory.users.watch({ customer: this.customer, event: target.event, requestBody }))
            .data
        : (
            await this.reports.activities.watch({
              userKey: "all",
              applicationName: target.application,
              requestBody: { ...requestBody, payload: true },
            })
          ).data;
    const expiration = Number(answer.expiration);
    if (!answer.id || !answer.resourceId || !Number.isFinite(expiration)) {
      throw new Error(
        `Google answered the watch without id, resourceId or expiration: ${JSON.stringify(answer)}`,
      );
    }
    return { id: answer.id, resourceId: answer.resourceId, expiration };
  }

  async stop(api: ChannelApi, channel: { id: string; resourceId: string }): Promise<void> {
    try {
      const requestBody = { id: channel.id, resourceId: channel.resourceId };
      if (api === "directory") await this.directory.channels.stop({ requestBody });
      else await this.reports.channels.stop({ requestBody });
    } catch (error) {
      // A channel Google no longer knows (expired, or stopped already) needs no stopping.
      if (
        (error as { status?: number; code?: number }).status === 404 ||
        (error as { code?: number }).code === 404
      )
        return;
      throw error;
    }
  }
}

/** The watch API from the same environment and credentials the sync reads Google with. */
export function createGoogleWatchApi(
  env: Record<string, string | undefined>,
  credentials?: Parameters<typeof googleClientSettings>[1],
  customer?: string,
): GoogleWatchApi {
  return new GoogleWatchApi(googleClientSettings(env, credentials, watchScopes), customer);
}
