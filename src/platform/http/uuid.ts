/** Whether `value` is a UUID in its canonical text form (ids we hand out are; others are 404s, never SQL errors). */
export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
