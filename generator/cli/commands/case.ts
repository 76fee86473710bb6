// `sparseforge case`: voxelize a point cloud and write a layer-case file with seeded random data.
import type { Argv, CommandModule } from 'yargs';
import { FieldError, LAYER_TYPES, type LayerCase, type LayerType } from '../../model/index.ts';
import { bunnyPoints } from '../../io/bunny.ts';
import { buildCase, type BuildCaseOptions } from '../../io/case-builder.ts';
import { writeLayerCaseFile } from '../../io/layer-case.ts';
import { readPlyFile } from '../../io/ply.ts';

export interface CaseArgs {
  ply?: string;
  bunny?: boolean;
  voxel: number;
  layer: string;
  kernel: number;
  stride: number;
  cin: number;
  cout: number;
  requant: boolean;
  relu: boolean;
  bias: boolean;
  tensorStride: number;
  seed: number;
  output: string;
}

export const caseCommand: CommandModule<object, CaseArgs> = {
  command: 'case',
  describe: 'Build a layer-case file from a point cloud (PLY or the Stanford bunny) with seeded random data',
  builder: (y: Argv<object>) =>
    y
      .usage(
        '$0 case (--ply FILE | --bunny) --voxel V --layer TYPE --kernel K [--stride S] --cin N --cout M ' +
          '[--requant] [--relu] [--tensor-stride T] --seed N -o CASE.json\n\n' +
          'Voxelizes the cloud (c = floor(p / V), one point per voxel) and fills features, weights and bias with\n' +
          'random integers drawn from --seed; --requant calibrates per-channel multiplier/shift on the data so\n' +
          'that outputs spread over the INT8 range. For a transposed layer the voxelized cloud is the output\n' +
          'tensor (tensor stride T) and the input is its conv-downsampled coordinates (tensor stride T·S).',
      )
      .group(['ply', 'bunny'], 'Point cloud (exactly one):')
      .option('ply', { type: 'string', describe: 'read the points from a PLY file (ascii or binary_little_endian)' })
      .option('bunny', { type: 'boolean', describe: 'use the Stanford bunny (1,839 points, about 10 units across)' })
      .group(['voxel', 'layer', 'kernel', 'stride', 'cin', 'cout', 'tensor-stride'], 'Layer:')
      .option('voxel', { type: 'number', demandOption: true, describe: 'voxel size, in the units of the points (> 0)' })
      .option('layer', { type: 'string', demandOption: true, describe: `layer type: ${LAYER_TYPES.join(' | ')}` })
      .option('kernel', { type: 'number', demandOption: true, describe: 'kernel size K (K³ offsets)' })
      .option('stride', { type: 'number', default: 1, describe: 'layer stride (1 for submanifold; a power of two otherwise)' })
      .option('cin', { type: 'number', demandOption: true, describe: 'input channels' })
      .option('cout', { type: 'number', demandOption: true, describe: 'output channels' })
      .option('tensor-stride', {
        type: 'number',
        default: 1,
        describe: 'tensor stride of the voxelized cloud (a power of two; coordinates are scaled by it)',
      })
      .group(['requant', 'relu', 'bias', 'seed', 'output'], 'Data and output:')
      .option('requant', { type: 'boolean', default: false, describe: 'add per-channel requantization (calibrated on the data)' })
      .option('relu', { type: 'boolean', default: false, describe: 'clamp negative outputs to 0 (needs --requant)' })
      .option('bias', { type: 'boolean', default: true, describe: 'add a random per-channel bias (--no-bias to omit it)' })
      .option('seed', { type: 'number', demandOption: true, describe: 'seed of the random features, weights and bias' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'case file to write', normalize: true })
      .epilog(
        'Examples:\n' +
          '  submanifold 3×3×3 layer on the bunny, requantized:\n' +
          '    sparseforge case --bunny --voxel 0.1 --layer submanifold --kernel 3 --cin 16 --cout 16 --requant \\\n      --seed 1 -o bunny.json\n' +
          '  a downsampling layer on a scan:\n' +
          '    sparseforge case --ply scan.ply --voxel 0.05 --layer conv --kernel 2 --stride 2 --cin 32 --cout 64 \\\n      --seed 7 -o down.json\n' +
          '  upsampling back onto the voxelized bunny:\n' +
          '    sparseforge case --bunny --voxel 0.1 --layer transposed --kernel 2 --stride 2 --cin 16 --cout 8 \\\n      --seed 3 -o up.json',
      ) as unknown as Argv<CaseArgs>,
  handler: async (a) => {
    const { c, points, source } = await caseFromArgs(a);
    await writeLayerCaseFile(a.output, c);
    const L = c.layer;
    const extras = [c.bias ? 'bias' : 'no bias', c.requant ? (c.requant.relu ? 'requant+relu' : 'requant') : 'no requant'];
    const outPart = c.outputCoords ? `, ${c.outputCoords.length} output coordinates (tensor stride ${L.inTensorStride / L.stride})` : '';
    process.stdout.write(
      `${a.output}: ${L.type} k=${L.kernelSize} s=${L.stride}, ${L.inChannels}→${L.outChannels} channels, ` +
        `${c.input.coords.length} points in (tensor stride ${L.inTensorStride}, voxel ${a.voxel} on ${source}, ${points.length / 3} raw points)` +
        `${outPart}, ${extras.join(', ')}, seed ${a.seed}\n`,
    );
  },
};

/** The flags `case` and `run` share, turned into a layer case (the cloud read, voxelized, filled). */
export async function caseFromArgs(
  a: Omit<CaseArgs, 'output'>,
  widths?: BuildCaseOptions['widths'],
): Promise<{ c: LayerCase; points: Float64Array; source: string }> {
  if (Boolean(a.ply) === Boolean(a.bunny)) throw new FieldError('--ply', 'give exactly one of --ply FILE or --bunny');
  const points = a.ply !== undefined ? await readPlyFile(a.ply) : bunnyPoints();
  const c = buildCase({
    points,
    voxel: a.voxel,
    layer: a.layer as LayerType,
    kernel: a.kernel,
    stride: a.stride,
    cin: a.cin,
    cout: a.cout,
    requant: a.requant,
    relu: a.relu,
    bias: a.bias,
    seed: a.seed,
    inTensorStride: a.tensorStride,
    ...(widths ? { widths } : {}),
  });
  return { c, points, source: a.ply ?? 'bunny' };
}
