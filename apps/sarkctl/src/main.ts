#!/usr/bin/env node
import { runSarkctl } from './cli.js';

process.exitCode = await runSarkctl(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  now: () => new Date(),
});
