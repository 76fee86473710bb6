// `sparseforge net tensor`: a network input tensor file from a point cloud.
import type { Argv, CommandModule } from 'yargs';
import { writeTensorFile } from '../../io/tensor.ts';
import { buildTensor } from '../../io/tensor-builder.ts';
import { cloudPoints } from './net-input.ts';

interface NetTensorArgs {
  ply?: string;
  bunny?: boolean;
  voxel: number;
  channels: number;
  seed: number;
  output: string;
}

export const netTensorCommand: CommandModule<object, NetTensorArgs> = {
  command: 'tensor',
  describe: 'Write a network input tensor (sparseforge.tensor/1) from a point cloud with seeded features',
  builder: (y: Argv<object>) =>
    y
      .usage(
        '$0 net tensor (--ply FILE | --bunny) --voxel V --channels C --seed S -o TENSOR.json\n\n' +
          'Voxelizes the cloud (c = floor(p / V), batch 0, one point per voxel, tensor stride 1) and fills C\n' +
          'feature channels per point with random INT8 values drawn from --seed. `net golden --bunny --voxel V\n' +
          '--seed S` builds the same tensor internally.',
      )
      .group(['ply', 'bunny'], 'Point cloud (exactly one):')
      .option('ply', { type: 'string', normalize: true, describe: 'read the points from a PLY file (ascii or binary_little_endian)' })
      .option('bunny', { type: 'boolean', describe: 'use the Stanford bunny (1,839 points, about 10 units across)' })
      .option('voxel', { type: 'number', demandOption: true, describe: 'voxel size, in the units of the points (> 0)' })
      .option('channels', { type: 'number', demandOption: true, describe: 'feature channels per point (the network\'s inputChannels)' })
      .option('seed', { type: 'number', demandOption: true, describe: 'seed of the random features' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, normalize: true, describe: 'tensor file to write' })
      .example('$0 net tensor --bunny --voxel 0.25 --channels 4 --seed 1 -o bunny.tensor.json', 'the bunny as a 4-channel input')
      .example('$0 net tensor --ply scan.ply --voxel 0.05 --channels 4 --seed 7 -o scan.tensor.json', 'a scan') as unknown as Argv<NetTensorArgs>,
  handler: async (a) => {
    const { points, source } = await cloudPoints(a);
    const t = buildTensor({ points, voxel: a.voxel, channels: a.channels, seed: a.seed });
    await writeTensorFile(a.output, t);
    process.stdout.write(`${a.output}: ${t.coords.length} points (voxel ${a.voxel} on ${source}, ${points.length / 3} raw points), ` +
      `${a.channels} channels, seed ${a.seed}\n`);
  },
};
