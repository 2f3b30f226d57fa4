import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { clientConfig, dynamoClient, s3Client } from '../aws/clients';
import { DynamoLedger } from '../aws/dynamo-ledger';
import { EventBridgePublisher } from '../aws/events';
import { bucketExists, tableExists } from '../aws/inspect';
import { S3Mirror } from '../aws/s3-mirror';
import { S3Store } from '../aws/s3-store';
import { type Env, int } from '../config';
import { StorageError } from '../errors';
import { LOCAL_STACK } from '../local-stack';
import type { Logger } from '../log';
import { type Notify, reliableNotify } from '../sync/events';
import { NotFoundError, UsageError } from './exit';

/** Names and ports of the local stack (npm start). */
export const LOCAL = LOCAL_STACK;

export interface TargetFlags {
  local?: boolean;
  stage?: string;
  table?: string;
  bucket?: string;
  bus?: string;
  /** AWS region for every client (else AWS_REGION / the profile's). */
  region?: string;
}

export interface CliClients {
  dynamo?: DynamoDBClient;
  s3?: S3Client;
  events?: EventBridgeClient;
  /** doctor: the stack's outputs and resources. */
  cloudformation?: CloudFormationClient;
  /** doctor: the projects configuration parameter. */
  ssm?: SSMClient;
}

/** Where the CLI acts: resolved names, adapters and checks. */
export interface Target {
  table: string;
  bucket: string;
  busName?: string;
  dynamo: DynamoDBClient;
  s3: S3Client;
  ledger: DynamoLedger;
  store: S3Store;
  mirror: S3Mirror;
  notify: Notify;
  /** Warnings of the core code a command calls (a move's summary left out), on stderr. */
  logger: Logger;
  /** Fail with exit 3 when the table (and the bucket, if asked) does not exist. */
  check(options?: { bucket?: boolean }): Promise<void>;
}

/**
 * --local: the local stack's endpoints (ports from LOCAL_DYNAMODB_PORT / LOCAL_S3_PORT /
 * LOCAL_EVENTS_PORT) and names. Otherwise the normal AWS credential chain, with names from
 * --table/--bucket, DATAFILE_TABLE/DATAFILE_BUCKET, or --stage (the deploy stack's naming:
 * table and bus `optimizely-datafile-sync-<stage>`; the bucket name is generated, so it comes from
 * the stack output DatafileBucketName via --bucket or DATAFILE_BUCKET).
 */
export function resolveTarget(flags: TargetFlags, env: Env, logger: Logger, clients: CliClients = {}): Target {
  if (flags.local) {
    const target = build(localNames(flags), localClients(env, clients), logger);
    const check = target.check;
    // Connection refused locally almost always means the stack is not running: say so.
    target.check = (options) =>
      check(options).catch((e: unknown) => {
        if (e instanceof StorageError) throw new StorageError(`${e.message} Is the local stack running (npm start)?`, { cause: e.cause });
        throw e;
      });
    return target;
  }
  const table = flags.table ?? env.DATAFILE_TABLE ?? (flags.stage ? `optimizely-datafile-sync-${flags.stage}` : undefined);
  if (!table) throw new UsageError('Say where: --local, --stage <stage>, or --table <name> (or DATAFILE_TABLE).');
  const bucket = flags.bucket ?? env.DATAFILE_BUCKET;
  const busName = flags.bus ?? env.EVENT_BUS_NAME ?? (flags.stage ? `optimizely-datafile-sync-${flags.stage}` : undefined);
  const events = clients.events ?? new EventBridgeClient(clientConfig({ region: flags.region }));
  return build({ table, bucket, busName, stage: flags.stage }, { ...storeClients(flags, env, clients), events }, logger);
}

/** DynamoDB and S3 clients for the target: injected, the local stack's, or the AWS defaults (+ --region). */
export function storeClients(flags: TargetFlags, env: Env, clients: CliClients = {}): { dynamo: DynamoDBClient; s3: S3Client } {
  if (flags.local) return localClients(env, clients);
  return { dynamo: clients.dynamo ?? dynamoClient({ region: flags.region }), s3: clients.s3 ?? s3Client({ region: flags.region }) };
}

interface Names {
  table: string;
  bucket?: string;
  busName?: string;
  stage?: string;
}

function localNames(flags: TargetFlags): Names {
  return { table: flags.table ?? LOCAL.table, bucket: flags.bucket ?? LOCAL.bucket, busName: flags.bus ?? LOCAL.bus };
}

function localClients(env: Env, clients: CliClients): Required<Pick<CliClients, 'dynamo' | 's3' | 'events'>> {
  const endpoint = (name: string, fallback: number) => `http://127.0.0.1:${int(env, name, fallback)}`;
  return {
    dynamo: clients.dynamo ?? dynamoClient({ endpoint: endpoint('LOCAL_DYNAMODB_PORT', LOCAL.dynamoPort) }),
    s3: clients.s3 ?? s3Client({ endpoint: endpoint('LOCAL_S3_PORT', LOCAL.s3Port) }),
    events: clients.events ?? new EventBridgeClient(clientConfig({ endpoint: endpoint('LOCAL_EVENTS_PORT', LOCAL.eventsPort) })),
  };
}

function build(names: Names, clients: CliClients & { dynamo: DynamoDBClient; s3: S3Client }, logger: Logger): Target {
  const bucket = names.bucket ?? '';
  const publisher = names.busName ? new EventBridgePublisher({ busName: names.busName, client: clients.events }) : undefined;
  return {
    table: names.table,
    bucket,
    busName: names.busName,
    dynamo: clients.dynamo,
    s3: clients.s3,
    ledger: new DynamoLedger({ table: names.table, client: clients.dynamo, logger }),
    store: new S3Store({ bucket, client: clients.s3 }),
    // pin, unpin and approve keep the SDK mirror's copy in step, as the functions do. Without the
    // projects config, history decides (settleMirror): a copy only when the revision going live,
    // the one it replaces and the newest stored were all recorded without a token. The CLI does
    // not know the stack's mirrorMaxAgeSeconds, so each copy keeps the max-age of the copy it replaces.
    mirror: new S3Mirror({ bucket, client: clients.s3 }),
    notify: reliableNotify(publisher, logger, { attempts: 3 }),
    logger,
    check: async (options = {}) => {
      if (!(await tableExists(clients.dynamo, names.table))) {
        throw new NotFoundError(`Table ${names.table} not found (check --stage/--table, AWS_REGION and your credentials' account).`);
      }
      if (!options.bucket) return;
      if (!names.bucket) {
        const hint = names.stage
          ? ` Find it with: aws cloudformation describe-stacks --stack-name optimizely-datafile-sync-${names.stage} --query "Stacks[0].Outputs[?OutputKey=='DatafileBucketName'].OutputValue" --output text`
          : '';
        throw new UsageError(`This command needs the bucket: --bucket <name> or DATAFILE_BUCKET.${hint}`);
      }
      if (!(await bucketExists(clients.s3, names.bucket))) throw new NotFoundError(`Bucket ${names.bucket} not found.`);
    },
  };
}
