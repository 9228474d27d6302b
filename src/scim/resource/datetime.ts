// xsd:dateTime (RFC 7643 §2.3.5): date, "T", time with optional fraction, optional zone. Years
// beyond four digits and negative years are valid XML Schema but no directory stores them.
const XSD_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))?$/;

/** True when `text` is an xsd:dateTime naming a real instant (no 30 February, no hour 25). */
export function isXsdDateTime(text: string): boolean {
  const match = XSD_DATE_TIME.exec(text);
  if (match === null) return false;
  const [, year, month, day, hour, minute, second, , , zoneHour, zoneMinute] = match.map(Number);
  if (month === undefined || day === undefined || year === undefined) return false;
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  if ((hour ?? 0) > 24 || (minute ?? 0) > 59 || (second ?? 0) > 59) return false;
  // 24:00:00 is the end of the day in XML Schema; anything past it is not.
  if (hour === 24 && (minute !== 0 || second !== 0 || /\.\d*[1-9]/.test(text))) return false;
  if (match[8] !== undefined && match[8] !== 'Z') {
    if ((zoneHour ?? 0) > 14 || (zoneMinute ?? 0) > 59) return false;
  }
  return true;
}

function daysIn(year: number, month: number): number {
  // setUTCFullYear, unlike Date.UTC, does not read years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  return date.getUTCDate();
}
