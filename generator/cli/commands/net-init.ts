// `sparseforge net init`: a model-zoo network with seeded weights, quantized to INT8 and
// calibrated on a cloud, written as a network file.
import type { Argv, CommandModule } from 'yargs';
import type { NetworkNode } from '../../model/index.ts';
import { writeNetworkFile } from '../../io/network.ts';
import { buildTensor } from '../../io/tensor-builder.ts';
import { writeFloatNetworkFile } from '../../network/float-file.ts';
import type { NodeCalibration } from '../../network/calibrate.ts';
import { ZOO_ARCH_NAMES, buildZooNetwork } from '../../network/zoo/index.ts';
import { cloudPoints } from './net-input.ts';
import { nodeProgress } from './net-progress.ts';

interface NetInitArgs {
  arch: string;
  width: number;
  inChannels: number;
  classes: number;
  seed: number;
  ply?: string;
  bunny?: boolean;
  voxel: number;
  output: string;
  floatOut?: string;
  quiet: boolean;
}

export const netInitCommand: CommandModule<object, NetInitArgs> = {
  command: 'init <arch>',
  describe: 'Write a model-zoo network (minkunet, resnet) with seeded INT8 weights, calibrated on a cloud',
  builder: (y: Argv<object>) =>
    y
      .usage(
        '$0 net init ARCH [--width W] --in-channels C --classes N --seed S [--ply FILE | --bunny] [--voxel V]\n' +
          '    -o NET.json [--float-out FLOAT.json]\n\n' +
          'Builds the architecture with seeded float weights (He initialisation), quantizes each conv to INT8 with\n' +
          'a per-layer weight scale, and calibrates every requantization multiplier/shift and add scale on the\n' +
          'calibration cloud (voxelized, input features seeded by --seed) so that the 99.9th percentile of each\n' +
          'node\'s outputs maps onto the top of the INT8 range. Prints, per node, the fraction of outputs that\n' +
          'saturate on that cloud. The head keeps raw accumulators.\n\n' +
          'Architectures:\n' +
          '  minkunet  MinkUNet18 as in TorchSparse/SPVNAS: stem, 4 × (k2 s2 down + 2 residual blocks),\n' +
          '            4 × (k2 s2 transposed up + skip concat + 2 residual blocks), 1×1 head;\n' +
          '            channels 32-32-64-128-256-256-128-96-96 × width\n' +
          '  resnet    encoder-only SparseResNet21D-style backbone: 4 stages of (conv block + 2 residual blocks),\n' +
          '            channels 16-32-64-128 × width, stride 2 (k3) between stages, 1×1 head',
      )
      .positional('arch', { type: 'string', describe: `architecture: ${ZOO_ARCH_NAMES.join(' | ')}` })
      .group(['width', 'in-channels', 'classes', 'seed'], 'Network:')
      .option('width', { type: 'number', default: 1, describe: 'channel width multiplier (channels = floor(c · W), at least 1)' })
      .option('in-channels', { type: 'number', demandOption: true, describe: 'input feature channels' })
      .option('classes', { type: 'number', demandOption: true, describe: 'output channels of the head' })
      .option('seed', { type: 'number', demandOption: true, describe: 'seed of the weights and of the calibration features' })
      .group(['ply', 'bunny', 'voxel'], 'Calibration cloud (default: the bunny at voxel 0.25):')
      .option('ply', { type: 'string', normalize: true, describe: 'calibrate on the points of a PLY file' })
      .option('bunny', { type: 'boolean', describe: 'calibrate on the Stanford bunny' })
      .option('voxel', { type: 'number', default: 0.25, describe: 'voxel size of the calibration cloud (> 0)' })
      .group(['output', 'float-out', 'quiet'], 'Output:')
      .option('output', { alias: 'o', type: 'string', demandOption: true, normalize: true, describe: 'network file to write (sparseforge.network/1)' })
      .option('float-out', { type: 'string', normalize: true, describe: 'also write the float network and its scales (sparseforge.float-network/1; about 11 bytes per weight)' })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'print only the summary line' })
      .example('$0 net init minkunet --width 0.25 --in-channels 4 --classes 19 --seed 1 -o unet.json', 'a quarter-width MinkUNet')
      .example('$0 net init resnet --in-channels 4 --classes 10 --seed 2 --ply scan.ply --voxel 0.05 -o rn.json', 'calibrated on a scan') as unknown as Argv<NetInitArgs>,
  handler: async (a) => {
    const { points, source } = await cloudPoints(a.ply === undefined && !a.bunny ? { bunny: true } : a);
    const calibration = buildTensor({ points, voxel: a.voxel, channels: a.inChannels, seed: a.seed });
    const progress = nodeProgress('calibrating');
    const z = buildZooNetwork({ arch: a.arch, width: a.width, inChannels: a.inChannels, classes: a.classes, seed: a.seed }, calibration,
      { onNode: progress.onNode });
    progress.end();
    await writeNetworkFile(a.output, z.network);
    if (a.floatOut !== undefined) await writeFloatNetworkFile(a.floatOut, { network: z.float, inputScale: z.inputScale, scales: z.scales });
    if (!a.quiet) process.stdout.write(formatCalibration(z.report, z.network.nodes));
    const weights = z.network.nodes.reduce((s, n) => s + (n.op === 'conv' ? n.weights.length * n.weights[0].length * n.layer.outChannels : 0), 0);
    const worst = z.report.reduce((w, r) => (r.values > 0 && r.saturated / r.values > w.saturated / Math.max(1, w.values) ? r : w), z.report[0]);
    process.stdout.write(
      `${a.output}: ${z.network.name}, ${z.network.nodes.length} nodes, ${weights.toLocaleString('en-US')} INT8 weights, ` +
        `calibrated on ${calibration.coords.length} points (voxel ${a.voxel} on ${source}), ` +
        `most saturated ${worst.name} ${pct(worst)}\n`,
    );
  },
};

function pct(r: NodeCalibration): string {
  return `${((100 * r.saturated) / Math.max(1, r.values)).toFixed(2)}%`;
}

/** Per node: op, calibrated clip level, saturated fraction on the calibration cloud. */
export function formatCalibration(report: NodeCalibration[], nodes: NetworkNode[]): string {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const head = ['node', 'op', 'clip level', 'saturated'];
  const rows = report.map((r) => {
    const n = byName.get(r.name)!;
    let op: string = n.op;
    if (n.op === 'conv') {
      const L = n.layer;
      op = `${L.type} k${L.kernelSize}${L.type === 'submanifold' ? '' : ` s${L.stride}`}${n.requant ? '' : ' (raw)'}`;
    }
    const raw = n.op === 'concat' || (n.op === 'conv' && n.requant === undefined);
    return [r.name, op, r.clipLevel === undefined ? '-' : String(Number(r.clipLevel.toPrecision(4))), raw ? '-' : pct(r)];
  });
  const all = [head, ...rows];
  const w = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  return `${all.map((r) => r.map((v, c) => (c < 2 ? v.padEnd(w[c]) : v.padStart(w[c]))).join('  ').trimEnd()).join('\n')}\n`;
}
