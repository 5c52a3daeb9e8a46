/**
 * Minutes of an ISO-8601 duration of hours and minutes, the forms the rules and Identity Center use for
 * session durations ("PT8H", "PT1H30M", "PT45M"); undefined for anything else.
 */
export function durationMinutes(duration: string): number | undefined {
  const match = /^PT(?=\d)(?:(\d+)H)?(?:(\d+)M)?$/.exec(duration);
  if (!match) return undefined;
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}
