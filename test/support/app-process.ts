import { spawn, type ChildProcess } from 'node:child_process';

/** The app as its own operating-system process, so a test can kill it mid-work like a crash would. */
export class AppProcess {
  #child: ChildProcess | null = null;
  readonly output: string[] = [];
  /** The URL the app said it serves, from its "app started" log line. */
  baseUrl = '';

  /**
   * `nodeArgs` go to node before the app (e.g. `--cpu-prof`, which NODE_OPTIONS does not take);
   * `entry` is what runs: the TypeScript source through tsx, or a build (`['dist/src/main.js']`).
   */
  constructor(
    private readonly env: Record<string, string>,
    private readonly nodeArgs: string[] = [],
    private readonly entry: string[] = ['--import', 'tsx', 'src/main.ts'],
  ) {}

  async start(): Promise<void> {
    const child = spawn(process.execPath, [...this.nodeArgs, ...this.entry], {
      // The test reads the output, so JSON lines unless a test asks otherwise.
      env: { ...process.env, LOG_FORMAT: 'json', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    child.stdout.on('data', (chunk) => this.output.push(String(chunk)));
    child.stderr.on('data', (chunk) => this.output.push(String(chunk)));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`app did not start: ${this.output.join('')}`)), 30_000);
      // Read until the app says it started, and no longer: a benchmark's app writes a line per request.
      const started = (chunk: unknown) => {
        const line = String(chunk)
          .split('\n')
          .find((l) => l.includes('"app started"'));
        if (line) {
          this.baseUrl = (JSON.parse(line) as { baseUrl: string }).baseUrl;
          clearTimeout(timer);
          child.stdout.off('data', started);
          resolve();
        }
      };
      child.stdout.on('data', started);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`app exited with ${code}: ${this.output.join('')}`));
      });
    });
  }

  /** How the process ended: its exit code, or the signal that ended it; rejects after `timeoutMs`. */
  async exit(timeoutMs: number): Promise<number | NodeJS.Signals> {
    const child = this.#child;
    if (!child) throw new Error('the app was never started');
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode!;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`app still running after ${timeoutMs} ms: ${this.output.join('').slice(-2000)}`)), timeoutMs);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve(code ?? signal!);
      });
    });
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** SIGKILL: no graceful stop, jobs in flight stay active in the queue. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}
