/** Defaults shared by the local stack (npm start) and the webhook sender (npm run webhook:send). */
export const LOCAL_DEFAULTS = {
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
