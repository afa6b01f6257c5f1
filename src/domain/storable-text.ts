/**
 * Characters PostgreSQL refuses: NUL in `text` and `jsonb`, and a lone UTF-16 surrogate in `jsonb`
 * (in `text` the driver silently turns it into U+FFFD). JSON may carry both as `\u0000`/`\ud800`.
 */
// eslint-disable-next-line no-control-regex -- NUL is the very character this pattern exists to find
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');

/** Whether the database can keep this text as it is. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE.test(value);
}

/** The text without what the database cannot keep, for values the app shows but does not act on. */
export function withoutUnstorable(value: string): string {
  return value.replace(UNSTORABLE_ALL, '');
}
