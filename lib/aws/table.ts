import {
  type AttributeValue,
  BatchGetItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { ATTR } from '../layout';

export type Item = Record<string, AttributeValue>;

/**
 * One handle on the table — client, name and the few calls every store operation composes — shared
 * by the ledger, pin/unpin and reconcile, as LaunchDarkly's DynamoDBClientState serves its stores.
 * Reads are strongly consistent: a pointer just moved is never read as it was.
 */
export class Table {
  constructor(
    readonly client: DynamoDBClient,
    readonly name: string,
  ) {}

  static key(pk: string, sk: string): Item {
    return { [ATTR.pk]: { S: pk }, [ATTR.sk]: { S: sk } };
  }

  async get(pk: string, sk: string): Promise<Item | undefined> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.name, Key: Table.key(pk, sk), ConsistentRead: true }));
    return out.Item;
  }

  /** Several items of the table in one request (BatchGetItem), in the order asked; absent = undefined. */
  async getMany(keys: { pk: string; sk: string }[]): Promise<(Item | undefined)[]> {
    let pending: Item[] = keys.map((k) => Table.key(k.pk, k.sk));
    const found: Item[] = [];
    // BatchGetItem may return part of the keys as unprocessed under throttling; ask again for those.
    for (let round = 0; pending.length > 0; round++) {
      if (round > 5) throw Object.assign(new Error('BatchGetItem left keys unprocessed'), { name: 'UnprocessedKeys' });
      const out = await this.client.send(
        new BatchGetItemCommand({ RequestItems: { [this.name]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(out.Responses?.[this.name] ?? []));
      pending = out.UnprocessedKeys?.[this.name]?.Keys ?? [];
    }
    return keys.map((k) => found.find((i) => i[ATTR.pk]?.S === k.pk && i[ATTR.sk]?.S === k.sk));
  }

  transact(items: TransactWriteItem[]): Promise<unknown> {
    return this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
  }
}
