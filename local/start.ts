import { resolve } from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createReconcileApp, createWebhookApp } from '../lib/app';
import { awsClient, dynamoClient, s3Client } from '../lib/aws/clients';
import { S3Mirror } from '../lib/aws/s3-mirror';
import { type Env, int, loadReconcileConfig, type ProjectsConfig } from '../lib/config';
import { DEFAULT_ALLOWED_HOSTS } from '../lib/datafile/hosts';
import { aliasObjectKey, datafilePath } from '../lib/layout';
import { LOCAL_DEFAULTS as D } from './defaults';
import { startLocalEventBridge } from './eventbridge';
import { serveHttpApi } from './http-adapter';
import { localMirrorRoute } from './mirror';
import { ensureBucket, ensureTable } from './provision';
import { startLocalStores } from './stores';

/**
 * `npm start`: DynamoDB Local + s3rver (data under .local/, kept across restarts), table and bucket,
 * a local EventBridge receiver that prints change events, the real webhook handler at
 * http://127.0.0.1:PORT/webhook and, on the same port, the SDK mirror at /datafiles/{sdkKey}.json.
 * Ctrl-C / SIGTERM stops every child. Reconcile runs only when LOCAL_RECONCILE_MINUTES is set (off
 * by default).
 */
async function main(env: Env): Promise<void> {
  const port = int(env, 'PORT', D.port);
  const s3Port = int(env, 'LOCAL_S3_PORT', D.s3Port);
  const dynamoPort = int(env, 'LOCAL_DYNAMODB_PORT', D.dynamoPort);
  const eventsPort = int(env, 'LOCAL_EVENTS_PORT', D.eventsPort);
  const dataDir = resolve(env.LOCAL_DATA_DIR ?? '.local');
  const secret = env.WEBHOOK_SECRET ?? D.secret;
  // A projects JSON (secrets, environments, guardrails per project) replaces the single local secret.
  const projectsJson = env.SYNC_PROJECTS?.trim() || undefined;
  const reconcileMinutes = int(env, 'LOCAL_RECONCILE_MINUTES', 0);
  const mirrorMaxAge = int(env, 'MIRROR_MAX_AGE_SECONDS', 1);

  const stopping: (() => Promise<unknown>)[] = [];
  const shutdown = onSignals(stopping);
  const stores = await startLocalStores({ dynamoPort, s3Port, dataDir: `${dataDir}/dynamodb`, s3Dir: `${dataDir}/s3` });
  stopping.unshift(() => stores.stop());
  const dynamo = dynamoClient({ endpoint: stores.dynamoEndpoint });
  const s3 = s3Client({ endpoint: stores.s3Endpoint });
  await ensureTable(dynamo, D.table);
  await ensureBucket(s3, D.bucket);

  const bus = await startLocalEventBridge(eventsPort);
  stopping.unshift(() => bus.close());
  bus.onEvent = (e) => console.log(`[event] ${e.detailType}: ${JSON.stringify(e.detail)}`);
  const events = awsClient(EventBridgeClient, { endpoint: bus.endpoint });

  const config = loadReconcileConfig({
    ...env,
    DATAFILE_TABLE: D.table,
    DATAFILE_BUCKET: D.bucket,
    EVENT_BUS_NAME: D.bus,
    WEBHOOK_SECRET: projectsJson ? undefined : secret,
    // Either the printed secret (any project id) or the projects JSON given: never SSM locally.
    SYNC_CONFIG_PARAMETER: undefined,
    SYNC_PROJECTS: projectsJson,
    ALLOWED_HOSTS: env.ALLOWED_HOSTS ?? ['127.0.0.1:*', 'localhost:*', ...DEFAULT_ALLOWED_HOSTS].join(','),
    ALLOW_LOOPBACK: 'true',
  });
  const mirror = new S3Mirror({ bucket: D.bucket, client: s3, maxAgeSeconds: mirrorMaxAge });
  const handler = createWebhookApp(config, { dynamo, s3, events, mirror });
  const http = await serveHttpApi(handler, '/webhook', port, [localMirrorRoute({ s3, bucket: D.bucket, maxAgeSeconds: mirrorMaxAge })]);
  stopping.unshift(
    () =>
      new Promise((r) => {
        http.server.close(r);
        http.server.closeAllConnections();
      }),
  );
  if (reconcileMinutes > 0) {
    const reconcile = createReconcileApp(config, { dynamo, s3, events });
    const timer = setInterval(() => void reconcile().catch((e) => console.error('reconcile failed', e)), reconcileMinutes * 60_000);
    stopping.unshift(async () => clearInterval(timer));
  }
  banner({
    port: http.port,
    s3: stores.s3Endpoint,
    dynamo: stores.dynamoEndpoint,
    events: bus.endpoint,
    secret,
    projects: config.projects.kind === 'static' && projectsJson ? describeProjects(config.projects.config) : undefined,
    dataDir,
    pid: stores.dynamoPid,
    reconcileMinutes,
  });
  await shutdown;
}

