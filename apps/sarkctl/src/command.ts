import { InvalidArgumentError } from '@sark/platform';

/** Output stream of a command, such as `process.stdout` or a test buffer. */
export interface TextSink {
  write(text: string): unknown;
}

/** The environment a command runs in, injected so that tests control it. */
export interface CliIo {
  stdout: TextSink;
  stderr: TextSink;
  now: () => Date;
}

/** One command-line option. Its name in `OptionSpecs` is the long flag without `--`. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Whether the option may be repeated. Its value is then a string array. */
  multiple?: boolean;
  required?: boolean;
  /** Placeholder in help text, such as `<dir>`. */
  valueName?: string;
  /** Help text: the setting the option controls, with unit and default. */
  description: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** Parsed option values by long name. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** A command such as `pki init`. */
export interface Command {
  /** One line for the command list. */
  summary: string;
  /** Paragraph shown by `--help` under the usage line. */
  description: string;
  options: OptionSpecs;
  /**
   * Runs the command with parsed and present required options, and returns
   * the exit code. Throws UsageError for invalid option values and any other
   * error for failures.
   */
  run(values: OptionValues, io: CliIo): Promise<number>;
}

/** A group of commands such as `pki`, with its commands by name. */
export interface CommandGroup {
  summary: string;
  commands: Record<string, Command>;
}

/** Exit code for success. */
export const EXIT_OK = 0;
/** Exit code for a command that failed. */
export const EXIT_FAILURE = 1;
/** Exit code for a command line that cannot be run: unknown command or option, missing or invalid value. */
export const EXIT_USAGE = 2;

/** The command line is wrong. The dispatcher prints the message with a hint to `--help` and exits with EXIT_USAGE. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Returns a string option. The dispatcher has already checked required options. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];

  return typeof value === 'string' ? value : undefined;
}

/** Returns a required string option, which the dispatcher has already checked is present. */
export function requiredStringOption(values: OptionValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined) {
    throw new UsageError(`missing --${name}`);
  }

  return value;
}

/** Returns the values of a repeatable string option, empty when absent. */
export function stringListOption(values: OptionValues, name: string): string[] {
  const value = values[name];

  return Array.isArray(value) ? value : [];
}

/**
 * Converts an InvalidArgumentError about a library field into a UsageError
 * about the option that supplied it, so `validityDays` reads as `--days`.
 * `optionByField` maps field names without an index (`dnsNames` for
 * `dnsNames[2]`) to long option names. Other errors are returned unchanged.
 */
export function toUsageError(error: unknown, optionByField: Record<string, string>): unknown {
  if (!(error instanceof InvalidArgumentError)) {
    return error;
  }

  const option = optionByField[error.field.replace(/\[\d+\]$/, '')];
  if (option === undefined) {
    return error;
  }

  const reason = error.message.startsWith(`${error.field}: `) ? error.message.slice(error.field.length + 2) : error.message;

  return new UsageError(`--${option}: ${reason}`);
}
