// Carries backend events between instances sharing a queue: Redis pub/sub, in order per instance, large results parked under a key.
import type { Redis } from 'ioredis';
import type { BackendEvent } from '../backend.js';
import { eventsChannel, parkedResultKey } from './redis-keys.js';

/** What goes over the channel. */
interface Envelope {
  /** The publishing instance, so it does not deliver its own events twice. */
  origin: string;
  event: BackendEvent;
  /** Set when the result of a `completed` event was too large to publish: read it from this key. */
  parkedResult?: string;
}

/** How the bus is built. */
export interface RedisEventBusOptions {
  publisher: Redis;
  /** A connection of its own: a subscribed connection can issue no other command. */
  subscriber: Redis;
  base: string;
  origin: string;
  /** Hands an event from another instance to this instance's listeners. */
  deliver(event: BackendEvent): void;
  /** Events whose JSON is larger than this park their result under a key instead of publishing it. */
  largeEventBytes: number;
  /** How long a parked result waits for the other instances to read it, ms. */
  parkedResultTtlMs: number;
  onError(error: unknown): void;
}

/**
 * One subscriber connection per backend. Publishing goes through the command connection right after the script that
 * made the change, so an instance's events reach the channel in the order Redis applied the changes; receiving runs
 * through one chain of promises, so reading a parked result cannot let a later event overtake it.
 */
export class RedisEventBus {
  /** Resolves once the subscription is in place: events published after that reach this instance. */
  readonly ready: Promise<void>;
  readonly #options: RedisEventBusOptions;
  readonly #channel: string;
  #inbox: Promise<void> = Promise.resolve();
  #closed = false;
  #subscribed = false;

  constructor(options: RedisEventBusOptions) {
    this.#options = options;
    this.#channel = eventsChannel(options.base);
    options.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.#channel) this.#inbox = this.#inbox.then(() => this.#receive(message)).catch(options.onError);
    });
    this.ready = this.#subscribe();
    // A failure here is reported through ready (awaited by open()) and onError; it must not go unhandled.
    this.ready.catch(options.onError);
    // ioredis subscribes again by itself after a reconnect, but only to channels it once subscribed to: a node that
    // started while Redis was down subscribes when the connection first comes up.
    options.subscriber.on('ready', () => {
      if (!this.#subscribed && !this.#closed) this.#subscribe().catch(options.onError);
    });
  }

  /** Publishes one event for the other instances; a failure is reported, never thrown (the change itself is done). */
  publish(event: BackendEvent): void {
    const { publisher, origin, largeEventBytes, parkedResultTtlMs, onError } = this.#options;
    const message = JSON.stringify({ origin, event } satisfies Envelope);
    if (event.type !== 'completed' || Buffer.byteLength(message) <= largeEventBytes) {
      publisher.publish(this.#channel, message).catch(onError);
      return;
    }
    const key = parkedResultKey(this.#options.base, event.job.id, origin);
    const light = JSON.stringify({ origin, event: { ...event, result: null }, parkedResult: key });
    publisher.multi().set(key, JSON.stringify(event.result), 'PX', parkedResultTtlMs).publish(this.#channel, light).exec().catch(onError);
  }

  /** Stops receiving and waits for events already received to be delivered. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#options.subscriber.unsubscribe(this.#channel).catch(() => undefined);
    await this.#inbox;
  }

  async #subscribe(): Promise<void> {
    await this.#options.subscriber.subscribe(this.#channel);
    this.#subscribed = true;
  }

  async #receive(message: string): Promise<void> {
    if (this.#closed) return;
    const envelope = JSON.parse(message) as Envelope;
    if (envelope.origin === this.#options.origin) return;
    let { event } = envelope;
    if (envelope.parkedResult !== undefined && event.type === 'completed') {
      const result = await this.#options.publisher.get(envelope.parkedResult);
      // Gone only when this instance lagged past the TTL; the event is then reported through onError, not delivered.
      if (result === null) throw new Error(`the parked result of execution ${event.job.id} expired before it was read`);
      event = { ...event, result: JSON.parse(result) as typeof event.result };
    }
    if (!this.#closed) this.#options.deliver(event);
  }
}
