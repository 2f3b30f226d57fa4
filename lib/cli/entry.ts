import { runCli } from './main';

// The process entry (npm run cli, dist/cli.cjs): exit with the command's code.
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  // The Optimizely SDK leaves a timer pending after it rejects a datafile (sync's acceptance
  // check): do not let it hold the finished command for seconds. Unref'd, so it never delays an exit.
  setTimeout(() => process.exit(code), 200).unref();
});
