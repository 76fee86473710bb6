// The drain port's epoch-wrap sweep (gatherScatter.drainEpochBits: accumulator-word tags are layer
// epochs 1 … 2^E − 1; the START after the last one waits for an accumulatorDepth-cycle clear
// sweep, BUSY time outside PERF_TOTAL_CYCLES) in the predictions: `net sim --model`
// (estimateNetwork: the network as one run from reset, one START per tile) counts it per node and
// in the time figures, and the host driver's batch runs predict it per layer (AccelStats.sweepCycles)
// from the STARTs of their harness run, which the co-simulation confirms.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { flagSweepCycles } from '../../generator/model/cycle-model.ts';
import type { Network, NetworkNode } from '../../generator/model/index.ts';
import { estimateNetwork } from '../../generator/network/estimate.ts';
import { formatNetworkReport } from '../../generator/network/report.ts';
import { runAccelBatch } from '../../generator/sim/accel/batch.ts';
import { bunnyCase } from '../accel/cases.ts';
import { ACCEL_TIMEOUT_MS } from '../accel/run.ts';
import { tinyInput, tinyUNet } from './nets.ts';

const fpga = presets.fpga;
/** The epoch wraps every 3 STARTs (the spec of test/accel/drain.test.ts: the same cached build). */
const small: AcceleratorSpec = { ...fpga, gatherScatter: { ...fpga.gatherScatter, drainEpochBits: 2 } };
const depth = fpga.buffers.accumulatorDepth;

/** `n` submanifold k=1 2→2 nodes in a chain (one START each on the tiny input). */
function chain(n: number): Network {
  const nodes: NetworkNode[] = Array.from({ length: n }, (_, i) => ({
    name: `c${i}`, op: 'conv', inputs: [i === 0 ? 'input' : `c${i - 1}`],
    layer: { type: 'submanifold', kernelSize: 1, stride: 1, outChannels: 2 },
    weights: [[[1, 0], [0, 1]]],
    requant: { multiplier: [1, 1], shift: [0, 0], relu: false },
  }));
  return { name: `chain-${n}`, inputChannels: 2, nodes, outputs: [`c${n - 1}`] };
}

describe('epoch-wrap sweeps in the predictions', () => {
  it('net sim --model: 300 layers on fpga (255 epochs) sweep once, before the 256th START, and the time figures include it', () => {
    expect(fpga.gatherScatter.drainEpochBits).toBe(8);
    const r = estimateNetwork(fpga, chain(300), tinyInput().coords, { clockMhz: 100 });
    const acc = r.nodes.filter((n) => n.where === 'accelerator');
    expect(acc.every((n) => n.tiles === 1)).toBe(true);
    expect(acc.filter((n) => (n.sweepCycles ?? 0) > 0).map((n) => [n.name, n.sweepCycles])).toEqual([['c255', depth]]);
    expect(r.totals.sweepCycles).toBe(depth);
    expect(r.totals.timeMs).toBeCloseTo((r.totals.cycles + depth) / 100e3, 9);
    expect(formatNetworkReport(r)).toContain(`epoch-wrap sweeps ${depth.toLocaleString('en-US')} more`);
    // 255 layers: no wrap yet; no drain port: never.
    expect(estimateNetwork(fpga, chain(255), tinyInput().coords).totals.sweepCycles).toBe(0);
    expect(estimateNetwork(presets.edge, chain(300), tinyInput().coords).totals.sweepCycles).toBe(0);
    expect(formatNetworkReport(estimateNetwork(fpga, chain(255), tinyInput().coords))).not.toContain('epoch-wrap');
  });

  it('net sim --model with drainEpochBits 2: every third START sweeps (the U-Net\'s fourth conv node)', () => {
    const r = estimateNetwork(small, tinyUNet(), tinyInput().coords);
    expect(r.nodes.filter((n) => n.where === 'accelerator').map((n) => [n.name, n.sweepCycles])).toEqual([
      ['stem', 0], ['down', 0], ['up', 0], ['branch', depth], ['head', 0],
    ]);
    expect(r.totals.sweepCycles).toBe(depth);
  });

  it('host driver batch (drainEpochBits 2, 7 layers in one harness run): sweeps predicted per layer from the run\'s STARTs, as co-simulated', async () => {
    const layers = Array.from({ length: 7 }, (_, i) => ({
      name: `l${i}`,
      case: bunnyCase(fpga, { voxel: 2, type: i % 2 ? 'conv' : 'submanifold', k: i % 2 ? 2 : 3, s: i % 2 ? 2 : 1, cin: 8, cout: 16, requant: true, seed: i + 1 }),
    }));
    const w = await runAccelBatch(small, layers, { name: 'epoch-sweep-batch', stall: 0 });
    const b = await runAccelBatch(fpga, layers, { name: 'epoch-sweep-base', stall: 0 });
    for (const l of [...w.layers, ...b.layers]) expect(l.comparison.equal, l.name).toBe(true);
    expect(w.layers.map((l) => l.stats.sweepCycles)).toEqual([0, 1, 2, 3, 4, 5, 6].map((j) => flagSweepCycles(small, j)));
    expect(w.layers.map((l) => l.stats.sweepCycles)).toEqual([0, 0, 0, depth, 0, 0, depth]);
    expect(b.layers.every((l) => l.stats.sweepCycles === 0)).toBe(true);
    // Same START-to-DONE cycles; the harness's START-to-idle time grows by the sweeps.
    expect(w.layers.map((l) => l.stats.cycles.total)).toEqual(b.layers.map((l) => l.stats.cycles.total));
    const extra = w.layers.reduce((a, l, i) => a + l.stats.cycles.endToEnd - b.layers[i]!.stats.cycles.endToEnd, 0);
    const predicted = w.layers.reduce((a, l) => a + l.stats.sweepCycles, 0);
    expect(Math.abs(extra - predicted) / predicted, `sweeps: predicted ${predicted}, measured ${extra}`).toBeLessThanOrEqual(0.02);
  }, 2 * ACCEL_TIMEOUT_MS);
});
