import type { Command, CommandGroup, OptionSpec } from './command.js';

const COLUMN_GAP = 2;

/** Formats `sarkctl help`: every command of every group. */
export function formatTopHelp(groups: Record<string, CommandGroup>): string {
  const rows = Object.entries(groups).flatMap(([groupName, group]) =>
    Object.entries(group.commands).map(([commandName, command]): [string, string] => [
      `${groupName} ${commandName}`,
      command.summary,
    ]),
  );

  return [
    'Usage: sarkctl <group> <command> [options]',
    '',
    'Operator command line for a SARK Federation node.',
    '',
    'Commands:',
    ...formatColumns(rows),
    '',
    "Run 'sarkctl <group> <command> --help' for the options of a command.",
    '',
  ].join('\n');
}

/** Formats `sarkctl <group> --help`. */
export function formatGroupHelp(groupName: string, group: CommandGroup): string {
  const rows = Object.entries(group.commands).map(([commandName, command]): [string, string] => [commandName, command.summary]);

  return [
    `Usage: sarkctl ${groupName} <command> [options]`,
    '',
    group.summary,
    '',
    'Commands:',
    ...formatColumns(rows),
    '',
    `Run 'sarkctl ${groupName} <command> --help' for the options of a command.`,
    '',
  ].join('\n');
}

/** Formats `sarkctl <group> <command> --help`: usage line, description and options. */
export function formatCommandHelp(commandPath: string, command: Command): string {
  const options = Object.entries(command.options);
  const usageParts = options.map(([name, spec]) => {
    const flag = `--${name}${spec.valueName === undefined ? '' : ` ${spec.valueName}`}`;
    const repeatable = spec.multiple === true ? '...' : '';
    return spec.required === true ? flag : `[${flag}]${repeatable}`;
  });
  const rows = options.map(([name, spec]): [string, string] => [formatFlag(name, spec), describeOption(spec)]);

  return [
    `Usage: sarkctl ${commandPath} ${usageParts.join(' ')}`,
    '',
    command.description,
    '',
    'Options:',
    ...formatColumns([...rows, ['-h, --help', 'Print this help and exit.']]),
    '',
  ].join('\n');
}

function formatFlag(name: string, spec: OptionSpec): string {
  return `--${name}${spec.valueName === undefined ? '' : ` ${spec.valueName}`}`;
}

function describeOption(spec: OptionSpec): string {
  const parts = [spec.description];
  if (spec.required === true) {
    parts.push('Required.');
  }
  if (spec.multiple === true) {
    parts.push('Repeatable.');
  }

  return parts.join(' ');
}

function formatColumns(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length)) + COLUMN_GAP;

  return rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`);
}
