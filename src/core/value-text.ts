/**
 * How text cells read as typed values — one grammar shared by schema checks,
 * schema inference, profiles and prediction files, so a value that passes one
 * passes them all (rules in the README).
 */

/** A finite decimal: optional sign, fraction and exponent (`-1`, `3.`, `.5`, `1e-3`). */
export const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Sign and digits only: `3.0` and `1e3` are not integers. */
export const INTEGER = /^[+-]?\d+$/;
export const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** ISO 8601 / RFC 3339 date-time, or a plain date (read as midnight). */
export const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?(?:[Zz]|[+-](\d{2})(?::?(\d{2}))?)?)?$/;

export function isDate(text: string): boolean {
  const m = DATE.exec(text);
  return m !== null && validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isDateTime(text: string): boolean {
  const m = DATETIME.exec(text);
  if (m === null || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) return false;
  const [hour, minute, second, offsetHour, offsetMinute] = [m[4], m[5], m[6], m[7], m[8]].map((g) =>
    g === undefined ? 0 : Number(g),
  ) as [number, number, number, number, number];
  return hour <= 23 && minute <= 59 && second <= 59 && offsetHour <= 23 && offsetMinute <= 59;
}

/** A real calendar date (leap years included). */
export function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}
