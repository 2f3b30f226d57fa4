import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createReconcileApp, createWebhookApp, type WebhookAppOverrides } from '../../lib/app';
import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { Table } from '../../lib/aws/table';
import type { WebhookConfig } from '../../lib/config';
import { aliasObjectKey, POINTER_SK } from '../../lib/layout';
import { createDatafileReader } from '../../lib/reader';
import { sha256 } from './invariants';
import { BUS, basesFor, fetchPolicyFor, type OpsEnv, opsOverrides, testWebhookConfig } from './ops';

export { cli } from './ops';

import { localClients, readObject } from './stores';
import { httpApiEvent, payload } from './webhooks';

/**
 * Wiring for the integrity tests (conflicting bodies, damaged objects, at-least-once events): the
 * real webhook and reconcile apps, the CLI and a cold reader on one OpsEnv. Fetch timeouts are
 * generous: several deliveries at once on a loaded machine are slow, and slowness is not the subject.
 */
const SLACK = { connectTimeoutMs: 10_000, attemptTimeoutMs: 20_000, budgetMs: 45_000 };

function config(env: OpsEnv, bus: boolean): WebhookConfig {
  return { ...testWebhookConfig(env.stores, fetchPolicyFor(env.origin, SLACK)), eventBusName: bus && env.bus ? BUS : undefined };
}

/** The webhook app; `bus: false` runs it without change events. */
export function integrityApp(env: OpsEnv, extra: WebhookAppOverrides = {}, bus = true) {
  return createWebhookApp(config(env, bus), opsOverrides(env, extra));
}

export function integrityReconcile(env: OpsEnv, extra: WebhookAppOverrides = {}) {
  return createReconcileApp({ ...config(env, true), bases: basesFor(env.origin), concurrency: 2 }, opsOverrides(env, extra));
}

/** Deliver a signed webhook for `revision` of `key`; `query` picks the body of a query-aware origin. */
export async function send(handler: ReturnType<typeof integrityApp>, env: OpsEnv, key: string, revision: number, query = '') {
  const res = await handler(httpApiEvent(payload({ revision, key, origin: env.origin.url, query })));
  return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
}

/** The raw pointer item: revision, sha256, pinned, and the move marks (`pendingEvent`, `eventId`). */
export async function pointerItem(env: OpsEnv, key: string) {
  const out = await env.stores.dynamo.send(
    new GetItemCommand({ TableName: env.stores.table, Key: Table.key(key, POINTER_SK), ConsistentRead: true }),
  );
  const item = out.Item;
  return {
    revision: Number(item?.revision?.N),
    sha256: item?.sha256?.S,
    s3Key: item?.s3Key?.S,
    pinned: item?.pinned?.BOOL === true,
    pendingEvent: item?.pendingEvent?.S,
    eventId: item?.eventId?.S,
  };
}

/** What every reading side holds for a key: history item, pointer, alias bytes, a cold reader's bytes. */
export async function whatReadersSee(env: OpsEnv, key: string, revision: number) {
  const history = await new DynamoLedger({ table: env.stores.table, client: env.stores.dynamo }).getRevision(key, revision);
  const object = history ? await readObject(env.stores, history.s3Key) : undefined;
  const alias = await readObject(env.stores, aliasObjectKey(key));
  const clients = localClients();
  const reader = createDatafileReader({ table: env.stores.table, bucket: env.stores.bucket, ...clients, logger: () => undefined });
  try {
    const read = await reader.get(key);
    return {
      historySha256: history?.sha256,
      objectSha256: object ? sha256(object.body) : undefined,
      pointerSha256: (await pointerItem(env, key)).sha256,
      aliasSha256: alias ? sha256(alias.body) : undefined,
      readerSha256: sha256(read.datafile),
    };
  } finally {
    await reader.close();
    clients.dynamo.destroy();
    clients.s3.destroy();
  }
}

/** The change events the bus received for a key (detail only). */
export function eventsOf(env: OpsEnv, key: string): { eventId: string; revision: number; reason: string }[] {
  return (env.bus?.events ?? [])
    .map((e) => e.detail as { key: string; eventId: string; revision: number; reason: string })
    .filter((d) => d.key === key);
}
