// `sparseforge net sim`: run a whole network on the complete accelerator's RTL (conv nodes through
// the host driver, add/concat in the host driver), compare every node with the golden network and
// print the per-node report; `--model` prints the same report from the cycle model alone.
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { resolveSpec } from '../../dsl/load.ts';
import { inFile, writeFileAtomic } from '../../io/files.ts';
import { readNetworkFile } from '../../io/network.ts';
import { writeNetworkResultFile } from '../../io/network-result.ts';
import { FieldError } from '../../model/errors.ts';
import { estimateNetwork } from '../../network/estimate.ts';
import { formatNetworkReport, type NetworkReport } from '../../network/report.ts';
import { simulateNetwork } from '../../network/runner.ts';
import { cachedClockEstimate } from '../../synth/timing.ts';
import { FUSION_MODES, type FusionMode } from '../../network/plan-hw.ts';
import type { BuildProfile } from '../../sim/build.ts';
import { specOptions, type SpecArgs } from './generate.ts';
import { netInputOptions, readNetInput, type NetInputArgs } from './net-input.ts';

interface NetSimArgs extends NetInputArgs, SpecArgs {
  network: string;
  output?: string;
  stats?: string;
  stall: number;
  stallSeed?: number;
  clockMhz?: number;
  reuse: boolean;
  fusion: string;
  model: boolean;
  all: boolean;
  profile: string;
  json: boolean;
}

