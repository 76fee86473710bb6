// `sparseforge net golden`: run the golden network on an input and write the result file.
import type { Argv, CommandModule } from 'yargs';
import { runNetwork, type NodeStats } from '../../model/index.ts';
import { inFile } from '../../io/files.ts';
import { readNetworkFile } from '../../io/network.ts';
import { writeNetworkResultFile } from '../../io/network-result.ts';
import { netInputOptions, readNetInput, type NetInputArgs } from './net-input.ts';
import { nodeProgress } from './net-progress.ts';

interface NetGoldenArgs extends NetInputArgs {
  network: string;
  output: string;
  all: boolean;
  quiet: boolean;
}

export const netGoldenCommand: CommandModule<object, NetGoldenArgs> = {
  command: 'golden <network>',
  describe: 'Run the bit-exact golden model of a network and write the result file',
  builder: (y: Argv<object>) =>
    netInputOptions(
      y
        .usage(
          '$0 net golden NET.json (--input TENSOR.json | (--ply FILE | --bunny) --voxel V --seed S) -o RESULT.json [--all]\n\n' +
            'Runs every node in topological order (conv nodes with the layer golden model, add and concat as in\n' +
            'DESIGN.md §6) and writes a sparseforge.network-result/1 file with the output nodes (every node with\n' +
            '--all), coordinates in canonical order. Prints one line per node: points, tensor strides, channels,\n' +
            'kernel-map entries, MACs, accumulator wraps and outputs saturated by the requantization clamp.',
        )
        .positional('network', { type: 'string', normalize: true, describe: 'network file (sparseforge.network/1)' }),
    )
      .group(['output', 'all', 'quiet'], 'Output:')
      .option('output', { alias: 'o', type: 'string', demandOption: true, normalize: true, describe: 'result file to write' })
      .option('all', { type: 'boolean', default: false, describe: 'write every node\'s tensor, not only the outputs' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary line' })
      .example('$0 net golden unet.json --bunny --voxel 0.25 --seed 1 -o unet.result.json', 'the bunny through a network')
      .example('$0 net golden unet.json --input scan.tensor.json -o r.json --all', 'every node of a tensor file\'s run') as unknown as Argv<NetGoldenArgs>,
  handler: async (a) => {
    const net = await readNetworkFile(a.network);
    const { input, source } = await readNetInput(a, net);
    const t0 = performance.now();
    const progress = nodeProgress('golden');
    const run = inFile(a.network, () => runNetwork(net, input, { all: a.all, keep: false, onNode: (s, d, t) => progress.onNode(s.name, d, t) }));
    progress.end();
    const ms = performance.now() - t0;
    await writeNetworkResultFile(a.output, run.result);
    if (!a.quiet) process.stdout.write(formatNodeStats(run.stats));
    const macs = run.stats.reduce((s, n) => s + n.macs, 0);
    const wraps = run.stats.reduce((s, n) => s + n.wraps, 0);
    process.stdout.write(
      `${a.output}: ${net.name}, ${run.order.length} nodes on ${input.coords.length} points from ${source}, ` +
        `${Object.keys(run.result.nodes).length} node tensors written, ${fmtInt(macs)} MACs, ${wraps} wraps, ${(ms / 1000).toFixed(2)} s\n`,
    );
  },
};

function fmtInt(n: number): string {
  return n.toLocaleString('en-US');
}

function opName(s: NodeStats): string {
  if (s.op !== 'conv') return s.op;
  const t = s.layerType === 'submanifold' ? 'subm' : s.layerType === 'transposed' ? 'deconv' : 'conv';
  return `${t} k${s.kernelSize}${s.layerType === 'submanifold' ? '' : ` s${s.stride}`}`;
}

/** One line per node, aligned. */
export function formatNodeStats(stats: NodeStats[]): string {
  const head = ['node', 'op', 'points in→out', 'ts', 'channels', 'map entries', 'MACs', 'wraps', 'saturated'];
  const rows = stats.map((s) => [
    s.name,
    opName(s),
    `${s.pointsIn}→${s.pointsOut}`,
    s.inTensorStride === s.outTensorStride ? String(s.outTensorStride) : `${s.inTensorStride}→${s.outTensorStride}`,
    s.op === 'conv' ? `${s.inChannels}→${s.outChannels}` : String(s.outChannels),
    s.op === 'conv' ? fmtInt(s.mapEntries) : '-',
    s.op === 'conv' ? fmtInt(s.macs) : '-',
    s.op === 'conv' ? String(s.wraps) : '-',
    s.op === 'concat' ? '-' : `${((100 * s.saturated) / Math.max(1, s.pointsOut * s.outChannels)).toFixed(2)}%`,
  ]);
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const left = new Set([0, 1]);
  return `${all.map((r) => r.map((v, c) => (left.has(c) ? v.padEnd(w[c]) : v.padStart(w[c]))).join('  ').trimEnd()).join('\n')}\n`;
}
