import type { JiraGateway, JiraGatewayFactory, JiraUserDirectories, JiraUserDirectory } from '../../domain/ports.js';
import type { Tenant } from '../../domain/model.js';
import { DomainError } from '../../domain/errors.js';
import type { CallObserver } from '../observed-fetch.js';
import { ConnectJiraClient } from './connect-jira-client.js';

/** Where each host keeps what it takes to call the tenant's Jira. */
export type JiraHostCredentials = {
  connect: (clientKey: string) => Promise<{ baseUrl: string; sharedSecret: string } | null>;
  /** Added by the Forge adapter; absent while Forge is not configured. */
  forge?: (tenant: Tenant) => Promise<JiraGateway & JiraUserDirectory>;
};

/** Builds the Jira client that fits the tenant's host: Connect JWT or Forge app token. */
export class JiraGateways implements JiraGatewayFactory, JiraUserDirectories {
  constructor(
    private readonly findTenant: (tenantId: string) => Promise<Tenant | null>,
    private readonly appKey: string,
    private readonly hosts: JiraHostCredentials,
    private readonly observeCall?: CallObserver,
  ) {}

  async forTenant(tenantId: string): Promise<JiraGateway & JiraUserDirectory> {
    const tenant = await this.findTenant(tenantId);
    // Gone meanwhile: an uninstall raced the request or job that asks.
    if (!tenant) throw new DomainError('not-found', 'This Jira site no longer has the app installed.');
    if (tenant.host === 'forge') {
      if (!this.hosts.forge) throw new Error('This server is not configured for Forge (FORGE_APP_ID)');
      return this.hosts.forge(tenant);
    }
    const info = await this.hosts.connect(tenant.hostKey);
    if (!info) throw new DomainError('not-found', 'This Jira site no longer has the app installed.');
    return new ConnectJiraClient({
      baseUrl: info.baseUrl,
      appKey: this.appKey,
      sharedSecret: info.sharedSecret,
      ...(this.observeCall ? { observeCall: this.observeCall } : {}),
    });
  }
}
