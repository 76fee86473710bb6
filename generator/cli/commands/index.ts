// Every CLI command, in the order `--help` lists them.
import type { CommandModule } from 'yargs';

export const commands: CommandModule<object, any>[] = [];
commands.push((await import('./case.ts')).caseCommand);
commands.push((await import('./golden.ts')).goldenCommand);
commands.push((await import('./stats.ts')).statsCommand);
commands.push((await import('./generate.ts')).generateCommand);
commands.push((await import('./schema.ts')).schemaCommand);
commands.push((await import('./synth.ts')).synthCommand);
commands.push((await import('./sim-map.ts')).simMapCommand);
commands.push((await import('./sweep.ts')).sweepCommand);
commands.push((await import('./sim.ts')).simCommand);
commands.push((await import('./run.ts')).runCommand);
commands.push((await import('./verify.ts')).verifyCommand);
