// Token amounts between base units (bigint) and the decimal text the page shows and reads.

/** `12345678900n` with 8 decimals is "123.456789". */
export function formatAmount(units: bigint, decimals = 8): string {
  const scale = 10n ** BigInt(decimals);
  const whole = units / scale;
  const fraction = (units % scale).toString().padStart(decimals, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

/** "1.5" with 8 decimals is 150000000n; undefined for anything that is not a non-negative amount. */
export function parseAmount(text: string, decimals = 8): bigint | undefined {
  const match = /^\s*(\d*)(?:\.(\d*))?\s*$/.exec(text);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) return undefined;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return undefined;
  return BigInt(match[1] || '0') * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}
