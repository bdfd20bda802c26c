import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { InvalidArgumentError } from '@sark/platform';

import { runSarkctl } from './cli.js';
import { UsageError, stringListOption, toUsageError, type CliIo, type CommandGroup, type OptionValues } from './command.js';

interface CapturedIo {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
}

function captureIo(): CapturedIo {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { write: (text: string) => stderr.push(text) },
    now: () => new Date('2031-03-04T05:06:07Z'),
  };

  return { io, stdout: () => stdout.join(''), stderr: () => stderr.join('') };
}

const calls: OptionValues[] = [];
const testGroups: Record<string, CommandGroup> = {
  demo: {
    summary: 'Demonstration commands.',
    commands: {
      echo: {
        summary: 'Print the words',
        description: 'Prints each --word on its own line.',
        options: {
          word: { type: 'string', multiple: true, required: true, valueName: '<text>', description: 'Word to print.' },
          loud: { type: 'boolean', description: 'Print in upper case.' },
        },
        run: async (values, io) => {
          calls.push(values);
          const words = stringListOption(values, 'word').map((word) => (values.loud === true ? word.toUpperCase() : word));
          io.stdout.write(`${words.join('\n')}\n`);
          return 0;
        },
      },
      fail: {
        summary: 'Fail',
        description: 'Always fails.',
        options: { bad: { type: 'boolean', description: 'Fail with a usage error.' } },
        run: async (values) => {
          if (values.bad === true) {
            throw new UsageError('--bad: is not allowed');
          }
          throw new Error('disk full\nwhile writing');
        },
      },
    },
  },
};

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const captured = captureIo();
  const code = await runSarkctl(argv, captured.io, testGroups);

  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('runSarkctl dispatch', () => {
  it('runs a command with options', async () => {
    const result = await run(['demo', 'echo', '--word', 'a', '--word', 'b', '--loud']);

    assert.deepEqual(result, { code: 0, stdout: 'A\nB\n', stderr: '' });
    assert.deepEqual(calls.at(-1)?.word, ['a', 'b']);
  });

  const usageCases: Array<[string, string[], string]> = [
    ['no arguments', [], "sarkctl: missing command; run 'sarkctl help' for usage\n"],
    ['unknown group', ['nope'], `sarkctl: unknown command "nope"; run 'sarkctl help' for usage\n`],
    ['missing command', ['demo'], "sarkctl: missing demo command; run 'sarkctl demo --help' for usage\n"],
    ['unknown command', ['demo', 'nope'], `sarkctl: unknown demo command "nope"; run 'sarkctl demo --help' for usage\n`],
    ['missing required option', ['demo', 'echo'], "sarkctl: demo echo: missing --word <text>; run 'sarkctl demo echo --help' for usage\n"],
    ['unknown option', ['demo', 'echo', '--word', 'a', '--colour'], "sarkctl: demo echo: unknown option '--colour'; run 'sarkctl demo echo --help' for usage\n"],
    ['missing option value', ['demo', 'echo', '--word'], "sarkctl: demo echo: option '--word <value>' argument missing; run 'sarkctl demo echo --help' for usage\n"],
    ['positional argument', ['demo', 'echo', '--word', 'a', 'extra'], "sarkctl: demo echo: unexpected argument 'extra'; run 'sarkctl demo echo --help' for usage\n"],
    ['usage error from command', ['demo', 'fail', '--bad'], "sarkctl: demo fail: --bad: is not allowed; run 'sarkctl demo fail --help' for usage\n"],
    ['help for unknown group', ['help', 'nope'], `sarkctl: unknown command "nope"; run 'sarkctl help' for usage\n`],
  ];

  for (const [name, argv, stderr] of usageCases) {
    it(`exits 2 on ${name}`, async () => {
      assert.deepEqual(await run(argv), { code: 2, stdout: '', stderr });
    });
  }

  it('exits 1 on failure with one line', async () => {
    assert.deepEqual(await run(['demo', 'fail']), { code: 1, stdout: '', stderr: 'sarkctl: demo fail: disk full while writing\n' });
  });
});

describe('runSarkctl help', () => {
  it('lists every command', async () => {
    const result = await run(['help']);

    assert.equal(result.code, 0);
    assert.equal(
      result.stdout,
      [
        'Usage: sarkctl <group> <command> [options]',
        '',
        'Operator command line for a SARK Federation node.',
        '',
        'Commands:',
        '  demo echo  Print the words',
        '  demo fail  Fail',
        '',
        "Run 'sarkctl <group> <command> --help' for the options of a command.",
        '',
      ].join('\n'),
    );
  });

  it('describes each option of a command', async () => {
    const expected = [
      'Usage: sarkctl demo echo --word <text> [--loud]',
      '',
      'Prints each --word on its own line.',
      '',
      'Options:',
      '  --word <text>  Word to print. Required. Repeatable.',
      '  --loud         Print in upper case.',
      '  -h, --help     Print this help and exit.',
      '',
    ].join('\n');

    assert.deepEqual(await run(['demo', 'echo', '--help']), { code: 0, stdout: expected, stderr: '' });
    assert.deepEqual(await run(['help', 'demo', 'echo']), { code: 0, stdout: expected, stderr: '' });
    assert.deepEqual(await run(['demo', 'echo', '-h']), { code: 0, stdout: expected, stderr: '' });
  });

  it('lists the commands of a group', async () => {
    const result = await run(['demo', '--help']);

    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: sarkctl demo <command> \[options\]\n\nDemonstration commands\.\n\nCommands:\n {2}echo {2}Print the words\n {2}fail {2}Fail\n/);
  });
});

describe('toUsageError', () => {
  it('names the option of a field', () => {
    const error = toUsageError(new InvalidArgumentError('dnsNames[1]', 'must be a DNS name'), { dnsNames: 'dns' });

    assert.ok(error instanceof UsageError);
    assert.equal(error.message, '--dns: must be a DNS name');
  });

  it('keeps errors of unmapped fields', () => {
    const original = new InvalidArgumentError('ca.keyPem', 'is wrong');

    assert.equal(toUsageError(original, { role: 'role' }), original);
  });
});
