import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { logFormatOf } from '../../src/logger.js';

describe('the operability settings', () => {
  it('count nothing and serve no metrics unless a token or a port of their own guards them', () => {
    expect(loadConfig({}).metrics).toBeNull();
    expect(loadConfig({ METRICS_SITE_LABELS: 'on' }).metrics).toBeNull();
    expect(loadConfig({ METRICS_TOKEN: 'a-metrics-token-of-24-chars' }).metrics).toEqual({
      token: 'a-metrics-token-of-24-chars',
      port: undefined,
      siteLabels: false,
    });
    expect(loadConfig({ METRICS_PORT: '9464', METRICS_SITE_LABELS: 'on' }).metrics).toEqual({ token: undefined, port: 9464, siteLabels: true });
  });

  it('default to a request log, a week of silence before the warning, and ten seconds to stop', () => {
    expect(loadConfig({})).toMatchObject({ requestLog: true, logFormat: undefined, eventSilenceWarningDays: 7, shutdownGraceMs: 10_000 });
    expect(loadConfig({ REQUEST_LOG: 'off', LOG_FORMAT: 'json', EVENT_SILENCE_WARNING_DAYS: '3', SHUTDOWN_GRACE_SECONDS: '25' })).toMatchObject({
      requestLog: false,
      logFormat: 'json',
      eventSilenceWarningDays: 3,
      shutdownGraceMs: 25_000,
    });
  });

  it.each([
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN: must be at least 24 characters long'],
    [{ METRICS_PORT: '3000' }, 'METRICS_PORT must differ from PORT, so that the metrics stay off the public routes'],
    [{ METRICS_PORT: 'nine' }, 'METRICS_PORT'],
    [{ METRICS_SITE_LABELS: 'yes' }, 'METRICS_SITE_LABELS'],
    [{ LOG_FORMAT: 'text' }, 'LOG_FORMAT'],
    [{ REQUEST_LOG: 'true' }, 'REQUEST_LOG'],
    [{ EVENT_SILENCE_WARNING_DAYS: '0' }, 'EVENT_SILENCE_WARNING_DAYS'],
    [{ SHUTDOWN_GRACE_SECONDS: '0.5' }, 'SHUTDOWN_GRACE_SECONDS'],
  ])('refuses %j with a message that names the setting', (env, words) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(words);
  });

  it.each([
    // [LOG_FORMAT, NODE_ENV, sandbox, stdout is a terminal, format]
    [undefined, 'development', false, true, 'pretty'],
    [undefined, 'development', true, false, 'pretty'],
    [undefined, 'development', false, false, 'json'],
    [undefined, 'production', false, true, 'json'],
    [undefined, 'test', true, false, 'json'],
    ['json', 'development', true, true, 'json'],
    ['pretty', 'production', false, false, 'pretty'],
  ] as const)(
    'log as LOG_FORMAT %s says, else readable for a person: %s, sandbox %s, terminal %s → %s',
    (logFormat, env, sandbox, terminal, format) => {
      expect(logFormatOf({ logFormat, env, sandbox }, terminal)).toBe(format);
    },
  );
});
