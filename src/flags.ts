/**
 * Flag parsing, one definition per flag: the factories return a commander `Option` whose
 * help text shows the range (or the choices) and the default, and whose argParser checks
 * the value against the same numbers and hands the command a typed value. A bad value is
 * a UsageError thrown from the parser: commander passes it through unchanged, so the CLI
 * prints `elasticache-kit: --clients must be an integer 1-1000 (got abc)` and exits 2.
 *
 * The parse functions are exported for the callers that check values that are not flags
 * (prompt answers, API parameters): one parser per kind, one message per kind.
 *
 * Loaded by every command's registration (`--help`): commander and errors.ts only.
 */
import { Option } from 'commander';
import { UsageError } from './errors.js';

export interface Range {
  min: number;
  max: number;
}

/** What the help says when the flag is absent: a value, or words (`number of cores`). */
export type DefaultText = number | string;

const show = (raw: string) => (raw === '' ? '""' : raw);

/** A whole number in [min, max] (underscores allowed as digit separators: 1_000_000). */
export function parseInteger(flag: string, raw: string | number, range: Range): number {
  const text = String(raw).trim();
  const value = Number(text.replace(/_/g, ''));
  if (text === '' || !/^-?[\d_]+$/.test(text) || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw new UsageError(`${flag} must be an integer ${rangeText(range)} (got ${show(String(raw))})`);
  }
  return value;
}

/** A number in [min, max], decimals allowed (seconds: 0.5). */
export function parseNumber(flag: string, raw: string | number, range: Range): number {
  const text = String(raw).trim();
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || value < range.min || value > range.max) {
    throw new UsageError(`${flag} must be a number ${rangeText(range)} (got ${show(String(raw))})`);
  }
  return value;
}

export interface ChoiceSettings {
  /** Accept `all`, `ALL` and `All` for `all` (the default); false for values AWS takes verbatim. */
  ignoreCase?: boolean;
}

/** One of `choices`, returned as the choice is spelled there. */
export function parseChoice<T extends string>(
  flag: string,
  raw: string,
  choices: readonly T[],
  settings: ChoiceSettings = {},
): T {
  const ignoreCase = settings.ignoreCase ?? true;
  const match = choices.find((choice) => (ignoreCase ? choice.toLowerCase() === raw.toLowerCase() : choice === raw));
  if (match === undefined) throw new UsageError(`${flag} must be one of ${choices.join(', ')} (got ${show(raw)})`);
  return match;
}

/** `1-1000`, as both the help and the messages write a range. */
export function rangeText(range: Range): string {
  return `${range.min}-${range.max}`;
}

function defaultText(value: DefaultText | undefined): string {
  return value === undefined ? '' : ` (default ${value})`;
}

/**
 * `flags` takes an integer in `range`. Help: "<description>, <min>-<max> (default <d>)".
 * The default is help text only: an absent flag stays undefined, so the command can tell
 * "not given" from "given as the default" (a combination rule, an idempotent re-run).
 */
export function integerOption(flags: string, description: string, range: Range, defaultValue?: DefaultText): Option {
  const option = new Option(flags, `${description}, ${rangeText(range)}${defaultText(defaultValue)}`);
  const flag = flagOf(option);
  return option.argParser((raw: string) => parseInteger(flag, raw, range));
}

/** As integerOption, for numbers with decimals (seconds). */
export function numberOption(flags: string, description: string, range: Range, defaultValue?: DefaultText): Option {
  const option = new Option(flags, `${description}, ${rangeText(range)}${defaultText(defaultValue)}`);
  const flag = flagOf(option);
  return option.argParser((raw: string) => parseNumber(flag, raw, range));
}

/**
 * `flags` takes one of `choices`. Help: "<description>: <a>, <b> or <c> (default <d>)".
 * (Not commander's own `.choices()`: its error is a two-line commander message, and it
 * matches case-sensitively.)
 */
export function choiceOption<T extends string>(
  flags: string,
  description: string,
  choices: readonly T[],
  defaultValue?: string,
  settings: ChoiceSettings = {},
): Option {
  const list =
    choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}` : choices.join('');
  const option = new Option(flags, `${description}: ${list}${defaultText(defaultValue)}`);
  const flag = flagOf(option);
  return option.argParser((raw: string) => parseChoice(flag, raw, choices, settings));
}

function flagOf(option: Option): string {
  return option.long ?? option.short ?? option.name();
}

/** The longest any wait may be told to last: a day, in minutes. */
export const MAX_WAIT_MINUTES = 24 * 60;
/** What every wait does without --wait-timeout. */
export const DEFAULT_WAIT_MINUTES = 60;

/** --wait-timeout: minutes, more than 0 (decimals allowed: 0.5) and at most a day. */
export function parseWaitTimeout(value: string | number): number {
  const text = String(value).trim();
  const minutes = Number(text);
  if (text === '' || !Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_WAIT_MINUTES) {
    throw new UsageError(
      `--wait-timeout must be minutes, more than 0 and at most ${MAX_WAIT_MINUTES} (got ${show(String(value))})`,
    );
  }
  return minutes;
}

/** `--wait-timeout <minutes>` of every command that waits; `description` says what gives up. */
export function waitTimeoutOption(description: string): Option {
  return new Option(
    '--wait-timeout <minutes>',
    `${description} after this many minutes, more than 0 and at most ${MAX_WAIT_MINUTES} (exit 4; default ${DEFAULT_WAIT_MINUTES})`,
  ).argParser(parseWaitTimeout);
}

/** The emulator's simulated replication delay (`local start` and `demo`), in milliseconds. */
export const REPLICATION_DELAY_MS = { min: 0, max: 60_000 } as const;
/** local start --lifecycle-ms: how long creating/modifying/deleting last (at most an hour). */
export const LIFECYCLE_MS = { min: 0, max: 3_600_000 } as const;
