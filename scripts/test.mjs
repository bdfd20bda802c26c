#!/usr/bin/env node
// Runs the test suite with Node's test runner.
//
// Usage: node scripts/test.mjs [DIR|FILE ...]   (default: apps libs test)
//
// Tests need a real Redis and a real PostgreSQL. They are found through
// REDIS_URL (default redis://127.0.0.1:6379) and DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/test). Both are checked first, so a
// missing server fails the run at once with a message instead of hanging.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const redisUrl = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const databaseUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const checkTimeoutMs = 5000;

function findTestFiles(target) {
  const stat = statSync(target);
  if (stat.isFile()) {
    return target.endsWith('.test.ts') ? [target] : [];
  }
  const files = [];
  for (const entry of readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) {
      continue;
    }
    files.push(...findTestFiles(path.join(target, entry.name)));
  }
  return files;
}

function checkRedis(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const fail = (reason) => {
      socket.destroy();
      reject(new Error(`Redis at ${url} is not reachable (${reason}). Start Redis or set REDIS_URL.`));
    };
    socket.setTimeout(checkTimeoutMs, () => fail(`no answer within ${checkTimeoutMs} ms`));
    socket.on('error', (error) => fail(error.code ?? error.message));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (data) => {
      socket.end();
      const reply = data.toString();
      if (reply.startsWith('+PONG') || reply.startsWith('-NOAUTH')) {
        resolve();
      } else {
        fail(`unexpected reply ${JSON.stringify(reply.trim())}`);
      }
    });
  });
}

async function checkPostgres(url) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: checkTimeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`PostgreSQL at ${url} is not reachable (${error.code ?? error.message}). Start PostgreSQL or set DATABASE_URL.`, { cause: error });
  } finally {
    await client.end().catch(() => {});
  }
}

const targets = process.argv.slice(2);
const searchRoots = targets.length > 0 ? targets.map((t) => path.resolve(t)) : ['apps', 'libs', 'test'].map((d) => path.join(root, d));
const files = searchRoots.flatMap(findTestFiles).sort();
if (files.length === 0) {
  console.error(`No *.test.ts files under ${searchRoots.join(', ')}.`);
  process.exit(1);
}

try {
  await Promise.all([checkRedis(redisUrl), checkPostgres(databaseUrl)]);
} catch (error) {
  console.error(`Cannot run the tests: ${error.message}`);
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--conditions=development', '--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=180000', ...files],
  { cwd: root, stdio: 'inherit', env: { ...process.env, REDIS_URL: redisUrl, DATABASE_URL: databaseUrl } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
