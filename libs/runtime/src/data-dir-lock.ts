import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { FailedPreconditionError } from '@sark/platform';

/** A held lock; `release` removes the lock file. */
export interface DirectoryLock {
  release(): Promise<void>;
}

/**
 * Takes `<lockFile>` for this process, so two processes never open the same
 * embedded PGlite data at once, which would corrupt it. A lock file left by
 * a process that no longer runs is taken over.
 *
 * @throws FailedPreconditionError naming the process that holds the lock.
 */
export async function lockDirectory(dir: string, lockFile: string): Promise<DirectoryLock> {
  await mkdir(dir, { recursive: true });

  // The lock file appears with its content in one step (a hard link to a
  // file already written), so no other process ever reads it empty.
  const draft = `${lockFile}.${process.pid}.${randomUUID()}`;
  await writeFile(draft, String(process.pid));

  try {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await link(draft, lockFile);
        return { release: () => rm(lockFile, { force: true }) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          throw error;
        }
        await takeOverIfStale(lockFile, dir);
      }
    }
  } finally {
    await rm(draft, { force: true });
  }
  throw new FailedPreconditionError('store.data_dir_in_use', `cannot lock ${dir}: ${lockFile} keeps reappearing`);
}

async function takeOverIfStale(lockFile: string, dir: string): Promise<void> {
  const holder = Number((await readFile(lockFile, 'utf8').catch(() => '')).trim());
  // A lock with this process's own id is stale: in a container the node
  // restarts with the same pid (often 1) after a crash.
  if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isRunning(holder)) {
    throw new FailedPreconditionError('store.data_dir_in_use', `${dir} is used by process ${holder}: stop that node or set dataDir to another directory`);
  }
  await rm(lockFile, { force: true });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
