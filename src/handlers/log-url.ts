/**
 * The CloudWatch console link to one invocation's log stream, for alerts and the history.
 */

/**
 * `https://REGION.console.aws.amazon.com/cloudwatch/home?region=REGION#logsV2:log-groups/log-group/G/log-events/S`.
 * The console wants the group and stream URL-encoded twice with `%` written as `$`.
 */
export function cloudWatchLogStreamUrl(region: string, logGroupName: string, logStreamName: string): string {
  const encode = (value: string) => encodeURIComponent(encodeURIComponent(value)).replaceAll("%", "$");
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${encode(logGroupName)}/log-events/${encode(logStreamName)}`;
}
