import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { dynamoClient, s3Client } from '../aws/clients';
import { ATTR, POINTER_SK } from '../layout';

/** What the reader needs from the pointer item (`pk=<key>, sk=POINTER`, names from `lib/layout`). */
export interface PointerView {
  revision: number;
  s3Key: string;
  sha256: string;
  updatedAt: string;
}

export interface StoreOptions {
  table: string;
  bucket: string;
  dynamo?: DynamoDBClient;
  s3?: S3Client;
  consistentRead: boolean;
}

/**
 * The reader's only two AWS calls — `dynamodb:GetItem` on the pointer and `s3:GetObject` on the
 * immutable revision object — so the read-only IAM policy needs exactly those two actions.
 */
export class ReaderStore {
  private readonly dynamo: DynamoDBClient;
  private readonly s3: S3Client;
  private readonly owned: { destroy(): void }[] = [];

  constructor(private readonly options: StoreOptions) {
    // The project's one client factory: timeouts, and path-style + dummy credentials for local endpoints.
    this.dynamo = options.dynamo ?? this.own(dynamoClient());
    this.s3 = options.s3 ?? this.own(s3Client());
  }

  async readPointer(key: string, abortSignal: AbortSignal): Promise<PointerView | undefined> {
    const out = await this.dynamo.send(
      new GetItemCommand({
        TableName: this.options.table,
        Key: { [ATTR.pk]: { S: key }, [ATTR.sk]: { S: POINTER_SK } },
        // Only the four attributes a reader needs: the response stays a few hundred bytes.
        ProjectionExpression: '#r, #k, #h, #u',
        ExpressionAttributeNames: { '#r': ATTR.revision, '#k': ATTR.s3Key, '#h': ATTR.sha256, '#u': ATTR.updatedAt },
        ConsistentRead: this.options.consistentRead,
      }),
      { abortSignal },
    );
    const item = out.Item;
    if (!item) return undefined;
    // The object named by `s3Key` is followed as is: whatever revision key shape the writer used.
    return {
      revision: Number(item[ATTR.revision]?.N ?? Number.NaN),
      s3Key: item[ATTR.s3Key]?.S ?? '',
      sha256: item[ATTR.sha256]?.S ?? '',
      updatedAt: item[ATTR.updatedAt]?.S ?? '',
    };
  }

  async readObject(s3Key: string, abortSignal: AbortSignal): Promise<Uint8Array> {
    const out = await this.s3.send(new GetObjectCommand({ Bucket: this.options.bucket, Key: s3Key }), { abortSignal });
    if (!out.Body) throw new Error(`S3 returned no body for ${s3Key}`);
    return out.Body.transformToByteArray();
  }

  /** Destroy only the clients this store built; injected clients belong to the caller. */
  close(): void {
    for (const client of this.owned.splice(0)) client.destroy();
  }

  private own<T extends { destroy(): void }>(client: T): T {
    this.owned.push(client);
    return client;
  }
}
