import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { type Server } from 'node:http';
import { closeNow, listenOnLoopback } from './loopback-server.js';
import { AsymmetricAlgorithm, encodeAsymmetric } from 'atlassian-jwt';

/**
 * Stands in for Atlassian's Connect install-key CDN (connect-install-keys.atlassian.com).
 * ACE fetches `${CONNECT_KEYS_CDN_URL}/${kid}` and uses the response body as a PEM public key,
 * so pointing CONNECT_KEYS_CDN_URL at `url` lets tests sign lifecycle events ACE will accept.
 */
export class ConnectInstallKeyServer {
  readonly kid = randomUUID();
  /** How many key fetches arrived, so a test can see ACE really verified the install JWT. */
  requests = 0;

  private readonly publicKeyPem: string;
  private readonly privateKeyPem: string;
  private server: Server | null = null;
  private port = 0;

  constructor() {
    const pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    this.publicKeyPem = pair.publicKey;
    this.privateKeyPem = pair.privateKey;
  }

  get url(): string {
    if (!this.server) throw new Error('ConnectInstallKeyServer is not started');
    return `http://127.0.0.1:${this.port}`;
  }

  get publicKey(): string {
    return this.publicKeyPem;
  }

  async start(): Promise<void> {
    if (this.server) return;
    const { server, port } = await listenOnLoopback((req, res) => {
      this.requests += 1;
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (req.method === 'GET' && path === `/${this.kid}`) {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(this.publicKeyPem);
        return;
      }
      // Empty body on purpose: ACE treats any non-empty body as the key, so a "not found" text
      // would surface as a confusing PEM parse error instead of "could not get public key".
      res.writeHead(404);
      res.end();
    });
    this.port = port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await closeNow(server);
  }

  /** An RS256 JWT whose header names this server's key, as Jira signs lifecycle callbacks. */
  signInstall(claims: object): string {
    return encodeAsymmetric(claims, this.privateKeyPem, AsymmetricAlgorithm.RS256, { kid: this.kid });
  }
}
