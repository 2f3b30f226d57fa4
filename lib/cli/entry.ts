import { runCli } from './main';

// The process entry (npm run cli, dist/cli.cjs): exit with the command's code.
runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
