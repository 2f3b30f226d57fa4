import { parseProjectsConfig } from '../../../lib/config';
import { findSigner } from '../../../lib/webhook/authenticate';
import { signatureMatches, signBody } from '../../../lib/webhook/signature';

const projects = parseProjectsConfig(
  JSON.stringify({
    projects: {
      '1111': { secrets: ['first-current-secret', 'first-previous-secret'] },
      '2222': { secrets: ['second-only-secret'] },
      '3333': { secrets: ['third-current-secret', 'third-previous-secret'] },
    },
  }),
  'test',
);
const SECRETS = 5;

const bodies = {
  'a configured project id': '{"project_id":1111,"event":"project.datafile_updated"}',
  'a configured project id as the last project': '{"project_id":3333,"event":"project.datafile_updated"}',
  'an unknown project id': '{"project_id":9999,"event":"project.datafile_updated"}',
  'no project id': '{"event":"project.datafile_updated"}',
  'a body that is not JSON': 'not json at all',
};

/** findSigner with the real comparator, counting how many signatures it computes. */
function countedFindSigner(body: Buffer, header: string | undefined) {
  let computed = 0;
  const signer = findSigner(body, header, projects, (secret, b, h) => {
    computed++;
    return signatureMatches(secret, b, h);
  });
  return { signer: signer?.projectId, computed };
}

describe('findSigner', () => {
  it.each(Object.entries(bodies))('computes one signature per configured secret for an unsigned body claiming %s', (_claim, text) => {
    // Arrange
    const body = Buffer.from(text);

    // Act
    const results = [undefined, '', 'sha1=0000000000000000000000000000000000000000', signBody('not-configured-secret', body)].map(
      (header) => countedFindSigner(body, header),
    );

    // Assert: the same work whatever is claimed, so timing reveals nothing about configured ids.
    expect(results).toEqual(Array(4).fill({ signer: undefined, computed: SECRETS }));
  });

  it.each(Object.entries(bodies))('computes one signature per configured secret for a signed body claiming %s', (_claim, text) => {
    // Arrange
    const body = Buffer.from(text);

    // Act
    const result = countedFindSigner(body, signBody('first-previous-secret', body));

    // Assert
    expect(result).toEqual({ signer: '1111', computed: SECRETS });
  });

  it('names the project whose secret signed, also when the body claims another configured project', () => {
    // Arrange
    const body = Buffer.from(bodies['a configured project id']);

    // Act + Assert (the webhook then answers 403 unknown_project, whether or not the claimed id exists)
    expect(findSigner(body, signBody('third-previous-secret', body), projects)?.projectId).toBe('3333');
    expect(findSigner(body, signBody('first-current-secret', body), projects)?.projectId).toBe('1111');
  });

  it('prefers the claimed project, then the wildcard, when several share a secret', () => {
    // Arrange
    const shared = parseProjectsConfig(
      JSON.stringify({
        projects: {
          '*': { secrets: ['shared-secret-1'] },
          '1111': { secrets: ['shared-secret-1'] },
          '2222': { secrets: ['shared-secret-1'] },
        },
      }),
      'test',
    );
    const sign = (text: string) => [Buffer.from(text), signBody('shared-secret-1', Buffer.from(text))] as const;

    // Act + Assert
    expect(findSigner(...sign('{"project_id":2222}'), shared)?.projectId).toBe('2222');
    expect(findSigner(...sign('{"project_id":1111}'), shared)?.projectId).toBe('1111');
    expect(findSigner(...sign('{"project_id":4444}'), shared)?.projectId).toBe('*');
  });
});
