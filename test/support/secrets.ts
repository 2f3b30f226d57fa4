import { SECRET } from './webhooks';

/**
 * Every webhook secret and datafile access token the test fixtures use. No log line written during
 * the suite may contain one (checked after every test file by test/support/capture-logs.ts).
 * Fixtures defined elsewhere are listed by value; add new ones here.
 */
export const KNOWN_SECRETS: readonly string[] = [
  SECRET,
  // test/integration/webhook.test.ts, test/support/ops.ts
  'old-secret-abcdefgh',
  'token-zyxwvutsrq',
  // test/integration/ssm-config.test.ts
  'rotation-old-secret-111',
  'rotation-new-secret-222',
  // test/integration/reconcile.test.ts
  'reconcile-test-secret',
  // test/integration/hostile.test.ts, test/integration/ssrf.test.ts
  'hostile-secret-token-5551',
  // test/integration/doctor.test.ts
  'doctor-webhook-secret-4242',
  'doctor-rotating-secret-77',
  'doctor-access-token-9191',
  // test/integration/hostile-payloads.test.ts
  'proto-key-token-ctor-01',
  'proto-key-token-dunder-02',
  'proto-key-token-tostr-03',
];
