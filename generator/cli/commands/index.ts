// Every CLI command, in the order `--help` lists them.
import type { CommandModule } from 'yargs';

export const commands: CommandModule<object, any>[] = [];
commands.push((await import('./case.ts')).caseCommand);
commands.push((await import('./golden.ts')).goldenCommand);
commands.push((await import('./stats.ts')).statsCommand);
