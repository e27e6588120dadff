/**
 * Counts, exact sizes and bit rates written one way per locale. Intl.NumberFormat gives each
 * locale its own grouping ("1,304,262,391" in English; Chinese groups the same way), so a size
 * never reads "1304262391 B" beside "652,217,571 B". Formatters are cached: building one costs
 * far more than formatting with it, and a generator's progress re-renders many times a second.
 */
const cache = new Map<string, Intl.NumberFormat>();
function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.NumberFormat(locale, options)));
  return f;
}

/** A whole count as the locale groups it: "3,142,429". */
export function formatCount(n: number, locale: string): string {
  return numberFormat(locale, { maximumFractionDigits: 0 }).format(n);
}

/** An exact byte count (a message, a counter): "652,217,571 B". Rounded sizes use formatBytes. */
export function formatByteCount(n: number, locale: string): string {
  return `${formatCount(n, locale)} B`;
}

const rateUnits = [
  { unit: 'Gbit/s', scale: 1e9 },
  { unit: 'Mbit/s', scale: 1e6 },
  { unit: 'kbit/s', scale: 1e3 },
] as const;

/**
 * A bit rate in the largest SI unit (network rates are decimal: 1 Mbit/s = 10^6 bit/s) that
 * keeps the number at 1 or more, to three significant digits: 10,000 pps × 8 B reads
 * "640 kbit/s", not "0.0006 Gbit/s".
 */
export function formatBitRate(bitsPerSecond: number, locale: string): string {
  if (!Number.isFinite(bitsPerSecond) || bitsPerSecond < 0) return '—';
  const digits = numberFormat(locale, { maximumSignificantDigits: 3 });
  for (const { unit, scale } of rateUnits) {
    // Compare after rounding, so 999,999 bit/s reads "1 Mbit/s", not "1,000 kbit/s".
    const v = Number((bitsPerSecond / scale).toPrecision(3));
    if (v >= 1) return `${digits.format(v)} ${unit}`;
  }
  return `${digits.format(Number(bitsPerSecond.toPrecision(3)))} bit/s`;
}

const plurals = new Map<string, Intl.PluralRules>();
/**
 * The CLDR plural category of `n` in `locale` ("one" / "other" in English; Chinese has only
 * "other"), for picking "1 message" or "2 messages".
 */
export function pluralCategory(n: number, locale: string): Intl.LDMLPluralRule {
  let rules = plurals.get(locale);
  if (!rules) plurals.set(locale, (rules = new Intl.PluralRules(locale)));
  return rules.select(n);
}
