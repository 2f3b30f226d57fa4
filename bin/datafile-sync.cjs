#!/usr/bin/env node
// Launcher for the operator CLI: the bundled build (npm run build:cli → dist/cli.cjs).
try {
  require('../dist/cli.cjs');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.cjs')) {
    process.stderr.write('datafile-sync: not built yet. Run `npm run build:cli` (or `npm run cli -- <command>` in development).\n');
    process.exit(2);
  }
  throw error;
}
