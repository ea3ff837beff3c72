import { describe, expect, test } from 'bun:test';
import { DataDirInUse } from '../../../adapters/dynamodb/embedded/embedded-dynamodb.ts';
import { ContainerDidNotStart } from '../container-process.ts';
import { PortInUse, processExists, startupFailureMessage } from '../startup-failure.ts';

const context = { dataDir: '.data' };
const alive =
  (...pids: number[]) =>
  (pid: number) =>
    pids.includes(pid);

describe('startupFailureMessage: one line, what is wrong and what to do', () => {
  test('the data directory held by a running stack names its pid', () => {
    expect(startupFailureMessage(new DataDirInUse('.data/dynamodb', 41, 42), context, alive(41, 42))).toBe(
      '.data/ is in use by another picus stack (pid 41); stop it or set DATA_DIR',
    );
  });

  test('held by an engine whose stack is gone: names the engine', () => {
    expect(startupFailureMessage(new DataDirInUse('.data/dynamodb', 41, 42), context, alive(42))).toBe(
      '.data/ is in use by an embedded DynamoDB whose stack is gone (pid 42); stop it or set DATA_DIR',
    );
  });

  test('held by a process that recorded nothing (or is gone): says the lock is held', () => {
    expect(
      startupFailureMessage(new DataDirInUse('x/dynamodb', undefined, undefined), { dataDir: 'x/' }, alive()),
    ).toBe('x/ is in use by another process (LevelDB lock held); stop it or set DATA_DIR');
  });

  test('ports name the variable that chose them', () => {
    expect(startupFailureMessage(new PortInUse('PORT', 8081), context)).toBe(
      'PORT 8081 is in use by another process; stop it or set PORT',
    );
    expect(startupFailureMessage(new PortInUse('PORT_APP', 8001), context)).toBe(
      'PORT_APP 8001 is in use by another process; stop it or set PORT_APP',
    );
  });

  test('a container that exited while starting points at its own message', () => {
    expect(startupFailureMessage(new ContainerDidNotStart(1), context)).toBe(
      'the container app exited with code 1 while starting (its message is above)',
    );
  });

  test('anything else is its message, never a stack', () => {
    expect(startupFailureMessage(new Error('boom'), context)).toBe('boom');
  });

  test('processExists: this process exists; a pid past the kernel maximum does not', () => {
    expect(processExists(process.pid)).toBe(true);
    expect(processExists(2 ** 22 + 1)).toBe(false);
  });
});
