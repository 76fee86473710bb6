// The INPUT of the network commands (`net golden`, `net sim`): a tensor file (`--input`) or the
// cloud flags of `case` (`--ply FILE | --bunny`, `--voxel V`, features seeded by `--seed`).
import type { Argv } from 'yargs';
import { FieldError, type ArithmeticWidths, type Network, type NodeTensor } from '../../model/index.ts';
import { bunnyPoints } from '../../io/bunny.ts';
import { readPlyFile } from '../../io/ply.ts';
import { readTensorFile } from '../../io/tensor.ts';
import { buildTensor } from '../../io/tensor-builder.ts';

export interface NetInputArgs {
  input?: string;
  ply?: string;
  bunny?: boolean;
  voxel?: number;
  seed?: number;
}

/** Adds the input flags under one help group. */
export function netInputOptions<T>(y: Argv<T>): Argv<T & NetInputArgs> {
  return y
    .group(['input', 'ply', 'bunny', 'voxel', 'seed'], 'Input (--input TENSOR.json, or a cloud with --voxel and --seed):')
    .option('input', { type: 'string', normalize: true, describe: 'input tensor file (sparseforge.tensor/1, tensor stride 1)' })
    .option('ply', { type: 'string', normalize: true, describe: 'voxelize the points of a PLY file (ascii or binary_little_endian)' })
    .option('bunny', { type: 'boolean', describe: 'voxelize the Stanford bunny (1,839 points, about 10 units across)' })
    .option('voxel', { type: 'number', describe: 'voxel size of the cloud, in the units of the points (> 0)' })
    .option('seed', { type: 'number', describe: 'seed of the random INT8 input features of a cloud' }) as unknown as Argv<T & NetInputArgs>;
}

/** The cloud a `--ply` / `--bunny` pair names (exactly one of them). */
export async function cloudPoints(a: { ply?: string; bunny?: boolean }): Promise<{ points: Float64Array; source: string }> {
  if (Boolean(a.ply) === Boolean(a.bunny)) throw new FieldError('--ply', 'give exactly one of --ply FILE or --bunny');
  return a.ply !== undefined ? { points: await readPlyFile(a.ply), source: a.ply } : { points: bunnyPoints(), source: 'bunny' };
}

/** The network's input tensor and a phrase saying where it came from. */
export async function readNetInput(a: NetInputArgs, net: Network, widths?: ArithmeticWidths): Promise<{ input: NodeTensor; source: string }> {
  if (a.input !== undefined) {
    if (a.ply !== undefined || a.bunny) throw new FieldError('--input', 'give either --input TENSOR.json or a cloud (--ply FILE | --bunny), not both');
    for (const f of ['voxel', 'seed'] as const) if (a[f] !== undefined) throw new FieldError(`--${f}`, 'only applies to a cloud input (--ply | --bunny)');
    const input = await readTensorFile(a.input, { channels: net.inputChannels, channelsWhat: 'the network\'s inputChannels', ...(widths ? { widths } : {}) });
    if (input.tensorStride !== 1) throw new FieldError(`${a.input}: tensorStride`, `a network input has tensor stride 1, got ${input.tensorStride}`);
    return { input, source: a.input };
  }
  if (a.ply === undefined && !a.bunny) throw new FieldError('--input', 'give the input: --input TENSOR.json, or --ply FILE | --bunny with --voxel and --seed');
  if (a.voxel === undefined) throw new FieldError('--voxel', 'required with a cloud input (--ply | --bunny)');
  if (a.seed === undefined) throw new FieldError('--seed', 'required with a cloud input (it seeds the input features)');
  const { points, source } = await cloudPoints(a);
  const input = buildTensor({ points, voxel: a.voxel, channels: net.inputChannels, seed: a.seed, ...(widths ? { widths } : {}) });
  return { input, source: `${source} (voxel ${a.voxel}, seed ${a.seed})` };
}
