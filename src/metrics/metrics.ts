// Prometheus metrics on a private registry (so several apps can live in one process), fed from submission events.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { QueueEvent } from '../queue/job-queue.js';

/** What the metrics read: the service's event stream and its live queue figures. */
export interface MetricsSource {
  subscribe(listener: (event: QueueEvent) => void): () => void;
  health(): Promise<QueueFigures> | QueueFigures;
}

interface QueueFigures {
  queueLength: number;
  processing: number;
  maxConcurrent: number;
}

export interface MetricsOptions {
  /**
   * Also export Node.js process metrics (CPU, memory, event loop lag).
   * @defaultValue true
   */
  defaultMetrics?: boolean;
}

/** Seconds; runs are usually tens of milliseconds, time limits reach tens of seconds. */
const DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** The service's metrics: queue depth, active runs, run durations, rejections, sandbox failures, HTTP requests. */
export class Metrics {
  readonly registry = new Registry();
  private source: MetricsSource | null = null;
  private unsubscribe: (() => void) | null = null;

  private readonly runDuration = new Histogram({
    name: 'runlane_run_duration_seconds',
    help: 'Time from start to finish of an execution (compile and all runs), by language and verdict',
    labelNames: ['language', 'verdict'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  private readonly rejected = new Counter({
    name: 'runlane_submissions_rejected_total',
    help: 'Submissions refused before they were queued, by error code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  private readonly sandboxFailures = new Counter({
    name: 'runlane_sandbox_failures_total',
    help: 'Executions the service could not run (status failed, or verdict internal_error), by language',
    labelNames: ['language'] as const,
    registers: [this.registry],
  });

  private readonly finished = new Counter({
    name: 'runlane_submissions_finished_total',
    help: 'Executions that reached a terminal status, by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  private readonly queuedTotal = new Counter({
    name: 'runlane_submissions_queued_total',
    help: 'Executions admitted to the queue',
    registers: [this.registry],
  });

  private readonly httpDuration = new Histogram({
    name: 'runlane_http_request_duration_seconds',
    help: 'HTTP request handling time, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 60],
    registers: [this.registry],
  });

  constructor(options: MetricsOptions = {}) {
    const read = async (): Promise<QueueFigures | null> => {
      try {
        return (await this.source?.health()) ?? null;
      } catch {
        // A scrape must not fail because the service is shutting down; the gauges then read 0.
        return null;
      }
    };
    const gauge = (name: string, help: string, pick: (figures: QueueFigures) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        async collect() {
          const figures = await read();
          this.set(figures ? pick(figures) : 0);
        },
      });
    gauge('runlane_queue_depth', 'Executions waiting for a slot on this node', (figures) => figures.queueLength);
    gauge('runlane_active_runs', 'Executions running on this node', (figures) => figures.processing);
    gauge('runlane_max_concurrent_runs', 'Executions this node runs at once at most', (figures) => figures.maxConcurrent);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'runlane_' });
  }

  /** Follows a service's events and figures; replaces any previous source. Returns a function that stops following. */
  observe(source: MetricsSource): () => void {
    if (this.source === source && this.unsubscribe) return this.unsubscribe;
    this.unsubscribe?.();
    this.source = source;
    const stopListening = source.subscribe((event) => this.onEvent(event));
    const stop = () => {
      stopListening();
      if (this.source === source) {
        this.source = null;
        this.unsubscribe = null;
      }
    };
    this.unsubscribe = stop;
    return stop;
  }

  /** Counts a submission refused with an AppError code (validation, caps, auth). */
  recordRejection(code: string): void {
    this.rejected.inc({ code });
  }

  recordHttpRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition text for `GET /metrics`. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  private onEvent(event: QueueEvent): void {
    switch (event.type) {
      case 'queued':
        this.queuedTotal.inc();
        return;
      case 'completed': {
        const seconds = Math.max(0, event.finishedAt - (event.entry.startedAt ?? event.finishedAt)) / 1000;
        this.runDuration.observe({ language: event.entry.language, verdict: event.result.verdict }, seconds);
        if (event.result.verdict === 'internal_error') this.sandboxFailures.inc({ language: event.entry.language });
        this.finished.inc({ status: 'completed' });
        return;
      }
      case 'failed':
        this.sandboxFailures.inc({ language: event.entry.language });
        this.finished.inc({ status: 'failed' });
        return;
      case 'cancelled':
        this.finished.inc({ status: 'cancelled' });
        return;
      default:
        return;
    }
  }
}
