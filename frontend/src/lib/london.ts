/** Wall-clock times in London (what officers type) to and from instants (what the API keeps). */
const ZONE = "Europe/London";

const parts = new Intl.DateTimeFormat("en-GB", {
  timeZone: ZONE,
  hourCycle: "h23",
  year: "numeric",
  month: "2-digit",
  day: "2-digit",
  hour: "2-digit",
  minute: "2-digit",
});

type Fields = { year: number; month: number; day: number; hour: number; minute: number };

function londonFields(date: Date): Fields {
  const fields: Fields = { year: 0, month: 0, day: 0, hour: 0, minute: 0 };
  for (const part of parts.formatToParts(date)) {
    if (part.type in fields) fields[part.type as keyof Fields] = Number(part.value);
  }
  return fields;
}

/** Minutes London is ahead of UTC at an instant (0 in winter, 60 in summer). */
export function londonOffsetMinutes(date: Date): number {
  const f = londonFields(date);
  const asUtc = Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute);
  return Math.round((asUtc - Math.floor(date.getTime() / 60000) * 60000) / 60000);
}

/** "2026-07-01T14:00" in London → "2026-07-01T13:00:00.000Z". */
export function londonToIso(local: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(local);
  if (!match) throw new Error(`Not a date and time: ${local}`);
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0] = match.slice(1).map(Number);
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  let utc = wall - londonOffsetMinutes(new Date(wall)) * 60000;
  const settled = wall - londonOffsetMinutes(new Date(utc)) * 60000;
  if (settled !== utc) utc = settled;
  return new Date(utc).toISOString();
}

/** An instant → "YYYY-MM-DDTHH:MM" on London's clock, for a datetime-local input. */
export function isoToLondon(iso: string): string {
  const f = londonFields(new Date(iso));
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${f.year}-${pad(f.month)}-${pad(f.day)}T${pad(f.hour)}:${pad(f.minute)}`;
}

/** Minutes between two instants (a meeting's length). */
export function minutesBetween(startIso: string, endIso: string): number {
  return Math.round((new Date(endIso).getTime() - new Date(startIso).getTime()) / 60000);
}
