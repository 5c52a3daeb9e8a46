/** 5120 → "5,120", the same on every machine (no locale). */
export function thousands(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
