/**
 * Epoch milliseconds → ISO-8601 (`2014-12-14T04:06:50.000Z`), exactly as `Date#toISOString`
 * writes it, without allocating a Date: every alert needs up to three of these, and
 * `toISOString` was the largest cost of normalizing a record.
 */
/** 10000-01-01T00:00:00.000Z: from here on ISO-8601 needs a 6-digit year, which RFC 3339 consumers reject. */
const END_MS = 253_402_300_800_000;
/** 0000-01-01T00:00:00.000Z: before it the year is negative. */
const START_MS = -62_167_219_200_000;
const MS_PER_DAY = 86_400_000;

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * ISO-8601 for an epoch-milliseconds value, or `null` when it is absent or outside the years
 * 0000-9999 (the contract's 4-digit-year format; a hostile record can carry any number).
 */
export function isoFromMillis(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms < START_MS || ms >= END_MS) return null;
  if (ms < 0 || !Number.isInteger(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / MS_PER_DAY);
  let rest = ms - days * MS_PER_DAY;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  // Civil date from days since 1970-01-01 (H. Hinnant, "chrono-compatible low-level date algorithms").
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const yyyy = year < 1000 ? `000${year}`.slice(-4) : `${year}`;
  return `${yyyy}-${pad2(month)}-${pad2(day)}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(millis)}Z`;
}
