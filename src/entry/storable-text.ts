import { z } from 'zod';
import { isStorableText } from '../domain/storable-text.js';

/**
 * A text field of a request that reaches the database. `what` names it at the start of a
 * sentence ("The workspace ID"); `missing` is the sentence for a request without it. Every
 * schema builds its strings on this, so text PostgreSQL would refuse is a 400 at the door,
 * never a failed write that takes other requests' rows with it.
 */
export function storableText(what: string, missing = `${what} is missing.`) {
  return z.string({ error: (issue) => (issue.input === undefined ? missing : `${what} must be text.`) }).refine(isStorableText, {
    error: `${what} contains a character that cannot be stored (a null character or a malformed Unicode character).`,
  });
}
