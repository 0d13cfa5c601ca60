// Durations in workflow files: a whole number and one unit (`30s`, `5m`, `2h`, `2d`, `1w`).

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** How a duration is written, for error messages. */
export const DURATION_FORMAT = 'a duration like 30s, 5m, 2h, 2d or 1w';

/**
 * Milliseconds, or undefined when `text` is not a duration. Deliberately strict: a bare number
 * would leave the reader guessing the unit, and `1h30m` or `1.5h` is better written `90m`.
 *
 * @example parseDuration('2d') // 172800000
 */
export function parseDuration(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^([1-9][0-9]{0,5})([smhdw])$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}
