import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One stack as the stand-in holds it. */
export interface FakeStack {
  status: string;
  outputs: Record<string, string>;
  /** Logical id → status and physical id. */
  resources: Record<string, { status: string; physicalId: string; type?: string }>;
}

/**
 * A local stand-in for CloudFormation's DescribeStacks and DescribeStackResource, speaking the
 * AWS query protocol (form-encoded POST, XML answers) so the real CloudFormationClient runs
 * unmodified against it. Missing stacks and resources answer as CloudFormation does: a 400
 * ValidationError saying "does not exist".
 */
export interface LocalCloudFormation {
  endpoint: string;
  stacks: Map<string, FakeStack>;
  /** `Action StackName [LogicalResourceId]` of every call. */
  calls: string[];
  close(): Promise<void>;
}

const NS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

export async function startLocalCloudFormation(): Promise<LocalCloudFormation> {
  const stacks = new Map<string, FakeStack>();
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      const action = form.get('Action') ?? '';
      const name = form.get('StackName') ?? '';
      const logicalId = form.get('LogicalResourceId') ?? '';
      calls.push([action, name, logicalId].filter(Boolean).join(' '));
      const answer = (status: number, xml: string) => res.writeHead(status, { 'content-type': 'text/xml' }).end(xml);
      const stack = stacks.get(name);
      if (action !== 'DescribeStacks' && action !== 'DescribeStackResource') return answer(400, error('InvalidAction', action));
      if (!stack) return answer(400, error('ValidationError', `Stack with id ${name} does not exist`));
      const id = `arn:aws:cloudformation:us-east-1:123456789012:stack/${name}/00000000-0000-0000-0000-000000000000`;
      if (action === 'DescribeStacks') {
        const outputs = Object.entries(stack.outputs)
          .map(([k, v]) => `<member><OutputKey>${esc(k)}</OutputKey><OutputValue>${esc(v)}</OutputValue></member>`)
          .join('');
        const member = `<member><StackName>${esc(name)}</StackName><StackId>${id}</StackId><CreationTime>2024-01-01T00:00:00Z</CreationTime><StackStatus>${esc(stack.status)}</StackStatus><Outputs>${outputs}</Outputs></member>`;
        return answer(200, wrap('DescribeStacks', `<Stacks>${member}</Stacks>`));
      }
      const resource = stack.resources[logicalId];
      if (!resource) return answer(400, error('ValidationError', `Resource ${logicalId} does not exist for stack ${name}`));
      const detail = `<StackResourceDetail><StackName>${esc(name)}</StackName><StackId>${id}</StackId><LogicalResourceId>${esc(logicalId)}</LogicalResourceId><PhysicalResourceId>${esc(resource.physicalId)}</PhysicalResourceId><ResourceType>${esc(resource.type ?? 'AWS::IAM::ManagedPolicy')}</ResourceType><LastUpdatedTimestamp>2024-01-01T00:00:00Z</LastUpdatedTimestamp><ResourceStatus>${esc(resource.status)}</ResourceStatus></StackResourceDetail>`;
      return answer(200, wrap('DescribeStackResource', detail));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stacks,
    calls,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function wrap(action: string, result: string): string {
  return `<${action}Response xmlns="${NS}"><${action}Result>${result}</${action}Result><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></${action}Response>`;
}

function error(code: string, message: string): string {
  return `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${esc(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`;
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
