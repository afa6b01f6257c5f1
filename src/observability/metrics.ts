import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { InvitationStatus, TargetType } from '../domain/model.js';
import type { Logger } from '../logger.js';

export type EventHost = 'connect' | 'forge';
/** What became of an event from Jira: a new user recorded, one already known, or a request refused (4xx or 5xx). */
export type EventOutcome = 'recorded' | 'duplicate' | 'refused';
export type FinalStatus = Exclude<InvitationStatus, 'queued'>;
/** One run of a delivery job that asked the target: accepted, already there, to be tried again, or given up. */
export type DeliveryAttemptOutcome = 'sent' | 'already-invited' | 'retry' | 'failed';
/** Our own rate limit: the caller waited and went on, gave up waiting (a job reschedules), or was refused outright. */
export type RateLimitOutcome = 'waited' | 'deferred' | 'refused';
export type OutboundService = 'jira' | 'bitbucket' | 'atlassian-admin';
/** How an outbound call ended: the HTTP status, or no answer at all. */
export type CallStatus = number | 'timeout' | 'failed';

/** The jobs of one queue: due now, scheduled for later, being run; and how long the oldest due one has waited. */
export type QueueStats = { queue: string; due: number; scheduled: number; active: number; oldestDueSeconds: number | null };

/**
 * What the parts of the app report. They call these with plain values; whether anything is
 * counted (metrics configured or not) is decided once, when the app is built.
 */
export type AppMetrics = {
  eventReceived: (host: EventHost, outcome: EventOutcome, site: string | null) => void;
  invitationFinished: (targetType: TargetType, status: FinalStatus, site: string) => void;
  deliveryAttempt: (targetType: TargetType, outcome: DeliveryAttemptOutcome, site: string) => void;
  /** An invitation the target accepted (sent or already there), this long after the app recorded its event. */
  invitationAccepted: (secondsSinceEvent: number) => void;
  rateLimit: (limit: string, outcome: RateLimitOutcome, waitedSeconds: number) => void;
  outboundCall: (service: OutboundService, status: CallStatus, seconds: number) => void;
  job: (queue: string, outcome: 'completed' | 'failed', seconds: number) => void;
  httpRequest: (method: string, route: string, status: number, seconds: number) => void;
};

const ignore = () => undefined;

/** Metrics off: every report is dropped where it is made. */
export const NO_METRICS: AppMetrics = {
  eventReceived: ignore,
  invitationFinished: ignore,
  deliveryAttempt: ignore,
  invitationAccepted: ignore,
  rateLimit: ignore,
  outboundCall: ignore,
  job: ignore,
  httpRequest: ignore,
};

/** Queue figures are read from the database; scrapes this close together share one reading. */
const QUEUE_STATS_REUSE_MS = 1_000;

/**
 * The app's Prometheus metrics, in a registry of their own: several app instances in one process
 * (the tests) never share a metric. Labels carry kinds and outcomes only; the tenant id is added
 * as `site` when the operator asks for it (METRICS_SITE_LABELS), never an email or an account id.
 */
export class PrometheusMetrics implements AppMetrics {
  readonly registry = new Registry();
  readonly #siteLabels: boolean;
  readonly #events: Counter<string>;
  readonly #invitations: Counter<string>;
  readonly #attempts: Counter<string>;
  readonly #latency: Histogram;
  readonly #rateLimits: Counter<string>;
  readonly #rateLimitSeconds: Counter<string>;
  readonly #outbound: Histogram<string>;
  readonly #jobs: Histogram<string>;
  readonly #http: Histogram<string>;
  #queueStats: (() => Promise<QueueStats[]>) | null = null;
  #lastReading: { at: number; stats: Promise<QueueStats[]> } | null = null;

