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
      new Error('boom'),
    ].map((e) => exitFor(e).code);

    expect(codes).toEqual([2, 2, 3, 4, 5, 4]);
  });
});
