/**
 * One recorded event for another system (issue 19): `subject` names the tenant and the event type,
 * `id` is the event's stable id (the idempotency key: the same event published again is the same
 * message), `body` the event as JSON.
 */
export interface StreamMessage {
  readonly subject: string;
  readonly id: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * Port: a message bus that keeps what is published, in order, so a consumer can replay from any
 * position (adapters/events/nats-sink.ts: NATS JetStream). `publish` resolves once the bus has
 * stored the message (acknowledged), and rejects otherwise: the processor then tries again with
 * the same id. Kafka fits the same port: subject → topic + key (the tenant), id → an idempotent
 * producer's record header (see docs/adr/0021-event-stream.md).
 */
export interface EventSink {
  publish(message: StreamMessage): Promise<void>;
  close(): Promise<void>;
}
