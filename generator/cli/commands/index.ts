// Every CLI command, in the order `--help` lists them.
import type { CommandModule } from 'yargs';

export const commands: CommandModule<object, any>[] = [];
