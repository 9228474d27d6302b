/**
 * A task the server runs at start and then on an interval, in the background. Its timer does not
 * keep the process alive; `runOnce` joins a run already going rather than starting a second, and
 * `stop()` waits for a running one, so the database can be closed after it.
 */
export interface PeriodicTask<T> {
  /** Runs now (joining a run already going); after stop(), resolves to `idle` without running. */
  runOnce(): Promise<T>;
  stop(): Promise<void>;
}

/** `run` must not reject: it reports its own failures and resolves to what the caller counts. */
export function startPeriodicTask<T>(run: () => Promise<T>, idle: T, intervalMs: number): PeriodicTask<T> {
  let running: Promise<T> | undefined;
  let stopped = false;
  const runOnce = (): Promise<T> => {
    if (stopped) return Promise.resolve(idle);
    running ??= run().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void runOnce(), intervalMs).unref();
  void runOnce();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
