import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FailedPreconditionError } from '@sark/platform';
import { lockDirectory } from './data-dir-lock.js';

describe('data directory lock', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sark-lock-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes this process id and removes the file on release', async () => {
    const lockFile = path.join(dir, 'a.lock');

    const lock = await lockDirectory(dir, lockFile);
    assert.equal(await readFile(lockFile, 'utf8'), String(process.pid));
    await lock.release();

    await assert.rejects(readFile(lockFile), { code: 'ENOENT' });
  });

  it('rejects a lock held by a running process', async () => {
    const lockFile = path.join(dir, 'b.lock');
    await writeFile(lockFile, String(process.ppid));

    await assert.rejects(lockDirectory(dir, lockFile), (error: unknown) => {
      assert.ok(error instanceof FailedPreconditionError);
      assert.equal(error.code, 'store.data_dir_in_use');
      assert.equal(error.message, `${dir} is used by process ${process.ppid}: stop that node or set dataDir to another directory`);
      return true;
    });
  });

  it('takes over a lock that names this process', async () => {
    const lockFile = path.join(dir, 'd.lock');
    await writeFile(lockFile, String(process.pid));

    const lock = await lockDirectory(dir, lockFile);

    assert.equal(await readFile(lockFile, 'utf8'), String(process.pid));
    await lock.release();
  });

  it('takes over a lock left by a process that exited', async () => {
    const lockFile = path.join(dir, 'c.lock');
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    await writeFile(lockFile, exited.stdout.toString());

    const lock = await lockDirectory(dir, lockFile);

    assert.equal(await readFile(lockFile, 'utf8'), String(process.pid));
    await lock.release();
  });
});
