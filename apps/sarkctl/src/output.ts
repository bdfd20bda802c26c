import type { Timestamp } from '@sark/proto';

import type { CliIo } from './command.js';

const COLUMN_GAP = '  ';
const ELLIPSIS = '…';
const EMPTY_CELL = '-';
// Server values go to a terminal: control characters could move the cursor
// or rewrite earlier lines, so table and field output replaces them.
// eslint-disable-next-line no-control-regex -- the pattern exists to match control characters
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** One column of a table. */
export interface TableColumn {
  header: string;
  /** Cells longer than this many characters are cut and end in `…`. Default: never cut. */
  maxWidth?: number;
}

/**
 * Formats rows as a table with a header line and columns separated by two
 * spaces. Empty cells print as `-`, control characters as one space, and
 * cells longer than their column's maxWidth are cut to it.
 */
export function formatTable(columns: TableColumn[], rows: string[][]): string {
  const cells = rows.map((row) => columns.map((column, index) => fitCell(row[index] ?? '', column.maxWidth)));
  const widths = columns.map((column, index) => Math.max(column.header.length, ...cells.map((row) => (row[index] ?? '').length)));

  const lines = [columns.map((column) => column.header), ...cells].map((row) =>
    row
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join(COLUMN_GAP)
      .trimEnd(),
  );

  return `${lines.join('\n')}\n`;
}

/** Formats `name: value` lines, one a field, with control characters replaced. */
export function formatFields(fields: Array<[string, string]>): string {
  return fields.map(([name, value]) => `${name}: ${printable(value)}\n`).join('');
}

/** Formats a protobuf timestamp as ISO 8601 UTC to the second, or `absent` when it is unset. */
export function formatTimestamp(timestamp: Timestamp | undefined, absent: string): string {
  if (timestamp === undefined) {
    return absent;
  }

  const millis = timestamp.seconds * 1000 + Math.floor(timestamp.nanos / 1_000_000);

  return new Date(millis).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Writes a value as indented JSON and a newline, unchanged apart from the formatting. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function fitCell(value: string, maxWidth: number | undefined): string {
  const text = printable(value);
  if (text === '') {
    return EMPTY_CELL;
  }
  if (maxWidth === undefined || text.length <= maxWidth) {
    return text;
  }

  return `${text.slice(0, maxWidth - ELLIPSIS.length)}${ELLIPSIS}`;
}

function printable(value: string): string {
  return value.replace(CONTROL_CHARACTERS, ' ');
}
