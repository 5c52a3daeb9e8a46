/**
 * The run settings the rules file holds: `sync.mode` and `notifications.slack`.
 */
import type { Rules } from "../mapping/index.js";
import type { SyncMode } from "../sync/run-state.js";
import { type NotificationSettings, NotifyTopic } from "./decide.js";

/** `sync.mode` from the rules (`enforce` when absent). */
export function syncModeFromRules(rules: Rules): SyncMode {
  return rules.sync.mode;
}

/** `notifications.slack` from the rules, with the reminder interval in milliseconds. */
export function notificationSettingsFromRules(rules: Rules): NotificationSettings {
  const slack = rules.notifications.slack;
  return {
    on: [...new Set(slack.on)].filter((topic) => Object.values(NotifyTopic).includes(topic)),
    remindEveryMs: slack.remindEveryHours * 60 * 60 * 1000,
  };
}
