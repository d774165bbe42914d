/** Checks shared by the contract, ICS and the editors' schedules: what Date and Intl would silently accept. */

/** A real calendar day (no 30 February): Date would roll it over to March. `month` is 1 to 12. */
export function isCalendarDay(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A time zone the runtime's Intl knows (IANA names and links). */
export function isIntlTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
