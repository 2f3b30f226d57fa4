import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { datafilePath } from '../lib/layout';
import { signBody } from '../lib/webhook/signature';
import { LOCAL_DEFAULTS as D } from './defaults';
import { body, startOrigin } from './origin';

const USAGE = `Usage: npm run webhook:send -- --datafile <file.json> [--key <sdkKey>] [--project <id>] [--revision <n>]
       [--environment <name>] [--url http://127.0.0.1:${D.port}/webhook] [--secret <secret>]

Serves the datafile from a local origin and sends a signed project.datafile_updated webhook to the
running local stack (npm start). key/project/revision default to the datafile's sdkKey/projectId/revision.`;

/** Parse arguments, serve the datafile, send the signed webhook, print the answer. Exit 0 on 2xx. */
async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      datafile: { type: 'string' },
      key: { type: 'string' },
      project: { type: 'string' },
      revision: { type: 'string' },
      environment: { type: 'string' },
      url: { type: 'string' },
      secret: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help || !v.datafile) {
    console.error(USAGE);
    return v.help ? 0 : 2;
  }
  const text = readFileSync(v.datafile);
  let doc: { sdkKey?: unknown; projectId?: unknown; revision?: unknown };
  try {
    doc = JSON.parse(text.toString('utf8'));
  } catch {
    console.error(`${v.datafile} is not valid JSON.`);
    return 2;
  }
  const key = v.key ?? (typeof doc.sdkKey === 'string' ? doc.sdkKey : undefined);
  const project = v.project ?? (typeof doc.projectId === 'string' ? doc.projectId : undefined);
  const revision = Number(v.revision ?? doc.revision);
  if (!key || !project || !Number.isSafeInteger(revision) || revision < 1) {
    console.error('Could not tell key, project and revision from the datafile; pass --key, --project and --revision.');
    return 2;
  }
  const url = v.url ?? `http://127.0.0.1:${env.PORT ?? D.port}/webhook`;
  const secret = v.secret ?? env.WEBHOOK_SECRET ?? D.secret;

  const origin = await startOrigin();
  try {
    origin.serve(datafilePath(key), body(text));
    origin.serve(`/cdn${datafilePath(key)}`, body(text));
    const payload = JSON.stringify({
      project_id: Number(project),
      timestamp: Math.floor(Date.now() / 1000),
      event: 'project.datafile_updated',
      data: {
        revision,
        origin_url: `${origin.url}${datafilePath(key)}`,
        cdn_url: `${origin.url}/cdn${datafilePath(key)}`,
        environment: v.environment ?? 'Production',
      },
    });
    console.error(`POST ${url}  (key ${key}, project ${project}, revision ${revision}; datafile served at ${origin.url})`);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature': signBody(secret, payload) },
      body: payload,
    });
    console.log(`${res.status} ${await res.text()}`);
    return res.ok ? 0 : 1;
  } catch (error) {
    console.error(`Could not reach ${url}: ${(error as Error).cause ?? (error as Error).message}. Is the local stack running (npm start)?`);
    return 1;
  } finally {
    await origin.close();
  }
}

main(process.argv.slice(2), process.env).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error((error as Error).message);
    process.exitCode = 2;
  },
);
