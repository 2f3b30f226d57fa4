import { createHash } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ATTR, POINTER_SK, revisionObjectKey } from '../../../lib/layout';

/**
 * In-memory stand-ins for the reader's two AWS calls, for unit tests with no network: GetItem on a
 * pointer and GetObject on a revision object, answered from maps, with every call counted. A test
 * can hold calls (to see concurrency and timeouts) or make them fail (an outage).
 */
export class FakeAws {
  readonly pointers = new Map<string, { revision: number; s3Key: string; sha256: string; updatedAt: string }>();
  readonly objects = new Map<string, Uint8Array>();
  readonly sent: string[] = [];
  /** When set, every call rejects with it (after being counted). */
  failure: Error | undefined;
  private held: Promise<void> | undefined;
  private releaseHeld: (() => void) | undefined;

  readonly dynamo = {
    send: (command: unknown, options?: { abortSignal?: AbortSignal }) => this.getItem(command, options),
  } as unknown as DynamoDBClient;
  readonly s3 = {
    send: (command: unknown, options?: { abortSignal?: AbortSignal }) => this.getObject(command, options),
  } as unknown as S3Client;

  /** Store `text` as revision `revision` of `key` and point the key at it, as the webhook would. */
  publish(key: string, revision: number, text: string): { text: string; sha256: string } {
    const sha256 = createHash('sha256').update(text).digest('hex');
    const s3Key = revisionObjectKey(key, revision, sha256);
    this.objects.set(s3Key, Buffer.from(text));
    this.pointers.set(key, { revision, s3Key, sha256, updatedAt: new Date(revision * 1000).toISOString() });
    return { text, sha256 };
  }

  /** From now on calls wait until the returned function is called (or their abort signal fires). */
  hold(): () => void {
    this.held = new Promise((resolve) => {
      this.releaseHeld = resolve;
    });
    return () => {
      this.held = undefined;
      this.releaseHeld?.();
    };
  }

  count(name: string): number {
    return this.sent.filter((n) => n === name).length;
  }

  private async getItem(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> {
    if (!(command instanceof GetItemCommand)) throw new Error('unexpected DynamoDB command');
    await this.answer('GetItem', options?.abortSignal);
    const key = command.input.Key?.[ATTR.pk]?.S ?? '';
    const pointer = command.input.Key?.[ATTR.sk]?.S === POINTER_SK ? this.pointers.get(key) : undefined;
    if (!pointer) return {};
    return {
      Item: {
        [ATTR.revision]: { N: String(pointer.revision) },
        [ATTR.s3Key]: { S: pointer.s3Key },
        [ATTR.sha256]: { S: pointer.sha256 },
        [ATTR.updatedAt]: { S: pointer.updatedAt },
      },
    };
  }

  private async getObject(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<unknown> {
    if (!(command instanceof GetObjectCommand)) throw new Error('unexpected S3 command');
    await this.answer('GetObject', options?.abortSignal);
    const bytes = this.objects.get(command.input.Key ?? '');
    if (!bytes) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
    return { Body: { transformToByteArray: async () => new Uint8Array(bytes) } };
  }

  private async answer(name: string, signal: AbortSignal | undefined): Promise<void> {
    this.sent.push(name);
    if (this.held) {
      const held = this.held;
      // Like the SDK: an aborted request rejects with the signal's reason.
      await new Promise<void>((resolve, reject) => {
        held.then(resolve);
        signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    if (this.failure) throw this.failure;
  }
}
