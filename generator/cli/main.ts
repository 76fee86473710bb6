// The sparseforge command line. Thin: each command lives in commands/<name>.ts, parses its
// arguments with yargs and calls into the library; this file only wires them and turns
// user-input errors into one line on stderr and a non-zero exit.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { FieldError } from '../model/errors.ts';
import { loadCommands } from './commands/index.ts';
import { missingDependency } from './setup-hint.ts';

export async function main(argv: string[]): Promise<number> {
  let cli = yargs(argv)
    .scriptName('sparseforge')
    .usage('$0 <command> [options]\n\nGenerate, co-simulate and explore sparse-convolution accelerators for point clouds.')
    .strict()
    .demandCommand(1, 'name a command (see --help)')
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  for (const c of await loadCommands(argv)) cli = cli.command(c as never);
  try {
    await cli.parseAsync();
    return process.exitCode === undefined ? 0 : Number(process.exitCode);
  } catch (e) {
    const hint = missingDependency(e);
    process.stderr.write(`sparseforge: ${hint ?? describeError(e)}\n`);
    return e instanceof UsageError || e instanceof FieldError || hint !== undefined ? 2 : 1;
  }
}

export class UsageError extends Error {}

function describeError(e: unknown): string {
  if (e instanceof Error) {
    if (process.env.SPARSEFORGE_DEBUG) return e.stack ?? e.message;
    return e.message.split('\n')[0]!;
  }
  return String(e);
}

const code = await main(hideBin(process.argv));
process.exit(code);
