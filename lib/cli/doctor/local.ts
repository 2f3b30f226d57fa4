import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import { type Env, int } from '../../config';
import { LOCAL } from '../target';
import { checkLocalConfig } from './config';
import { probeWebhook } from './probe';
import { type CheckResult, skip } from './report';
import { checkBucket, checkPointers, checkTable } from './stores';

export interface LocalContext {
  table: string;
  bucket: string;
  dynamo: DynamoDBClient;
  s3: S3Client;
  env: Env;
  now: Date;
  secrets: Set<string>;
}

/** The checks that apply to the local stack (npm start); the AWS-only ones are skipped, saying why. */
export async function localChecks(ctx: LocalContext): Promise<CheckResult[]> {
  const url = `http://127.0.0.1:${int(ctx.env, 'PORT', LOCAL.port)}/webhook`;
  const hints = {
    missing: 'restart the local stack (npm start creates it)',
    access: 'is the local stack running? Start it with npm start',
  };
  const table = await checkTable(ctx.dynamo, ctx.table, hints);
  return [
    skip('stack', 'no CloudFormation stack locally'),
    checkLocalConfig(ctx.env, ctx.secrets),
    await probeWebhook(url, { log: 'the npm start output', down: 'start the local stack: npm start (PORT sets its port)' }),
    table,
    await checkBucket(ctx.s3, ctx.bucket, hints),
    table.ok
      ? await checkPointers(
          ctx.dynamo,
          ctx.table,
          ctx.now,
          `datafile-sync status --local${ctx.table === LOCAL.table ? '' : ` --table ${ctx.table}`}`,
        )
      : skip('pointers', 'needs the table'),
    skip('reader-policy', 'no IAM locally'),
  ];
}