function onSignals(stopping: (() => Promise<unknown>)[]): Promise<void> {
  return new Promise((done) => {
    let started = false;
    const stop = (signal: string) => {
      if (started) return;
      started = true;
      console.log(`\n${signal}: stopping the local stack…`);
      const force = setTimeout(() => process.exit(1), 10_000);
      (async () => {
        for (const step of stopping) await step().catch((e) => console.error('while stopping:', e));
        clearTimeout(force);
        console.log('stopped');
        done();
        process.exit(0);
      })();
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

interface Urls {
  port: number;
  s3: string;
  dynamo: string;
  events: string;
  secret: string;
  /** When SYNC_PROJECTS is in force: one line per project. */
  projects?: string[];
  dataDir: string;
  pid?: number;
  reconcileMinutes: number;
}

function banner(u: Urls): void {
  const webhook = `http://127.0.0.1:${u.port}/webhook`;
  const secretNote = u.secret === D.secret ? ' (development default; set WEBHOOK_SECRET to change)' : '';
  const projects = u.projects
    ? [`  projects       from SYNC_PROJECTS (WEBHOOK_SECRET ignored):`, ...u.projects.map((p) => `                 ${p}`)]
    : [
        `  secret         ${u.secret}${secretNote}; accepted for any project id`,
        '  guardrails     none (set SYNC_PROJECTS to a projects JSON to try them)',
      ];
  const sendSecret = u.projects ? '<a secret of the project>' : u.secret;
  console.log(
    [
      '',
      'Optimizely Datafile Sync — local stack',
      `  webhook        POST ${webhook}`,
      `  SDK mirror     GET  http://127.0.0.1:${u.port}${datafilePath('<sdkKey>')}  (JS SDK urlTemplate: 'http://127.0.0.1:${u.port}${datafilePath('%s')}')`,
      ...projects,
      `  S3 (s3rver)    ${u.s3}  bucket ${D.bucket}`,
      `  DynamoDB Local ${u.dynamo}  table ${D.table}  (java pid ${u.pid ?? '?'})`,
      `  EventBridge    ${u.events}  bus ${D.bus} (received events are printed here)`,
      `  data           ${u.dataDir} (kept across restarts; delete it to start over)`,
      `  reconcile      ${u.reconcileMinutes > 0 ? `every ${u.reconcileMinutes} min` : 'off (LOCAL_RECONCILE_MINUTES=<n> to enable)'}`,
      '',
      'Try it:',
      `  npm run webhook:send -- --datafile path/to/datafile.json --url ${webhook} --secret ${sendSecret}`,
      '  npm run cli -- status --local',
      '  npm run cli -- history <sdkKey> --local',
      '  npm run cli -- held --local',
      `  AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER aws --region us-east-1 --endpoint-url ${u.s3} s3 cp s3://${D.bucket}/${aliasObjectKey('<sdkKey>')} -`,
      '',
      'ready — Ctrl-C to stop',
    ].join('\n'),
  );
}

/** `project 123: environments Production; guardrails requiredFlags, maxBytes` — never a secret. */
function describeProjects(projects: ProjectsConfig): string[] {
  return [...projects].map(([id, p]) => {
    const guardrails = Object.keys(p.guardrails ?? {});
    const environments = p.environments ? p.environments.join(', ') : 'all';
    return `project ${id}: environments ${environments}; guardrails ${guardrails.length > 0 ? guardrails.join(', ') : 'none'} (+ SDK check)`;
  });
}

main(process.env).catch((error) => {
  console.error('The local stack could not start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
