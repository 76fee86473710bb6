// Example sweep: matrix-unit size × mapping lanes × buffer depth (24 points) on two submanifold
// 3×3×3 layers (16 → 16 channels): the Stanford bunny and a synthetic LiDAR-like scan
// (bench/lidar.ts: 32 beams × 1024 azimuth steps, 0.2 m voxels, about 15,600 points — larger than
// every buffer depth here, so the host driver's tiling shows up in the cycles). Its results and
// report are committed under bench/results/sweep-example/ (bench/sweep.bench.ts regenerates them).
//
//   bin/sparseforge sweep scripts/sweeps/example.ts --out bench/results/sweep-example
import { DEFAULT_SCAN, lidarScan } from '../../bench/lidar.ts';
import type { SweepGridInput } from '../../generator/sweep/index.ts';

const scan = lidarScan({ ...DEFAULT_SCAN, beams: 32, azimuthSteps: 1024, voxel: 0.2 });
// Voxel centres in voxel units: voxelizing them with voxel size 1 gives the scan's voxels back.
const lidarPoints = scan.coords.map(([, x, y, z]) => [x + 0.5, y + 0.5, z + 0.5]);

/** Point buffers scale together; the map buffer holds 8 entries per point. */
const depths = [1024, 2048, 4096, 8192].map((d) => [d, d, d, 8 * d]);

export default {
  format: 'sparseforge.sweep/1',
  name: 'example',
  base: 'fpga',
  grid: {
    'matrix.rows,matrix.cols': [
      [8, 8],
      [16, 16],
    ],
    'mapping.lanes': [1, 2, 4],
    'buffers.coordDepth,buffers.featureDepth,buffers.accumulatorDepth,buffers.mapDepth': depths,
  },
  workloads: [
    { name: 'bunny-sub3', builder: { bunny: true, voxel: 0.25, layer: 'submanifold', kernel: 3, cin: 16, cout: 16, seed: 1 } },
    { name: 'lidar-sub3', builder: { points: lidarPoints, voxel: 1, layer: 'submanifold', kernel: 3, cin: 16, cout: 16, seed: 1 } },
  ],
  synth: true,
  lint: true,
} satisfies SweepGridInput;
