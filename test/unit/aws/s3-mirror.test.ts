import { maxAgeOf, nextLastModified } from '../../../lib/aws/s3-mirror';

describe('nextLastModified', () => {
  it('is the move’s second, or a second after the previous copy when moves share a second', () => {
    expect(nextLastModified('2024-05-01T10:00:00.900Z', undefined)).toBe('2024-05-01T10:00:00.000Z');
    expect(nextLastModified('2024-05-01T10:00:00.900Z', '2024-05-01T09:59:59.000Z')).toBe('2024-05-01T10:00:00.000Z');
    expect(nextLastModified('2024-05-01T10:00:00.900Z', '2024-05-01T10:00:00.000Z')).toBe('2024-05-01T10:00:01.000Z');
    expect(nextLastModified('2024-05-01T10:00:00.100Z', '2024-05-01T10:00:03.000Z')).toBe('2024-05-01T10:00:04.000Z');
  });
});

describe('maxAgeOf', () => {
  it('reads the max-age the mirror writes, and nothing else', () => {
    expect(maxAgeOf('max-age=1')).toBe(1);
    expect(maxAgeOf('max-age=300')).toBe(300);
    for (const other of [undefined, '', 'no-cache', 'public, max-age=60', 'max-age=', 'max-age=-1', 'max-age=1x', 'max-age=1234567890'])
      expect(maxAgeOf(other)).toBeUndefined();
  });
});
