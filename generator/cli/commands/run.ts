// `sparseforge run`: build a layer case from a point cloud (like `sparseforge case`) and run it on
// the complete accelerator in one step (like `sparseforge sim`).
import type { Argv, CommandModule } from 'yargs';
import { resolveSpec } from '../../dsl/load.ts';
import { writeLayerCaseFile } from '../../io/layer-case.ts';
import { FieldError, LAYER_TYPES, type LayerType } from '../../model/index.ts';
import { caseFromArgs, type CaseArgs } from './case.ts';
import { weightPattern } from '../../dsl/sparsity.ts';
import { pruneCase } from '../../prune/prune.ts';
import { simOptions, simulateAndReport, type SimRunArgs } from './sim.ts';

interface RunArgs extends SimRunArgs, Omit<CaseArgs, 'seed' | 'output'> {
  saveCase?: string;
  prune: boolean;
}

export const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Build a layer case from a point cloud (PLY or the bunny) and run it on the complete accelerator',
  builder: (y: Argv<object>) =>
    simOptions(y)
      .usage(
        '$0 run (--ply FILE | --bunny) --voxel V --layer TYPE --kernel K [--stride S] --cin N --cout M [--requant] [--relu]\n' +
          '    (--preset P | --config FILE) [-o RESULT.json] [--stats STATS.json] [--save-case CASE.json] [--seed N] [--backpressure P]\n\n' +
          'The case is built exactly as `sparseforge case` builds it (voxelization, seeded random data, calibrated\n' +
          'requantization); it is then simulated and checked as `sparseforge sim` does. --seed seeds both the data and\n' +
          'the random stalls.',
      )
      .group(['ply', 'bunny'], 'Point cloud (exactly one):')
      .option('ply', { type: 'string', describe: 'read the points from a PLY file' })
      .option('bunny', { type: 'boolean', describe: 'use the Stanford bunny' })
      .group(['voxel', 'layer', 'kernel', 'stride', 'cin', 'cout', 'tensor-stride', 'requant', 'relu', 'bias', 'seed', 'save-case'], 'Layer:')
      .option('voxel', { type: 'number', demandOption: true, describe: 'voxel size, in the units of the points (> 0)' })
      .option('layer', { type: 'string', demandOption: true, describe: `layer type: ${LAYER_TYPES.join(' | ')}` })
      .option('kernel', { type: 'number', demandOption: true, describe: 'kernel size K' })
      .option('stride', { type: 'number', default: 1, describe: 'layer stride' })
      .option('cin', { type: 'number', demandOption: true, describe: 'input channels' })
      .option('cout', { type: 'number', demandOption: true, describe: 'output channels' })
      .option('tensor-stride', { type: 'number', default: 1, describe: 'tensor stride of the voxelized cloud' })
      .option('requant', { type: 'boolean', default: false, describe: 'per-channel requantization (calibrated on the data)' })
      .option('relu', { type: 'boolean', default: false, describe: 'ReLU (needs --requant)' })
      .option('bias', { type: 'boolean', default: true, describe: 'random per-channel bias (--no-bias to omit it)' })
      .option('seed', { type: 'number', default: 1, describe: 'seed of the random data and of the stalls' })
      .option('save-case', { type: 'string', describe: 'also write the layer case', normalize: true })
      .option('prune', { type: 'boolean', default: false, describe: "prune the random weights to the accelerator's N:M pattern (matrix.weightSparsity)" })
      .example(
        '$0 run --bunny --voxel 0.25 --layer submanifold --kernel 3 --cin 16 --cout 16 --requant --relu --preset fpga',
        'the README job: cycles, utilisation and the golden-model check',
      ) as unknown as Argv<RunArgs>,
  handler: async (a) => {
    const spec = await resolveSpec(a);
    const { inWidth, weightWidth, accWidth, outWidth } = spec.arithmetic;
    const built = await caseFromArgs(a, { inWidth, weightWidth, accWidth: Math.min(accWidth, 48), outWidth });
    const pattern = weightPattern(spec);
    if (a.prune && !pattern) throw new FieldError('--prune', `${spec.name} is dense (matrix.weightSparsity = dense): there is no pattern to prune to`);
    const c = a.prune && pattern ? pruneCase(built.c, pattern).case : built.c;
    if (a.saveCase) await writeLayerCaseFile(a.saveCase, c);
    const label = `${a.ply ?? 'bunny'} (voxel ${a.voxel}, seed ${a.seed})`;
    await simulateAndReport(spec, c, a, label, a.saveCase ?? label);
  },
};
