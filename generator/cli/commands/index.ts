// Every CLI command, in the order `--help` lists them. A command's module is imported only when
// it runs (or for the full help): `generate` alone pulls in Handlebars, execa and the emitters,
// and a command line should not wait for the sweep and verification code it does not use.
import type { CommandModule } from 'yargs';

type Loader = (argv: string[]) => Promise<CommandModule<object, any>>;

const LOADERS: [name: string, load: Loader][] = [
  ['case', async () => (await import('./case.ts')).caseCommand],
  ['golden', async () => (await import('./golden.ts')).goldenCommand],
  ['stats', async () => (await import('./stats.ts')).statsCommand],
  ['generate', async () => (await import('./generate.ts')).generateCommand],
  ['schema', async () => (await import('./schema.ts')).schemaCommand],
  ['synth', async () => (await import('./synth.ts')).synthCommand],
  ['sim-map', async () => (await import('./sim-map.ts')).simMapCommand],
  ['sweep', async () => (await import('./sweep.ts')).sweepCommand],
  ['sim', async () => (await import('./sim.ts')).simCommand],
  ['run', async () => (await import('./run.ts')).runCommand],
  ['verify', async () => (await import('./verify.ts')).verifyCommand],
  ['net', async (argv) => (await import('./net.ts')).loadNetCommand(argv)],
  ['prune', async () => (await import('./prune.ts')).pruneCommand],
  ['sensitivity', async () => (await import('./sensitivity.ts')).sensitivityCommand],
];

/** The command the arguments name (its first non-option word), or every command when none matches. */
export async function loadCommands(argv: string[]): Promise<CommandModule<object, any>[]> {
  const first = argv.find((a) => !a.startsWith('-'));
  const hit = LOADERS.find(([n]) => n === first);
  return hit ? [await hit[1](argv)] : Promise.all(LOADERS.map(([, load]) => load(argv)));
}
