import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { ChangeEvent, ChangePublisher } from '../sync/ports';
import { awsClient } from './clients';

/** The documented identity of change events (README "Change events"). */
export const EVENT_SOURCE = 'optimizely-datafile-sync';
export const EVENT_DETAIL_TYPE = 'Datafile Pointer Moved';
/** An alarm rolled the pointer back (lib/sync/rollback.ts): its own detail-type, so rules can page on it alone. */
export const ROLLBACK_DETAIL_TYPE = 'Datafile Rolled Back';

/** Detail type of the event sent when guardrails hold a revision (same source). */
export const HELD_DETAIL_TYPE = 'Datafile Held';

export interface EventBridgePublisherOptions {
  busName: string;
  /** Default: one from the client factory (lib/aws/clients.ts). */
  client?: EventBridgeClient;
}

/** ChangePublisher on an EventBridge bus: one PutEvents entry per pointer move or hold. */
export class EventBridgePublisher implements ChangePublisher {
  readonly client: EventBridgeClient;
  readonly busName: string;

  constructor(options: EventBridgePublisherOptions) {
    this.client = options.client ?? awsClient(EventBridgeClient);
    this.busName = options.busName;
  }

  async publish(event: ChangeEvent): Promise<void> {
    const detailType = 'violations' in event ? HELD_DETAIL_TYPE : event.reason === 'rollback' ? ROLLBACK_DETAIL_TYPE : EVENT_DETAIL_TYPE;
    const out = await this.client.send(
      new PutEventsCommand({
        Entries: [{ EventBusName: this.busName, Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(event) }],
      }),
    );
    // PutEvents answers 200 even when an entry was refused; the entry carries the error.
    if ((out.FailedEntryCount ?? 0) > 0) {
      const entry = out.Entries?.[0];
      throw Object.assign(new Error(`PutEvents refused the entry: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim()), {
        name: 'PutEventsFailed',
      });
    }
  }
}
