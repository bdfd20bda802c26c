import { parseArgs, type ParseArgsConfig } from 'node:util';

import { commandGroups } from './command-groups.js';
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  type CliIo,
  type Command,
  type CommandGroup,
  type OptionValues,
} from './command.js';
import { formatCommandHelp, formatGroupHelp, formatTopHelp } from './help.js';

const HELP_FLAGS = new Set(['help', '--help', '-h']);

/**
 * Runs `sarkctl <group> <command> [options]` and returns the exit code:
 * 0 on success or help, 1 when the command failed, 2 for a usage error.
 * Errors are printed to `io.stderr` as one line `sarkctl: ...`.
 *
 * @param argv Arguments after the program name.
 * @param groups Command groups by name. Default: every group of sarkctl.
 */
export async function runSarkctl(
  argv: string[],
  io: CliIo,
  groups: Record<string, CommandGroup> = commandGroups,
): Promise<number> {
  const [groupName, commandName, ...rest] = argv;
  if (groupName === undefined) {
    return usageFailure(io, 'missing command', 'sarkctl help');
  }
  if (HELP_FLAGS.has(groupName)) {
    return printHelp(io, groups, commandName, rest[0]);
  }

  const group = groups[groupName];
  if (group === undefined) {
    return usageFailure(io, `unknown command ${JSON.stringify(groupName)}`, 'sarkctl help');
  }
  if (commandName === undefined) {
    return usageFailure(io, `missing ${groupName} command`, `sarkctl ${groupName} --help`);
  }
  if (HELP_FLAGS.has(commandName)) {
    return writeHelp(io, formatGroupHelp(groupName, group));
  }

  const command = group.commands[commandName];
  if (command === undefined) {
    return usageFailure(io, `unknown ${groupName} command ${JSON.stringify(commandName)}`, `sarkctl ${groupName} --help`);
  }

  return runCommand(`${groupName} ${commandName}`, command, rest, io);
}

async function runCommand(commandPath: string, command: Command, argv: string[], io: CliIo): Promise<number> {
  try {
    const values = parseCommandArgs(command, argv);
    if (values.help === true) {
      return writeHelp(io, formatCommandHelp(commandPath, command));
    }

    return await command.run(values, io);
  } catch (error) {
    if (error instanceof UsageError) {
      return usageFailure(io, `${commandPath}: ${error.message}`, `sarkctl ${commandPath} --help`);
    }

    io.stderr.write(`sarkctl: ${commandPath}: ${describeFailure(error)}\n`);
    return EXIT_FAILURE;
  }
}

function parseCommandArgs(command: Command, argv: string[]): OptionValues {
  const options: ParseArgsConfig['options'] = { help: { type: 'boolean', short: 'h' } };
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = { type: spec.type, multiple: spec.multiple ?? false };
  }

  const values = parseWithUsageErrors({ args: argv, options, strict: true, allowPositionals: false });
  if (values.help === true) {
    return values;
  }

  const missing = Object.entries(command.options).find(([name, spec]) => spec.required === true && values[name] === undefined);
  if (missing !== undefined) {
    const [name, spec] = missing;
    const valueName = spec.valueName === undefined ? '' : ` ${spec.valueName}`;
    throw new UsageError(`missing --${name}${valueName}`);
  }

  return values;
}

function parseWithUsageErrors(config: ParseArgsConfig): OptionValues {
  try {
    return parseArgs(config).values as OptionValues;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      // Node's messages continue with advice on positional arguments after the first sentence.
      const firstSentence = ((error as Error).message.split(/\.\s/)[0] ?? '').replace(/\s*\n\s*/g, ' ');
      throw new UsageError(firstSentence.charAt(0).toLowerCase() + firstSentence.slice(1));
    }
    throw error;
  }
}

function printHelp(
  io: CliIo,
  groups: Record<string, CommandGroup>,
  groupName: string | undefined,
  commandName: string | undefined,
): number {
  if (groupName === undefined) {
    return writeHelp(io, formatTopHelp(groups));
  }

  const group = groups[groupName];
  if (group === undefined) {
    return usageFailure(io, `unknown command ${JSON.stringify(groupName)}`, 'sarkctl help');
  }
  if (commandName === undefined) {
    return writeHelp(io, formatGroupHelp(groupName, group));
  }

  const command = group.commands[commandName];
  if (command === undefined) {
    return usageFailure(io, `unknown ${groupName} command ${JSON.stringify(commandName)}`, `sarkctl ${groupName} --help`);
  }

  return writeHelp(io, formatCommandHelp(`${groupName} ${commandName}`, command));
}

function writeHelp(io: CliIo, text: string): number {
  io.stdout.write(text);

  return EXIT_OK;
}

function usageFailure(io: CliIo, message: string, helpCommand: string): number {
  io.stderr.write(`sarkctl: ${message}; run '${helpCommand}' for usage\n`);

  return EXIT_USAGE;
}

// Only the message is printed: commands throw errors whose messages name the
// file or value and the fix, and a stack trace would bury that line.
function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    return error.message.replaceAll('\n', ' ');
  }

  return String(error);
}
