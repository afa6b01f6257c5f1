import { DomainError } from './errors.js';
import type { Tenant } from './model.js';
import type { LinkedAccountStore } from './stores.js';

type Host = Tenant['host'];

/**
 * When Jira last sent events to a site, per host: the asking tenant's own, and that of the same
 * site's other installation (same cloudId) when it has one, e.g. during a move from Connect to Forge.
 */
export type SiteEvents = { host: Host; lastEvent: Record<Host, Date | null>; installedAt: Date };

export interface SiteEventStore {
  /** Null when the tenant is gone. */
  siteEvents: (tenantId: string) => Promise<SiteEvents | null>;
}

export type SiteStatusDeps = {
  tenants: SiteEventStore;
  linkedAccounts: Pick<LinkedAccountStore, 'withDefaultGroups'>;
  /** Days without an event after which a site that invites new users is warned. */
  silenceWarningDays: number;
};

export type SiteStatus = { lastEvent: Record<Host, Date | null>; warning: string | null };

const DAY_MS = 24 * 60 * 60 * 1000;

/** What to check, per host, when Jira seems to have stopped telling the app about new users. */
const CHECK: Record<Host, string> = {
  connect: 'check in Manage apps that the app is still installed and enabled (Jira sends no webhooks to a disabled app)',
  forge: 'check in Manage apps that the app is still installed and its latest version accepted (the new-user trigger comes with the installation)',
};

/**
 * Whether Jira still talks to the app. Jira tells a Connect or Forge app nothing about users it
 * created without telling it through the very event in question, so silence cannot be checked
 * against a count of new users: a site whose linked accounts invite new users, and which has heard
 * nothing for `silenceWarningDays`, is warned, and the warning says what to check if people joined.
 */
export async function siteStatus(deps: SiteStatusDeps, tenantId: string, now: Date = new Date()): Promise<SiteStatus> {
  const [events, inviting] = await Promise.all([deps.tenants.siteEvents(tenantId), deps.linkedAccounts.withDefaultGroups(tenantId)]);
  if (!events) throw new DomainError('not-found', 'This Jira site no longer has the app installed.');
  const last = events.lastEvent[events.host];
  const silentDays = Math.floor((now.getTime() - (last ?? events.installedAt).getTime()) / DAY_MS);
  if (inviting.length === 0 || silentDays < deps.silenceWarningDays) return { lastEvent: events.lastEvent, warning: null };
  const days = `${silentDays} ${silentDays === 1 ? 'day' : 'days'}`;
  const silence = last
    ? `Jira has sent no new user to the app for ${days}`
    : `Jira has sent no new user to the app since it was installed ${days} ago`;
  return {
    lastEvent: events.lastEvent,
    warning: `${silence}, while new users are given default groups. If people joined this site since, they were not invited: ${CHECK[events.host]}, then add a test user and see that it appears under Recent invitations.`,
  };
}
