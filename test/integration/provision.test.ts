import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoLedger } from '../../lib/aws/dynamo-ledger';
import { ATTR, POINTER_SK, POINTERS_INDEX, revisionObjectKey } from '../../lib/layout';
import { ensureTable, upgradeTable } from '../../local/provision';
import { localClients } from '../support/stores';

const { dynamo } = localClients();

/** A table as a version before the `pointers` index created it, with one key stored then. */
async function olderTable(): Promise<string> {
  const table = `older-${randomUUID().slice(0, 8)}`;
  await dynamo.send(
    new CreateTableCommand({
      TableName: table,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: ATTR.pk, AttributeType: 'S' },
        { AttributeName: ATTR.sk, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: ATTR.pk, KeyType: 'HASH' },
        { AttributeName: ATTR.sk, KeyType: 'RANGE' },
      ],
    }),
  );
  const sha256 = 'a'.repeat(64);
  await dynamo.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        [ATTR.pk]: { S: 'old_key' },
        [ATTR.sk]: { S: POINTER_SK },
        revision: { N: '3' },
        s3Key: { S: revisionObjectKey('old_key', 3, sha256) },
        sha256: { S: sha256 },
        size: { N: '10' },
        projectId: { S: '1' },
        updatedAt: { S: '2026-11-01T00:00:00.000Z' },
      },
    }),
  );
  return table;
}

async function listed(table: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const p of new DynamoLedger({ table, client: dynamo }).listPointers()) keys.push(p.key);
  return keys;
}

describe('ensureTable on a table an older version created', () => {
  it('adds the pointers index and backfills pointerKey, so reconcile and verify see the old keys', async () => {
    const table = await olderTable();

    await ensureTable(dynamo, table);

    const described = await dynamo.send(new DescribeTableCommand({ TableName: table }));
    expect(described.Table?.GlobalSecondaryIndexes?.map((i) => i.IndexName)).toEqual([POINTERS_INDEX]);
    expect(await listed(table)).toEqual(['old_key']);
  });

  it('is idempotent: a second run has nothing to backfill', async () => {
    const table = await olderTable();
    expect(await upgradeTable(dynamo, table)).toBe(1);
    expect(await upgradeTable(dynamo, table)).toBe(0);
    expect(await listed(table)).toEqual(['old_key']);
  });
});
