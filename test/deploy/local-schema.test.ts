import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { freshStores } from '../support/stores';
import { printStack } from './package';
import { resource } from './stack';

// Tests and `npm start` run against tables local/provision.ts creates; they must have the deployed
// schema, or code that uses the pointers index would pass locally and fail in AWS (or the reverse).
describe('local provisioning', () => {
  it('creates the table with the key schema, attributes and indexes infra/storage.yml deploys', async () => {
    const [config, stores] = await Promise.all([printStack('ci'), freshStores()]);
    const deployed = resource(config.resources, 'DatafileTable').Properties as {
      KeySchema: unknown[];
      AttributeDefinitions: Array<{ AttributeName: string }>;
      GlobalSecondaryIndexes: Array<{ IndexName: string; KeySchema: unknown; Projection: unknown }>;
    };

    const { Table } = await stores.dynamo.send(new DescribeTableCommand({ TableName: stores.table }));

    const byName = (a: { AttributeName?: string }, b: { AttributeName?: string }) =>
      String(a.AttributeName).localeCompare(String(b.AttributeName));
    expect(Table?.KeySchema).toEqual(deployed.KeySchema);
    expect([...(Table?.AttributeDefinitions ?? [])].sort(byName)).toEqual([...deployed.AttributeDefinitions].sort(byName));
    expect(Table?.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(
      (Table?.GlobalSecondaryIndexes ?? []).map((i) => ({ IndexName: i.IndexName, KeySchema: i.KeySchema, Projection: i.Projection })),
    ).toEqual(deployed.GlobalSecondaryIndexes);
  }, 60_000);
});
