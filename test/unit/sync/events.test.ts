import { createLogger } from '../../../lib/log';
import { pointerMoved, reliableNotify } from '../../../lib/sync/events';
import type { ChangeEvent, Pointer } from '../../../lib/sync/ports';

const pointer: Pointer = {
  key: 'k',
  revision: 5,
  s3Key: 'datafiles/k/revisions/5-abc.json',
  sha256: 'abc',
  size: 3,
  projectId: '1',
  environment: 'Production',
  storedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:01.000Z',
  pinned: false,
  eventId: 'event-1',
  unsettled: true,
  previousRevision: 4,
  moveReason: 'pin',
};

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = { ...createLogger(), error: (m: string, f?: object) => lines.push({ m, ...f }) };
  return { lines, logger };
}

describe('pointerMoved', () => {
  it('rebuilds the event of the last move from the pointer: same id, key, revisions, object and reason', () => {
    expect(pointerMoved(pointer)).toEqual({
      eventId: 'event-1',
      key: 'k',
      projectId: '1',
      environment: 'Production',
      revision: 5,
      previousRevision: 4,
      s3Key: 'datafiles/k/revisions/5-abc.json',
      sha256: 'abc',
      reason: 'pin',
      movedAt: '2026-01-01T00:00:01.000Z',
    });
  });

  it('leaves previousRevision out for a first revision', () => {
    expect(pointerMoved({ ...pointer, previousRevision: undefined })).not.toHaveProperty('previousRevision');
  });
});

describe('reliableNotify', () => {
  it('retries with jittered exponential backoff until the publisher succeeds', async () => {
    const delays: number[] = [];
    const sent: ChangeEvent[] = [];
    let failures = 2;
    const notify = reliableNotify(
      {
        publish: async (e) => {
          if (failures-- > 0) throw new Error('throttled');
          sent.push(e);
        },
      },
      capture().logger,
      { backoff: { baseMs: 100, maxMs: 1_000 }, sleep: async (ms) => void delays.push(ms) },
    );

    await expect(notify(pointerMoved(pointer))).resolves.toBe(true);

    expect(delays).toHaveLength(2);
    expect(delays[0]).toBeLessThanOrEqual(100);
    expect(delays[1]).toBeLessThanOrEqual(200);
    expect(sent).toHaveLength(1);
  });

  it('gives up after the last attempt, logs it and resolves false (never throws)', async () => {
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

    await expect(notify(pointerMoved(pointer))).resolves.toBe(false);

    expect(calls).toBe(3);
    expect(lines).toEqual([expect.objectContaining({ m: 'change event not published', key: 'k', eventId: 'event-1', attempts: 3 })]);
  });

  it('waits on timers between attempts (fake-timer controlled)', async () => {
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
        { backoff: { baseMs: 1000, maxMs: 1000 } },
      );

      const done = notify(pointerMoved(pointer));
      await jest.advanceTimersByTimeAsync(0);
      const before = calls;
      await jest.advanceTimersByTimeAsync(1000);
      await done;

      expect([before, calls]).toEqual([1, 2]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('counts every move as announced without a publisher (no bus configured)', async () => {
    await expect(reliableNotify(undefined, capture().logger)(pointerMoved(pointer))).resolves.toBe(true);
  });
});
