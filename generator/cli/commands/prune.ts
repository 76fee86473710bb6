// `sparseforge prune`: N:M magnitude pruning of a layer case or a network file (DESIGN.md §7).
import type { Argv, CommandModule } from 'yargs';
import { FieldError, nmName, parseNmPattern } from '../../model/index.ts';
import { readJsonFile } from '../../io/files.ts';
import { parseLayerCase, LAYER_CASE_FORMAT, writeLayerCaseFile } from '../../io/layer-case.ts';
import { inFile } from '../../io/files.ts';
import { pruneCase, type PruneCount } from '../../prune/prune.ts';
import { pruneNetworkFile } from '../../prune/network-file.ts';

interface PruneArgs {
  input: string;
  pattern: string;
  layers?: string[];
  output: string;
}

export const pruneCommand: CommandModule<object, PruneArgs> = {
  command: 'prune <input>',
  describe: 'Prune a layer case or a network to N:M structured weight sparsity (largest magnitudes kept)',
  builder: (y: Argv<object>) =>
    y
      .usage(
        '$0 prune (CASE.json | NET.json) --pattern N:M [--layers A B …] -o OUT.json\n\n' +
          'In every group of M consecutive input channels of every (kernel index, output channel), keeps\n' +
          'the N weights of largest magnitude and sets the others to zero; ties keep the lower input\n' +
          'channel. Input channels past the last full group form a short group. Writes the same kind of\n' +
          'file it reads; a network file has only the conv nodes named by --layers pruned (all by default).',
      )
      .positional('input', { type: 'string', describe: 'sparseforge.layer-case/1 or sparseforge.network/1 file', normalize: true })
      .option('pattern', { type: 'string', demandOption: true, describe: 'N:M pattern, 1 ≤ N < M, M ∈ {2, 4, 8} (e.g. 2:4)' })
      .option('layers', { type: 'string', array: true, describe: 'network files only: the conv nodes to prune (default: all)' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'file to write', normalize: true })
      .example('$0 prune bunny.json --pattern 2:4 -o bunny-2of4.json', 'prune a layer case')
      .example('$0 prune net.json --pattern 1:4 --layers enc1 enc2 -o net-1of4.json', 'prune two layers of a network') as unknown as Argv<PruneArgs>,
  handler: async (a) => {
    const p = parseNmPattern(a.pattern, '--pattern');
    const json = await readJsonFile(a.input);
    const format = (json as { format?: unknown } | null)?.format;
    if (format === LAYER_CASE_FORMAT) {
      if (a.layers) throw new FieldError('--layers', 'applies to network files only; a layer case has one layer');
      const c = inFile(a.input, () => parseLayerCase(json));
      const { case: out, count } = pruneCase(c, p);
      await writeLayerCaseFile(a.output, out);
      process.stdout.write(`${a.output}: ${nmName(p)} layer case, ${describeCount(count)}\n`);
      return;
    }
    const lines = await pruneNetworkFile(a.input, json, p, a.layers, a.output, describeCount);
    process.stdout.write(lines);
  },
};

export function describeCount(c: PruneCount): string {
  const after = c.nonZerosBefore - c.zeroed;
  return `${c.zeroed} of ${c.nonZerosBefore} non-zero weights zeroed (${c.total} weights, ${after} non-zero left, density ${(after / Math.max(1, c.total)).toFixed(3)})`;
}
