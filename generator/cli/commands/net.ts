// `sparseforge net <subcommand>`: whole networks (DESIGN.md §6). Each subcommand lives in its own
// file (net-<name>.ts) and is imported only when it runs (or for the full help).
import type { Argv, CommandModule } from 'yargs';

type Loader = () => Promise<CommandModule<object, any>>;

const SUBCOMMANDS: [name: string, load: Loader][] = [
  ['init', async () => (await import('./net-init.ts')).netInitCommand],
  ['tensor', async () => (await import('./net-tensor.ts')).netTensorCommand],
  ['golden', async () => (await import('./net-golden.ts')).netGoldenCommand],
  ['sim', async () => (await import('./net-sim.ts')).netSimCommand],
];

/** The `net` command with the subcommand `argv` names (after `net`), or all of them. */
export async function loadNetCommand(argv: string[]): Promise<CommandModule<object, any>> {
  const words = argv.filter((a) => !a.startsWith('-'));
  const sub = words[words.indexOf('net') + 1];
  const hit = SUBCOMMANDS.find(([n]) => n === sub);
  const subs = hit ? [await hit[1]()] : await Promise.all(SUBCOMMANDS.map(([, load]) => load()));
  return {
    command: 'net',
    describe: 'Whole networks: build a model-zoo network, write input tensors, run the golden network or the RTL',
    builder: (y: Argv<object>) => {
      let c = y.usage('$0 net <subcommand> [options]\n\nNetworks are DAGs of conv / add / concat nodes (DESIGN.md §6).');
      for (const s of subs) c = c.command(s as never);
      return c.demandCommand(1, 'name a net subcommand (see sparseforge net --help)');
    },
    handler: () => undefined,
  };
}
