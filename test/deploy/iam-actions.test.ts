import { iamCallsFor } from '../support/iam-actions';

const pick = (calls: ReturnType<typeof iamCallsFor>) => calls.map((c) => [c.action, c.resource]);

describe('iamCallsFor', () => {
  it('authorises HeadObject as s3:GetObject, and a not-found answer as s3:ListBucket too', () => {
    const input = { Bucket: 'b', Key: 'datafiles/k/latest.json' };
    const notFound = Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });

    expect(pick(iamCallsFor('S3Client', 'HeadObjectCommand', input))).toEqual([['s3:GetObject', 'arn:aws:s3:::b/datafiles/k/latest.json']]);
    expect(pick(iamCallsFor('S3Client', 'HeadObjectCommand', input, notFound))).toEqual([
      ['s3:GetObject', 'arn:aws:s3:::b/datafiles/k/latest.json'],
      ['s3:ListBucket', 'arn:aws:s3:::b'],
    ]);
  });

  it('authorises CopyObject as a read of the source and a write of the target', () => {
    const input = { Bucket: 'b', Key: 'datafiles/k/latest.json', CopySource: 'src/datafiles/k/revisions/5.json' };

    expect(pick(iamCallsFor('S3Client', 'CopyObjectCommand', input))).toEqual([
      ['s3:GetObject', 'arn:aws:s3:::src/datafiles/k/revisions/5.json'],
      ['s3:PutObject', 'arn:aws:s3:::b/datafiles/k/latest.json'],
    ]);
  });

  it('authorises a write transaction item by item on each item’s table', () => {
    const input = { TransactItems: [{ Put: { TableName: 't' } }, { Update: { TableName: 't' } }, { ConditionCheck: { TableName: 'u' } }] };

    expect(pick(iamCallsFor('DynamoDBClient', 'TransactWriteItemsCommand', input))).toEqual([
      ['dynamodb:PutItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/t'],
      ['dynamodb:UpdateItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/t'],
      ['dynamodb:ConditionCheckItem', 'arn:aws:dynamodb:us-east-1:123456789012:table/u'],
    ]);
  });

  it('authorises an index query on the index, a batch read per table, a listing with its prefix', () => {
    const query = iamCallsFor('DynamoDBClient', 'QueryCommand', { TableName: 't', IndexName: 'pointers' });
    const batch = iamCallsFor('DynamoDBClient', 'BatchGetItemCommand', { RequestItems: { t: {}, u: {} } });
    const [list] = iamCallsFor('S3Client', 'ListObjectsV2Command', { Bucket: 'b', Prefix: 'datafiles/' });

    expect(pick(query)).toEqual([['dynamodb:Query', 'arn:aws:dynamodb:us-east-1:123456789012:table/t/index/pointers']]);
    expect(pick(batch).map(([action]) => action)).toEqual(['dynamodb:BatchGetItem', 'dynamodb:BatchGetItem']);
    expect(list?.context).toEqual({ 's3:prefix': 'datafiles/' });
  });

  it('names the SSM parameter and the event bus by ARN', () => {
    expect(pick(iamCallsFor('SSMClient', 'GetParameterCommand', { Name: '/app/ci/config' }))).toEqual([
      ['ssm:GetParameter', 'arn:aws:ssm:us-east-1:123456789012:parameter/app/ci/config'],
    ]);
    expect(pick(iamCallsFor('EventBridgeClient', 'PutEventsCommand', { Entries: [{ EventBusName: 'bus' }, {}] }))).toEqual([
      ['events:PutEvents', 'arn:aws:events:us-east-1:123456789012:event-bus/bus'],
      ['events:PutEvents', 'arn:aws:events:us-east-1:123456789012:event-bus/default'],
    ]);
  });

  it('refuses a command it has no mapping for, so new code cannot skip the simulation', () => {
    expect(() => iamCallsFor('S3Client', 'DeleteBucketCommand', { Bucket: 'b' })).toThrow(
      /no IAM mapping for S3Client.DeleteBucketCommand/,
    );
  });
});
