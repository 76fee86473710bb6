// The cycle model (schedule replay) on layers of many short passes, against co-simulation of the
// fpga preset (the cached build) with no backpressure: transposed k=2 s=2 layers on the bunny with
// several cin/cout tile counts under both pass-grouping policies, and MinkUNet w1.0 nodes with
// their real shapes and point counts on the LiDAR strip of bench/network-rtl.bench.ts. With few
// points per map bank a pass is a handful of rows, and the gather's 4-deep descriptor FIFO (a
// slot frees only when the gather issues the pass's last entry) holds the scheduler back; the
// replay once ignored it and under-predicted these by 2–9 % (dec3.up −8.8 %, dec2.up −5.4 %,
// 16→128 transposed −3.1 %, enc4.res0.conv1 −2.2 %).
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { convOutputCoords } from '../../generator/model/downsample.ts';
import type { Coord } from '../../generator/model/types.ts';
import { lidarStrip } from '../../bench/lidar.ts';
import { compareCycleModel, formatTable, MAX_ERROR, type NamedCase } from './cycle-model-cases.ts';
import { bunnyCase, randomCase } from './cases.ts';
import { ACCEL_TIMEOUT_MS } from './run.ts';

const fpga = presets.fpga;

function transposedCases(): NamedCase[] {
  const L: NamedCase[] = [];
  const t = (cin: number, cout: number, voxel: number, passGrouping: 'auto' | 'bank' | 'offset') =>
    L.push({
      name: `transposed k2 s2 ${cin}→${cout} bunny v${voxel} ${passGrouping}`,
      spec: fpga,
      make: () => bunnyCase(fpga, { voxel, type: 'transposed', k: 2, s: 2, cin, cout, requant: true }),
      opts: { passGrouping },
    });
  // 111 → 408 points: ≈ 6 rows per pass; 1×8, 4×2, 8×1 channel-tile pairs.
  t(16, 128, 0.8, 'auto');
  t(64, 32, 0.8, 'auto');
  t(128, 16, 0.8, 'offset');
  t(64, 32, 0.8, 'bank');
  t(64, 64, 0.5, 'auto');
  return L;
}

let strip: Coord[] | undefined;
/** The strip's coordinates at tensor stride `ts` (what the encoder's k=2 s=2 downsamplings produce). */
const at = (ts: number): Coord[] => {
  strip ??= lidarStrip();
  return ts === 1 ? strip : convOutputCoords(strip, ts);
};

/** MinkUNet w1.0 nodes on the LiDAR strip: the coordinates at the node's strides, random data. */
function networkNodeCases(): NamedCase[] {
  const node = (name: string, o: { type: 'submanifold' | 'transposed'; k: number; s?: number; ts: number; cin: number; cout: number }): NamedCase => ({
    name: `minkunet w1.0 ${name}`,
    spec: fpga,
    make: () => randomCase(fpga, { ...o, n: 0, seed: 3, requant: true, relu: true, cloud: at(o.ts) }),
  });
  return [
    // 402 → 1,873 points, 128 → 96 channels (8 × 6 tile pairs).
    node('dec3.up', { type: 'transposed', k: 2, s: 2, ts: 2, cin: 128, cout: 96 }),
    // 152 → 402 points, 256 → 128.
    node('dec2.up', { type: 'transposed', k: 2, s: 2, ts: 4, cin: 256, cout: 128 }),
    // 66 points, 128 → 256: passes of one or two rows per bank.
    node('enc4.res0.conv1', { type: 'submanifold', k: 3, ts: 16, cin: 128, cout: 256 }),
  ];
}

describe('cycle model vs co-simulation: short passes (fpga, no backpressure)', () => {
  it(`transposed k=2 s=2 layers with several channel-tile counts within ${MAX_ERROR * 100} %`, async () => {
    const rows = await compareCycleModel(transposedCases());
    console.log(formatTable(rows));
    for (const r of rows) expect(Math.abs(r.error), `${r.case}: predicted ${r.predicted}, measured ${r.measured}`).toBeLessThanOrEqual(MAX_ERROR);
  }, 4 * ACCEL_TIMEOUT_MS);

  it(`MinkUNet w1.0 node shapes on the LiDAR strip within ${MAX_ERROR * 100} %`, async () => {
    // The point counts of bench/results/network-rtl.json.
    expect([1, 2, 4, 8, 16].map((ts) => at(ts).length)).toEqual([5678, 1873, 402, 152, 66]);
    const rows = await compareCycleModel(networkNodeCases());
    console.log(formatTable(rows));
    for (const r of rows) expect(Math.abs(r.error), `${r.case}: predicted ${r.predicted}, measured ${r.measured}`).toBeLessThanOrEqual(MAX_ERROR);
  }, 4 * ACCEL_TIMEOUT_MS);
});
