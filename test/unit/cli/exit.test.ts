import { exitFor, NotFoundError, UsageError } from '../../../lib/cli/exit';
import { ConfigError, DatafileError, StorageError } from '../../../lib/errors';

describe('exitFor', () => {
  it('maps each error class to its documented exit code', () => {
    const codes = [
      new UsageError('u'),
      new ConfigError('c'),
      new NotFoundError('n'),
      new StorageError('s'),
      new DatafileError('datafile_fetch_failed', 'd'),
      new DatafileError('revision_conflict', 'r'),
      new DatafileError('object_corrupt', 'o'),
      new Error('boom'),
    ].map((e) => exitFor(e).code);

    expect(codes).toEqual([2, 2, 3, 4, 5, 6, 6, 4]);
  });

  it('shows the AWS error behind a storage failure, which the message itself leaves out', () => {
    const cause = Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });
    const { message } = exitFor(new StorageError('Could not read the ledger; retry later.', { cause }));
    expect(message).toBe('Could not read the ledger; retry later. AccessDeniedException: User is not authorized');
  });
});
