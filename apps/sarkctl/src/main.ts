#!/usr/bin/env node
import { runSarkctl } from './cli.js';

// `npm run sarkctl` runs from the repository root; INIT_CWD is where the
// user typed the command, so relative paths mean what the user expects.
if (process.env.INIT_CWD) {
  process.chdir(process.env.INIT_CWD);
}

const exitCode = await runSarkctl(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  now: () => new Date(),
});

// Exit explicitly: a gRPC channel whose handshake never finished can keep
// the event loop alive long after the call has failed.
process.stdout.write('', () => process.exit(exitCode));
