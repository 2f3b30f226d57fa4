/**
 * The local stack's names and default ports, in one place: `npm start` (local/), the webhook sender,
 * the CLI's `--local` and `doctor --local` all read them here.
 */
export const LOCAL_STACK = {
  port: 3000,
  s3Port: 4569,
  dynamoPort: 8000,
  eventsPort: 4010,
  /** Printed by `npm start`; accepted for any project id. Never use it outside your machine. */
  secret: 'local-development-secret',
  table: 'datafile-sync-local',
  bucket: 'datafile-sync-local',
  bus: 'datafile-sync-local',
} as const;
