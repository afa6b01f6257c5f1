import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

/** v1 bound nothing; v2 binds each secret to its row (see SecretBinding). */
const VERSION = 'v2';
const LEGACY_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export type SecretPurpose = 'linked-account-credentials' | 'forge-app-token';

/**
 * The row a secret is sealed for, authenticated as associated data: a sealed value copied into
 * another row (another tenant's account, another column) does not open there.
 */
export type SecretBinding = { purpose: SecretPurpose; tenantId: string; recordId: string };

// Ids are uuids, which PostgreSQL matches in any letter case: the binding takes the one spelling it returns.
export const linkedAccountBinding = (tenantId: string, linkedAccountId: string): SecretBinding => ({
  purpose: 'linked-account-credentials',
  tenantId: tenantId.toLowerCase(),
  recordId: linkedAccountId.toLowerCase(),
});

/** A Forge tenant keeps one app token, in its own row. */
export const forgeAppTokenBinding = (tenantId: string): SecretBinding => ({
  purpose: 'forge-app-token',
  tenantId: tenantId.toLowerCase(),
  recordId: tenantId.toLowerCase(),
});

/** Says which stored secret failed and why, and carries nothing of the sealed value. */
export class SecretUnreadableError extends Error {
  constructor(binding: Pick<SecretBinding, 'purpose' | 'recordId'>, why: string) {
    super(`The stored ${binding.purpose} of record ${binding.recordId} cannot be opened: ${why}`);
    this.name = 'SecretUnreadableError';
  }
}

const NOT_AUTHENTIC = 'it was sealed for another record or with another APP_SECRET_KEY, or it was altered.';

/**
 * AES-256-GCM for secrets at rest (Bitbucket credentials, Forge app tokens), written as
 * `v2:<iv>:<tag>:<ciphertext>` (base64). The keys are derived from APP_SECRET_KEY with HKDF so
 * any long random string works.
 */
export class SecretBox {
  readonly #key: Buffer;
  readonly #fingerprintKey: Buffer;

  constructor(secretKey: string) {
    if (secretKey.length < 32) throw new Error('APP_SECRET_KEY must be at least 32 characters long');
    this.#key = Buffer.from(hkdfSync('sha256', secretKey, 'automatic-team-invitations', 'secret-box', 32));
    this.#fingerprintKey = Buffer.from(hkdfSync('sha256', secretKey, 'automatic-team-invitations', 'fingerprint', 32));
  }

  seal(plaintext: string, binding: SecretBinding): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(binding));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  open(sealed: string, binding: SecretBinding): string {
    const parts = parse(sealed, binding);
    if (parts.version !== VERSION)
      throw new SecretUnreadableError(binding, `it is sealed as ${parts.version}, which start-up upgrades to ${VERSION}; restart the app.`);
    return this.#decrypt(parts, binding, associatedData(binding));
  }

  /** Reads a secret sealed before secrets were bound to their rows; only the upgrade at start needs it. */
  openLegacy(sealed: string, binding: SecretBinding): string {
    const parts = parse(sealed, binding);
    if (parts.version !== LEGACY_VERSION) throw new SecretUnreadableError(binding, `it is not sealed as ${LEGACY_VERSION}.`);
    return this.#decrypt(parts, binding, null);
  }

  sealJson(value: unknown, binding: SecretBinding): string {
    return this.seal(JSON.stringify(value), binding);
  }

  openJson<T>(sealed: string, binding: SecretBinding): T {
    return JSON.parse(this.open(sealed, binding)) as T;
  }

  /** A keyed one-way hash: the same text gives the same name on every instance, and the name gives nothing back. */
  fingerprint(text: string): string {
    return createHmac('sha256', this.#fingerprintKey).update(text, 'utf8').digest('base64url');
  }

  #decrypt(parts: Parts, binding: SecretBinding, aad: Buffer | null): string {
    // A fixed tag length: GCM would otherwise accept a tag cut down to 4 bytes, which is forged far more easily.
    const decipher = createDecipheriv('aes-256-gcm', this.#key, parts.iv, { authTagLength: TAG_BYTES });
    if (aad) decipher.setAAD(aad);
    decipher.setAuthTag(parts.tag);
    try {
      return Buffer.concat([decipher.update(parts.body), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretUnreadableError(binding, NOT_AUTHENTIC);
    }
  }
}

type Parts = { version: string; iv: Buffer; tag: Buffer; body: Buffer };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function parse(sealed: string, binding: SecretBinding): Parts {
  const fields = sealed.split(':');
  const [version, iv, tag, body] = fields;
  if (fields.length !== 4 || !version || !iv || !tag || body === undefined || ![iv, tag, body].every((f) => BASE64.test(f))) {
    throw new SecretUnreadableError(binding, 'it is not a sealed secret.');
  }
  const parts = { version, iv: Buffer.from(iv, 'base64'), tag: Buffer.from(tag, 'base64'), body: Buffer.from(body, 'base64') };
  if (parts.iv.length !== IV_BYTES) throw new SecretUnreadableError(binding, `its nonce is not ${IV_BYTES} bytes long.`);
  if (parts.tag.length !== TAG_BYTES) throw new SecretUnreadableError(binding, `its authentication tag is not ${TAG_BYTES} bytes long.`);
  return parts;
}

/** Unambiguous (JSON), so no two bindings share one encoding. */
function associatedData(binding: SecretBinding): Buffer {
  return Buffer.from(JSON.stringify([binding.purpose, binding.tenantId, binding.recordId]), 'utf8');
}
