import { sdkAccepts } from '../../../lib/changes/sdk-check';
import { buildDatafile } from '../../support/datafile-builders';

const valid = () =>
  buildDatafile({
    flags: [
      {
        key: 'checkout',
        variables: { color: 'red' },
        rollout: [{ key: 'everyone', variations: [{ key: 'on', featureEnabled: true, variables: { color: 'blue' } }] }],
      },
    ],
    attributes: ['plan'],
    events: ['buy'],
  });

describe('sdkAccepts', () => {
  // Observes (does not replace) every way the SDK could print, to prove it prints nothing.
  let writes: jest.SpyInstance[] = [];
  beforeEach(() => {
    // A client that fails to start keeps its onReady timer until it fires (the SDK skips cleanup
    // once failed): fake timers keep that timer out of the test run's open handles.
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    writes = [
      ...(['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => jest.spyOn(console, m)),
      jest.spyOn(process.stdout, 'write'),
      jest.spyOn(process.stderr, 'write'),
    ];
  });
  afterEach(() => {
    for (const w of writes) w.mockRestore();
    jest.useRealTimers();
  });
  const printed = () => writes.reduce((n, w) => n + w.mock.calls.length, 0);

  it('accepts a valid v4 datafile, silently', async () => {
    await expect(sdkAccepts(JSON.stringify(valid()))).resolves.toEqual({ ok: true });
    expect(printed()).toBe(0);
  });

  it.each(['2', '3'] as const)('accepts a valid v%s datafile', async (version) => {
    const datafile = buildDatafile({ version, experiments: [{ key: 'etag1', variations: [{ key: 'a' }, { key: 'b' }] }] });
    await expect(sdkAccepts(JSON.stringify(datafile))).resolves.toEqual({ ok: true });
  });

  it('refuses version "5" with the reason the SDK gives, silently', async () => {
    const verdict = await sdkAccepts(JSON.stringify({ ...valid(), version: '5' }));
    expect(verdict).toEqual({ ok: false, reason: expect.stringContaining('datafile version: 5') });
    expect(printed()).toBe(0);
  });

  it.each([
    ['experiments that are not a list', JSON.stringify({ ...valid(), experiments: 5 })],
    ['text that is not JSON', '{"version": "4", '],
    ['a JSON array', '[]'],
  ])('refuses %s', async (_what, datafile) => {
    const verdict = await sdkAccepts(datafile);
    expect(verdict.ok).toBe(false);
    expect(verdict.ok ? '' : verdict.reason).not.toBe('');
  });
});
