import { createLogger } from '../../lib/log';
import { pointerMoved, reliableNotify } from '../../lib/sync/events';
import type { Pointer, PointerMoved } from '../../lib/sync/ports';

const pointer: Pointer = {
  key: 'k',
  revision: 5,
  s3Key: 'datafiles/k/revisions/5.json',
  sha256: 'abc',
  size: 3,
  projectId: '1',
  environment: 'Production',
  storedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  pinned: false,
};

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = { ...createLogger(), error: (m: string, f?: object) => lines.push({ m, ...f }) };
  return { lines, logger };
}

describe('pointerMoved', () => {
  it('carries key, project, environment, revisions, S3 key, sha256 and reason', () => {
    expect(pointerMoved(pointer, 4, 'pin')).toEqual({
      key: 'k',
      projectId: '1',
      environment: 'Production',
      revision: 5,
      previousRevision: 4,
      s3Key: 'datafiles/k/revisions/5.json',
      sha256: 'abc',
      reason: 'pin',
    });
  });

  it('leaves previousRevision out for a first revision', () => {
    expect(pointerMoved(pointer, undefined, 'webhook')).not.toHaveProperty('previousRevision');
  });
});

describe('reliableNotify', () => {
  it('retries with exponential backoff until the publisher succeeds', async () => {
    const delays: number[] = [];
    const sent: PointerMoved[] = [];
    let failures = 2;
    const notify = reliableNotify(
      {
        publish: async (e) => {
          if (failures-- > 0) throw new Error('throttled');
          sent.push(e);
        },
      },
      capture().logger,
      { baseDelayMs: 100, sleep: async (ms) => void delays.push(ms) },
    );

    await notify(pointerMoved(pointer, 4, 'webhook'));

    expect(delays).toEqual([100, 200]);
    expect(sent).toHaveLength(1);
  });

  it('gives up after the last attempt, logs it and resolves (never throws)', async () => {
    const { lines, logger } = capture();
    let calls = 0;
    const notify = reliableNotify(
      {
        publish: async () => {
          calls++;
          throw new Error('down');
        },
      },
      logger,
      { attempts: 3, sleep: async () => undefined },
    );

    await expect(notify(pointerMoved(pointer, 4, 'webhook'))).resolves.toBeUndefined();

    expect(calls).toBe(3);
    expect(lines).toEqual([expect.objectContaining({ m: 'change event not published', key: 'k', revision: 5, attempts: 3 })]);
  });

  it('waits with real timers between attempts (fake-timer controlled)', async () => {
    jest.useFakeTimers();
    try {
      let calls = 0;
      const notify = reliableNotify(
        {
          publish: async () => {
            if (++calls === 1) throw new Error('once');
          },
        },
        capture().logger,
        { baseDelayMs: 1000 },
      );

      const done = notify(pointerMoved(pointer, 4, 'webhook'));
      await jest.advanceTimersByTimeAsync(999);
      const before = calls;
      await jest.advanceTimersByTimeAsync(1);
      await done;

      expect([before, calls]).toEqual([1, 2]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('is a no-op without a publisher (no bus configured)', async () => {
    await expect(reliableNotify(undefined, capture().logger)(pointerMoved(pointer, 4, 'webhook'))).resolves.toBeUndefined();
  });
});
