import pino, { type Logger } from 'pino';
import type pinoPretty from 'pino-pretty';

/**
 * Paths that may carry a secret. pino replaces them before anything is written,
 * so a careless `log.info({ body })` still cannot leak a token.
 */
const REDACTED_PATHS = [
  'sharedSecret',
  '*.sharedSecret',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'credentials',
  '*.credentials',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["x-forge-oauth-system"]',
  'req.headers["x-forge-oauth-user"]',
  'headers.authorization',
  'headers["x-forge-oauth-system"]',
  'headers["x-forge-oauth-user"]',
  'access_token',
  '*.access_token',
];

export type { Logger };

/**
 * Stdout, written without blocking and in batches: a request never waits for whoever reads the log,
 * and one write carries many lines (writing each on its own cost more than the rest of the request
 * line, measured with `npm run bench -- observability`). A line waits at most LOG_FLUSH_MS, and
 * whatever is still buffered is written before the process exits.
 */
function stdoutInBatches(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: LOG_FLUSH_MS });
}

const LOG_BATCH_BYTES = 4096;
const LOG_FLUSH_MS = 250;

/** JSON lines to `destination`, by default to stdout (stdoutInBatches). */
export function createLogger(level: string, destination: pino.DestinationStream = stdoutInBatches()): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: undefined,
    },
    destination,
  );
}

/**
 * Readable lines for a developer's terminal. pino-pretty is a development dependency, loaded only
 * when asked for, so a production install without it still starts (and logs JSON).
 */
export async function prettyDestination(): Promise<pino.DestinationStream> {
  let pretty: typeof pinoPretty;
  try {
    pretty = (await import('pino-pretty')).default;
  } catch {
    throw new Error('LOG_FORMAT=pretty needs the pino-pretty package, a development dependency: install it, or set LOG_FORMAT=json.');
  }
  return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', singleLine: true });
}

/**
 * JSON in production and wherever a program reads the output; readable lines on a developer's terminal
 * and in a local sandbox run (`npm start`), which a person reads even when its output is piped.
 */
export function logFormatOf(
  config: { logFormat: 'json' | 'pretty' | undefined; env: string; sandbox: boolean },
  stdoutIsTerminal: boolean,
): 'json' | 'pretty' {
  if (config.logFormat) return config.logFormat;
  return config.env === 'development' && (stdoutIsTerminal || config.sandbox) ? 'pretty' : 'json';
}

/** Removes anything that looks like a secret from free text (ACE logs strings, not objects). */
export function scrubSecrets(text: string): string {
  return text
    .replace(/(sharedSecret['"]?\s*[:=]\s*['"]?)[^'",\s}]+/gi, '$1[redacted]')
    .replace(/\b(JWT|Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]')
    .replace(/([?&]jwt=)[^&\s]+/gi, '$1[redacted]');
}
