/**
 * Prompt helpers over @inquirer/prompts, loaded only when a prompt is actually shown (so
 * non-interactive runs never pay for it). Prompts draw on stderr, keeping stdout for the
 * result (`--output json` stays one clean document). Ctrl-C or a closed terminal while a
 * prompt is open becomes InterruptedError (exit 130): nothing has been created yet.
 */
import { InterruptedError } from '../errors.js';

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

/** A validator in the plan's style (throws with a one-line message) as inquirer's (returns it). */
export function validatorOf(check: (value: string) => unknown): (value: string) => true | string {
  return (value) => {
    try {
      check(value);
      return true;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  };
}

const context = () => ({ input: process.stdin, output: process.stderr });

async function guarded<T>(ask: () => Promise<T>): Promise<T> {
  try {
    return await ask();
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'ExitPromptError' || name === 'AbortPromptError')
      throw new InterruptedError('cancelled at the prompt; nothing was created');
    throw error;
  }
}

export async function askText(
  message: string,
  options: { default?: string; validate?: (value: string) => true | string } = {},
): Promise<string> {
  const { input } = await import('@inquirer/prompts');
  return guarded(() =>
    input(
      {
        message,
        ...(options.default !== undefined ? { default: options.default } : {}),
        ...(options.validate ? { validate: options.validate } : {}),
      },
      context(),
    ),
  );
}

export async function askSelect<T>(
  message: string,
  choices: Array<Choice<T>>,
  defaultValue?: T,
  pageSize = 12,
): Promise<T> {
  const { select } = await import('@inquirer/prompts');
  return guarded(() =>
    select<T>(
      { message, choices, pageSize, ...(defaultValue !== undefined ? { default: defaultValue } : {}) },
      context(),
    ),
  );
}

export async function askConfirm(message: string, defaultValue: boolean): Promise<boolean> {
  const { confirm } = await import('@inquirer/prompts');
  return guarded(() => confirm({ message, default: defaultValue }, context()));
}

/** Hidden input: shows a mask, never the characters. An empty answer is allowed when `optional`. */
export async function askSecret(
  message: string,
  validate: (value: string) => true | string,
  optional: boolean,
): Promise<string> {
  const { password } = await import('@inquirer/prompts');
  return guarded(() =>
    password(
      { message, mask: '*', validate: (value) => (optional && value === '' ? true : validate(value)) },
      context(),
    ),
  );
}
