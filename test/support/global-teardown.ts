import type { LocalStores } from '../../local/stores';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __stores?: LocalStores }).__stores?.stop();
}
