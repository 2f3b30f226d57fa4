import { pointerMoved } from '../../../lib/sync/events';
import { MAX_OWED_EVENTS, owedAfter } from '../../../lib/sync/owed';
import type { Pointer, PointerMoved } from '../../../lib/sync/ports';

const pointer: Pointer = {
  key: 'k',
  revision: 30,
  s3Key: 'datafiles/k/revisions/30-abc.json',
  sha256: 'abc',
  size: 3,
  projectId: '1',
  storedAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:01.000Z',
  pinned: false,
  eventId: 'event-30',
  unsettled: true,
  previousRevision: 29,
  moveReason: 'webhook',
};

function owedMoves(count: number): PointerMoved[] {
  return Array.from({ length: count }, (_, i) => pointerMoved({ ...pointer, revision: i + 1, eventId: `event-${i + 1}` }));
}

function warnings() {
  const lines: Record<string, unknown>[] = [];
  return { lines, logger: { warn: (m: string, f?: object) => lines.push({ m, ...f }) } };
}

describe('owedAfter', () => {
  it('owes nothing after a settled pointer, or none', () => {
    expect(owedAfter({ ...pointer, unsettled: false, owedEvents: owedMoves(2) })).toEqual([]);
    expect(owedAfter(undefined)).toEqual([]);
  });

  it('carries what an unsettled pointer owed, oldest first, then its own move’s event', () => {
    expect(owedAfter({ ...pointer, owedEvents: owedMoves(2) }).map((e) => e.eventId)).toEqual(['event-1', 'event-2', 'event-30']);
  });

  it(`keeps the ${MAX_OWED_EVENTS} newest and warns with the ids it drops`, () => {
    const { lines, logger } = warnings();

    const owed = owedAfter({ ...pointer, owedEvents: owedMoves(MAX_OWED_EVENTS) }, logger);

    expect(owed).toHaveLength(MAX_OWED_EVENTS);
    expect(owed[0]?.eventId).toBe('event-2');
    expect(owed.at(-1)).toEqual(pointerMoved(pointer));
    expect(lines).toEqual([expect.objectContaining({ m: 'owed change events dropped', key: 'k', eventIds: ['event-1'], revisions: [1] })]);
  });
});
