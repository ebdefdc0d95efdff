/**
 * A number as en-US writes it (1,234,567.891: thousands grouped, at most three decimals),
 * without Intl. Why: the first toLocaleString() of a process loads ICU's locale data, about
 * 20 ms of CPU, and demo's help text formatted a number as its module loaded, so every
 * command paid it: `--help` took 1.6x a bare `node -e 0` (dist/bench/endpoints-latency.js).
 * Rounded as ICU does: half away from zero, on the shortest decimal that names the double
 * (1.0005 gives 1.001, which toFixed(3) would write 1.000).
 */
export function groupedNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  const magnitude = Math.abs(value);
  // Below 1e-6 String() writes an exponent; those round to 0 at three decimals anyway.
  const decimal = magnitude < 1e-6 ? '0' : magnitude >= 1e21 ? BigInt(magnitude).toString() : String(magnitude);
  const [whole = '0', fraction = ''] = decimal.split('.');
  // The value in thousandths, as a digit string, rounded on the fourth decimal.
  let thousandths = BigInt(whole + fraction.slice(0, 3).padEnd(3, '0'));
  if ((fraction[3] ?? '0') >= '5') thousandths += 1n;
  const digits = thousandths.toString().padStart(4, '0');
  const decimals = digits.slice(-3).replace(/0+$/, '');
  const integer = digits.slice(0, -3).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  // As ICU does, a negative keeps its sign even when it rounds to 0 (-0.0004 gives -0).
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  return `${sign}${integer}${decimals ? `.${decimals}` : ''}`;
}
