// `sparseforge sensitivity`: which layers of a network can be N:M-pruned (DESIGN.md §7).
import type { Argv, CommandModule } from 'yargs';
import { parseNmPattern } from '../../model/index.ts';
import { inFile } from '../../io/files.ts';
import { readNetworkFile } from '../../io/network.ts';
import { resolveSpec } from '../../dsl/load.ts';
import { readFloatNetworkFile } from '../../network/float-file.ts';
import { formatSensitivity, sensitivity } from '../../prune/sensitivity.ts';
import { specOptions, type SpecArgs } from './generate.ts';
import { netInputOptions, readNetInput, type NetInputArgs } from './net-input.ts';

interface SensitivityArgs extends NetInputArgs, SpecArgs {
  network: string;
  pattern: string;
  layers?: string[];
  float?: string;
  json: boolean;
}

export const sensitivityCommand: CommandModule<object, SensitivityArgs> = {
  command: 'sensitivity <network>',
  describe: 'Prune each layer of a network to N:M (then all): output drift (SQNR, argmax), cycles saved, vs a float reference',
  builder: (y: Argv<object>) =>
    specOptions(
      netInputOptions(
        y
          .usage(
            '$0 sensitivity NET.json (--input TENSOR.json | (--ply FILE | --bunny) --voxel V --seed S) --pattern N:M\n' +
              '    [--layers A B …] [--float FLOAT.json] [--preset P | --config FILE] [--json]\n\n' +
              'Prunes one conv layer at a time to N:M (magnitude pruning, as sparseforge prune), then the chosen layers\n' +
              'together, runs the golden network and reports per row: the SQNR (dB) of the final features against the\n' +
              'unpruned network, the fraction of points whose argmax class changed, and the accelerator cycles the N:M twin\n' +
              'of the spec saves on the pruned layers (cycle model; other layers at dense speed). With --float (the float\n' +
              'network `net init --float-out` writes) it also shows the SQNR against the float network of INT8 quantization\n' +
              'alone, of pruning alone (float weights with the same weights removed) and of both. Without --float there is\n' +
              'no float reference (a network file holds only INT8 weights); the INT8 comparison is still made.',
          )
          .positional('network', { type: 'string', normalize: true, describe: 'network file (sparseforge.network/1)' }),
      ),
    )
      .option('pattern', { type: 'string', demandOption: true, describe: 'N:M pattern (e.g. 2:4)' })
      .option('layers', { type: 'string', array: true, describe: 'conv nodes to try (default: all)' })
      .option('float', { type: 'string', normalize: true, describe: 'float network of the same network (sparseforge.float-network/1)' })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .example('$0 net init minkunet --width 0.25 --in-channels 4 --classes 8 --seed 1 -o unet.json --float-out unet.float.json', 'a zoo network and its float form')
      .example('$0 sensitivity unet.json --bunny --voxel 0.25 --seed 1 --pattern 2:4 --float unet.float.json', 'which layers tolerate 2:4') as unknown as Argv<SensitivityArgs>,
  handler: async (a) => {
    const p = parseNmPattern(a.pattern, '--pattern');
    const net = await readNetworkFile(a.network);
    const { input } = await readNetInput(a, net);
    const spec = await resolveSpec(a.preset === undefined && a.config === undefined ? { preset: 'fpga' } : a);
    const float = a.float !== undefined ? await readFloatNetworkFile(a.float) : undefined;
    const r = inFile(a.network, () =>
      sensitivity(net, input, { pattern: p, layers: a.layers, spec, float, onProgress: a.json ? undefined : (l) => process.stderr.write(`  ${l}\n`) }),
    );
    process.stdout.write(a.json ? `${JSON.stringify(r, (_, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n` : formatSensitivity(r));
  },
};