export const netSimCommand: CommandModule<object, NetSimArgs> = {
  command: 'sim <network>',
  describe: 'Run a network on the accelerator RTL, bit-exact at every node, with per-node cycles (or --model: the cycle model)',
  builder: (y: Argv<object>) =>
    netInputOptions(
      specOptions(
        y
          .usage(
            '$0 net sim NET.json INPUT (--preset P | --config F) [-o RESULT.json] [--stats STATS.json] [--stall P]\n' +
              '                [--stall-seed S] [--clock-mhz F] [--no-reuse] [--fusion off|on|debug] [--model]\n\n' +
              'INPUT is --input TENSOR.json, or (--ply FILE | --bunny) --voxel V --seed S (as for net golden).\n' +
              'Every conv node runs on the complete accelerator (Verilator) through the host driver, tiled as\n' +
              'needed; a submanifold conv over the coordinates of the previous conv on the chip (same kernel\n' +
              'size and tensor stride, neither tiled) reuses the coordinates and kernel map kept on chip\n' +
              '(LAYER_TYPE.REUSE_MAP; --no-reuse turns it off). add and concat run in the host driver. Every\n' +
              'node is compared bit for bit with the golden network; a mismatch names the node (exit 1); a conv\n' +
              'node\'s harness run is then repeated up to it with an FST waveform, whose path the report prints.\n' +
              'Prints a row per node (cycles with their phases, utilisation, stream bytes, reuse, the cycle\n' +
              'model\'s error) and the totals. --model prints the same table from the cycle model, without\n' +
              'simulation (about 25 s of CPU for MinkUNet on a 141k-point LiDAR scan).\n' +
              'Time figures: at --clock-mhz F when given (and said to be within, above or below the estimated\n' +
              'Fmax), else at both ends of the accelerator\'s estimated Fmax range (xc7 -2) when\n' +
              '`sparseforge synth --timing` has cached it for the same spec, else none.\n' +
              '--fusion on (accelerators with buffers.keepFeatures): a conv whose output is the next conv\'s\n' +
              'input keeps it in the feature buffer where it fits, and the next conv reads it there; an output\n' +
              'that nothing else needs is not streamed, so only its coordinates are compared (its features\n' +
              'through the nodes computed from them, and every network output). --fusion debug keeps and\n' +
              'streams, so that every node is compared word for word (as --all does).',
          )
          .positional('network', { type: 'string', normalize: true, describe: 'network file (sparseforge.network/1)' }),
      ),
    )
      .group(['output', 'all', 'stats', 'json', 'stall', 'stall-seed', 'clock-mhz', 'reuse', 'fusion', 'model', 'profile'], 'Run and report:')
      .option('output', { alias: 'o', type: 'string', normalize: true, describe: 'write the RTL\'s node tensors (sparseforge.network-result/1)' })
      .option('all', { type: 'boolean', default: false, describe: 'with -o: every node, not only the outputs' })
      .option('stats', { type: 'string', normalize: true, describe: 'write the report as JSON (sparseforge.network-report/1)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .option('stall', { type: 'number', default: 0, describe: 'probability (0 … 1) of a stall per cycle on every stream and AXI-Lite response' })
      .option('stall-seed', { type: 'number', describe: 'seed of the random stalls (default: --seed, else 1)' })
      .option('clock-mhz', { type: 'number', describe: 'clock for the time figures (default: the ends of the estimated Fmax, when synth --timing has cached it)' })
      .option('reuse', { type: 'boolean', default: true, describe: 'reuse the map on chip where allowed (--no-reuse: map every layer)' })
      .option('fusion', { type: 'string', choices: FUSION_MODES as unknown as string[], default: 'off', describe: 'keep a conv\'s output on chip for the next conv (on: unstreamed when unneeded; debug: streamed too)' })
      .option('model', { type: 'boolean', default: false, describe: 'the cycle model only, no simulation' })
      .option('profile', { type: 'string', choices: ['test', 'speed'], default: 'test', describe: 'Verilator build: quick compile (test) or fast simulation (speed)' })
      .example('$0 net sim unet.json --bunny --voxel 0.25 --seed 1 --preset fpga', 'a network on the bunny, bit-exact at every node')
      .example('$0 net sim unet.json --input scan.tensor.json --preset server --model', 'the cycle model\'s estimate for a LiDAR scan') as unknown as Argv<NetSimArgs>,
  handler: async (a) => {
    if (!(a.stall >= 0 && a.stall < 1)) throw new FieldError('--stall', `must be in [0, 1), got ${a.stall}`);
    if (a.clockMhz !== undefined && !(a.clockMhz > 0)) throw new FieldError('--clock-mhz', `must be > 0, got ${a.clockMhz}`);
    if (a.model && (a.output !== undefined || a.stall > 0)) throw new FieldError(a.model && a.output !== undefined ? '--output' : '--stall', 'needs a simulation (not with --model)');
    const spec = await resolveSpec(a);
    if (a.fusion !== 'off' && !spec.buffers.keepFeatures) throw new FieldError('--fusion', `${a.fusion} needs an accelerator with buffers.keepFeatures; ${spec.name} has none`);
    const net = await readNetworkFile(a.network);
    const { input, source } = await readNetInput(a, net, spec.arithmetic);
    const progress = (line: string) => {
      if (!a.json) process.stderr.write(`${line}\n`);
    };
    progress(`${net.name} on ${spec.name}: ${input.coords.length} points from ${source}`);
    // Time figures only at a clock the reader is told about: the cached estimate, or --clock-mhz compared with it.
    const clockEstimate = await cachedClockEstimate(spec);
    let report: NetworkReport;
    if (a.model) {
      report = inFile(a.network, () => estimateNetwork(spec, net, input.coords, { reuse: a.reuse, fusion: a.fusion as FusionMode, clockMhz: a.clockMhz, clockEstimate, onProgress: progress }));
    } else {
      const r = await simulateNetwork(spec, net, input, {
        stall: a.stall, seed: a.stallSeed ?? a.seed ?? 1, reuse: a.reuse, clockMhz: a.clockMhz, clockEstimate, profile: a.profile as BuildProfile,
        all: a.all, fusion: a.fusion as FusionMode, onProgress: progress,
      });
      report = r.report;
      if (a.output) await writeNetworkResultFile(a.output, r.result);
    }
    if (a.stats) {
      await mkdir(dirname(a.stats), { recursive: true });
      await writeFileAtomic(a.stats, `${JSON.stringify(report, null, 2)}\n`);
    }
    process.stdout.write(a.json ? `${JSON.stringify(report, null, 2)}\n` : formatNetworkReport(report));
    if (report.firstMismatch) {
      process.stderr.write(`MISMATCH ${report.firstMismatch.report}\n`);
      process.exitCode = 1;
    }
  },
};
