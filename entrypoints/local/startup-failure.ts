import { ContainerDidNotStart } from './container-process.ts';

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

/**
 * The one line `bun run dev` prints when it cannot start: what is wrong and what to do,
 * never a stack trace. The one place a startup failure becomes words.
 */
export function startupFailureMessage(error: unknown): string {
  if (error instanceof ContainerDidNotStart) {
    return `the container app exited with code ${error.exitCode} while starting (its message is above)`;
  }
  if (error instanceof PortInUse) {
    return `${error.variable} ${error.port} is in use by another process; stop it or set ${error.variable}`;
  }
  return error instanceof Error ? error.message : String(error);
}