  constructor(
    options: { siteLabels: boolean },
    private readonly log: Logger,
  ) {
    this.#siteLabels = options.siteLabels;
    const site = options.siteLabels ? ['site'] : [];
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#events = new Counter({
      name: 'ati_events_received_total',
      help: 'New-user events from Jira, by host (connect, forge) and outcome (recorded, duplicate, refused)',
      labelNames: ['host', 'outcome', ...site],
      registers,
    });
    this.#invitations = new Counter({
      name: 'ati_invitations_finished_total',
      help: 'Invitations that reached a final status (sent, already-invited, skipped, failed), by target type',
      labelNames: ['target_type', 'status', ...site],
      registers,
    });
    this.#attempts = new Counter({
      name: 'ati_delivery_attempts_total',
      help: 'Delivery runs that asked the target, by target type and classified outcome (sent, already-invited, retry, failed)',
      labelNames: ['target_type', 'outcome', ...site],
      registers,
    });
    this.#latency = new Histogram({
      name: 'ati_invitation_latency_seconds',
      help: "From Jira's event answered to the target accepting the invitation",
      buckets: [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 4 * 3600, 24 * 3600],
      registers,
    });
    this.#rateLimits = new Counter({
      name: 'ati_rate_limit_waits_total',
      help: 'Times our own rate limit held a call back, by limit and outcome (waited, deferred: a job rescheduled, refused: a 429)',
      labelNames: ['limit', 'outcome'],
      registers,
    });
    this.#rateLimitSeconds = new Counter({
      name: 'ati_rate_limit_wait_seconds_total',
      help: 'Seconds spent waiting on our own rate limit, by limit',
      labelNames: ['limit'],
      registers,
    });
    this.#outbound = new Histogram({
      name: 'ati_outbound_request_duration_seconds',
      help: 'Calls to Jira and to the targets, by service and HTTP status (timeout or failed when there was no answer)',
      labelNames: ['service', 'status'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#jobs = new Histogram({
      name: 'ati_job_duration_seconds',
      help: 'Background jobs run, by queue and outcome (completed, failed: the queue retries it)',
      labelNames: ['queue', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30],
      registers,
    });
    this.#http = new Histogram({
      name: 'ati_http_request_duration_seconds',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    const reading = () => this.#readQueues();
    new Gauge({
      name: 'ati_queue_jobs',
      help: 'Jobs per queue and state: due (waiting for a worker), scheduled (for later: retries, rate-limit waits), active',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        this.reset();
        for (const stats of await reading()) {
          this.set({ queue: stats.queue, state: 'due' }, stats.due);
          this.set({ queue: stats.queue, state: 'scheduled' }, stats.scheduled);
          this.set({ queue: stats.queue, state: 'active' }, stats.active);
        }
      },
    });
    new Gauge({
      name: 'ati_queue_oldest_due_job_age_seconds',
      help: 'How long the oldest due job of each queue has waited for a worker (0 when none waits)',
      labelNames: ['queue'],
      registers,
      async collect() {
        this.reset();
        for (const stats of await reading()) this.set({ queue: stats.queue }, stats.oldestDueSeconds ?? 0);
      },
    });
  }

  /** Where the queue gauges read their figures (the job queue, once it runs). */
  watchQueues(read: () => Promise<QueueStats[]>): void {
    this.#queueStats = read;
  }

  /** The exposition text of every metric, for a scrape. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  eventReceived(host: EventHost, outcome: EventOutcome, site: string | null): void {
    this.#events.inc(this.#withSite({ host, outcome }, site));
  }

  invitationFinished(targetType: TargetType, status: FinalStatus, site: string): void {
    this.#invitations.inc(this.#withSite({ target_type: targetType, status }, site));
  }

  deliveryAttempt(targetType: TargetType, outcome: DeliveryAttemptOutcome, site: string): void {
    this.#attempts.inc(this.#withSite({ target_type: targetType, outcome }, site));
  }

  invitationAccepted(secondsSinceEvent: number): void {
    this.#latency.observe(Math.max(0, secondsSinceEvent));
  }

  rateLimit(limit: string, outcome: RateLimitOutcome, waitedSeconds: number): void {
    this.#rateLimits.inc({ limit, outcome });
    if (waitedSeconds > 0) this.#rateLimitSeconds.inc({ limit }, waitedSeconds);
  }

  outboundCall(service: OutboundService, status: CallStatus, seconds: number): void {
    this.#outbound.observe({ service, status: String(status) }, seconds);
  }

  job(queue: string, outcome: 'completed' | 'failed', seconds: number): void {
    this.#jobs.observe({ queue, outcome }, seconds);
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.#http.observe({ method, route, status: String(status) }, seconds);
  }

  #withSite<T extends Record<string, string>>(labels: T, site: string | null): T | (T & { site: string }) {
    return this.#siteLabels ? { ...labels, site: site ?? 'unknown' } : labels;
  }

  #readQueues(): Promise<QueueStats[]> {
    const read = this.#queueStats;
    if (!read) return Promise.resolve([]);
    const now = Date.now();
    if (!this.#lastReading || now - this.#lastReading.at > QUEUE_STATS_REUSE_MS) {
      const stats = read().catch((error: unknown) => {
        // The scrape still answers (process figures, counters); the queue gauges are left out.
        this.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'metrics: the job queue could not be read');
        return [];
      });
      this.#lastReading = { at: now, stats };
    }
    return this.#lastReading.stats;
  }
}
