const NEW_YORK_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York', year: 'numeric', month: '2-digit', day: '2-digit',
});

/** The New York calendar date (YYYY-MM-DD) of an instant: the exchange's date, which defines a trading day. */
export function newYorkDate(instant: string | number | Date): string {
  return NEW_YORK_DATE.format(new Date(instant));
}
