import { DataDirInUse } from '../../adapters/dynamodb/embedded/embedded-dynamodb.ts';
import { ContainerDidNotStart } from './container-process.ts';

/** What the message may name: the settings as the user gave them. */
export interface StartupContext {
  readonly dataDir: string;
}

/** A port the stack was told to listen on (by `variable`) is taken. */
export class PortInUse extends Error {
  constructor(
    readonly variable: 'PORT' | 'PORT_APP',
    readonly port: number,
  ) {
    super(`${variable} ${port} is in use`);
    this.name = 'PortInUse';
  }
}

/** Runs `listen`; a taken port becomes a PortInUse naming the variable that chose it. */
export function listenOn<T>(variable: PortInUse['variable'], port: number, listen: () => T): T {
  try {
    return listen();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EADDRINUSE') throw new PortInUse(variable, port);
    throw error;
  }
}

/** Whether a process with this id exists (signal 0 checks without sending anything). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: unknown }).code === 'EPERM';
  }
}

/**
 * The one line `bun run dev` prints when it cannot start: what is wrong and what to do,
 * never a stack trace. The one place a startup failure becomes words.
 */
export function startupFailureMessage(
  error: unknown,
  context: StartupContext,
  exists: (pid: number) => boolean = processExists,
): string {
  if (error instanceof DataDirInUse) {
    const dir = `${context.dataDir.replace(/\/+$/, '')}/`;
    if (error.ownerPid !== undefined && exists(error.ownerPid)) {
      return `${dir} is in use by another picus stack (pid ${error.ownerPid}); stop it or set DATA_DIR`;
    }
    if (error.enginePid !== undefined && exists(error.enginePid)) {
      return (
        `${dir} is in use by an embedded DynamoDB whose stack is gone (pid ${error.enginePid}); ` +
        'stop it or set DATA_DIR'
      );
    }
    return `${dir} is in use by another process (LevelDB lock held); stop it or set DATA_DIR`;
  }
  if (error instanceof ContainerDidNotStart) {
    return `the container app exited with code ${error.exitCode} while starting (its message is above)`;
  }
  if (error instanceof PortInUse) {
    return `${error.variable} ${error.port} is in use by another process; stop it or set ${error.variable}`;
  }
  return error instanceof Error ? error.message : String(error);
}
