import { nextLastModified } from '../../../lib/aws/s3-mirror';

describe('nextLastModified', () => {
  it('is the move’s second, or a second after the previous copy when moves share a second', () => {
    expect(nextLastModified('2024-05-01T10:00:00.900Z', undefined)).toBe('2024-05-01T10:00:00.000Z');
    expect(nextLastModified('2024-05-01T10:00:00.900Z', '2024-05-01T09:59:59.000Z')).toBe('2024-05-01T10:00:00.000Z');
    expect(nextLastModified('2024-05-01T10:00:00.900Z', '2024-05-01T10:00:00.000Z')).toBe('2024-05-01T10:00:01.000Z');
    expect(nextLastModified('2024-05-01T10:00:00.100Z', '2024-05-01T10:00:03.000Z')).toBe('2024-05-01T10:00:04.000Z');
  });
});
