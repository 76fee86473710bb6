// Network workloads in a sweep: a network file or a model-zoo entry on a cloud; each point gets
// the network's cycles, utilisation and network figures from the cycle model (the same numbers as
// `net sim --model`), the report shows them, a node the point cannot run makes the workload
// unsupported there naming the node, and --verify runs the network on the RTL bit-exact.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNetworkFile } from '../../generator/io/network.ts';
import { buildTensor } from '../../generator/io/tensor-builder.ts';
import { defineAccelerator } from '../../generator/dsl/define.ts';
import { estimateNetwork } from '../../generator/network/estimate.ts';
import { expandGrid, parseGrid, runSweep } from '../../generator/sweep/index.ts';
import { MICRO_POINTS, microGrid, sink, tempDir } from './helpers.ts';
import { tinyUNet } from '../network/nets.ts';

describe('sweep: network workloads', () => {
  it('a network file and a zoo entry on a cloud: per-network cycles and utilisation, unsupported nodes named', async () => {
    const root = tempDir();
    await writeNetworkFile(join(root, 'unet.json'), tinyUNet());
    const grid = microGrid({
      grid: { 'matrix.rows,matrix.cols': [[2, 2], [4, 4]] },
      workloads: [
        { name: 'unet', network: 'unet.json', input: { points: MICRO_POINTS, voxel: 1, seed: 3 } },
        { name: 'resnet', zoo: { arch: 'resnet', width: 0.25, inChannels: 2, classes: 3, seed: 1 }, input: { points: MICRO_POINTS, voxel: 1, seed: 3 } },
      ],
    });
    const g = parseGrid(grid, join(root, 'grid.json'));
    const r = await runSweep(g, { outDir: join(root, 'out'), cacheRoot: join(root, 'cache'), jobs: 1, progress: 'none', stream: sink() });
    expect(r.counters).toMatchObject({ points: 2, failed: 0 });
    const doc = JSON.parse(readFileSync(join(r.outDir, 'results.json'), 'utf8'));
    const unet = doc.workloads.find((w: { name: string }) => w.name === 'unet');
    expect(unet.network).toEqual({ name: 'tiny-unet', nodes: 7, convNodes: 5 });
    expect(unet.description).toMatch(/network tiny-unet \(7 nodes, 5 conv\), 12 points$/);
    const input = buildTensor({ points: Float64Array.from(MICRO_POINTS.flat()), voxel: 1, channels: 2, seed: 3 });
    for (const [i, def] of expandGrid(g).entries()) {
      const o = doc.points[i].workloads.unet;
      expect(o.supported, o.reason).toBe(true);
      const est = estimateNetwork(defineAccelerator(def.spec!), tinyUNet(), input.coords);
      expect(o.cycles.total).toBe(est.totals.cycles);
      expect(o.utilisation).toBeCloseTo(est.totals.utilisation, 12);
      expect(o.network.cyclesNoReuse).toBe(est.totals.modelCyclesNoReuse);
      expect(o.network.offChipBytes).toBe(est.totals.offChipBytes);
      expect(o.network.convNodes).toBe(5);
      expect(Object.keys(o.network.byKind).sort()).toEqual(['conv k2 s2', 'deconv k2 s2', 'subm k1', 'subm k3']);
      // resnet's channels (up to 32) exceed the micro matrix.maxChannels 8: the node is named.
      expect(doc.points[i].workloads.resnet.supported).toBe(false);
      expect(doc.points[i].workloads.resnet.reason).toMatch(/^node "[^"]+": layer.outChannels/);
    }
    // A bigger matrix: fewer cycles on the network.
    expect(doc.points[1].workloads.unet.cycles.total).toBeLessThan(doc.points[0].workloads.unet.cycles.total);
    const html = readFileSync(join(r.outDir, 'report.html'), 'utf8');
    expect(html).toContain('network tiny-unet');
  }, 300_000);

  it('--verify runs a network workload on the RTL, bit-exact, and records the cycle model error', async () => {
    const root = tempDir();
    await writeNetworkFile(join(root, 'unet.json'), tinyUNet());
    const grid = microGrid({
      grid: { 'mapping.lanes': [1] },
      verify: true,
      workloads: [{ name: 'unet', network: 'unet.json', input: { points: MICRO_POINTS, voxel: 1, seed: 3 } }],
    });
    const r = await runSweep(parseGrid(grid, join(root, 'grid.json')), { outDir: join(root, 'out'), cacheRoot: join(root, 'cache'), jobs: 1, progress: 'none', stream: sink() });
    const doc = JSON.parse(readFileSync(join(r.outDir, 'results.json'), 'utf8'));
    const v = doc.points[0].workloads.unet.verify;
    expect(v.status, v.reason).toBe('pass');
    expect(v.measured.total).toBeGreaterThan(0);
    expect(Math.abs(v.modelError)).toBeLessThan(0.1);
  }, 600_000);

  it('a network workload needs its cloud; fields are checked', () => {
    const base = microGrid();
    expect(() => parseGrid({ ...base, workloads: [{ name: 'n', network: 'x.json' }] })).toThrow(/workloads\[0\]\.input: a network workload needs its cloud/);
    expect(() => parseGrid({ ...base, workloads: [{ name: 'n', network: 'x.json', builder: base.workloads[0]!.builder }] })).toThrow(/give exactly one of builder or case \(a layer\) or network or zoo \(a network\) \(got builder and network\)/);
    expect(() => parseGrid({ ...base, workloads: [{ name: 'n', zoo: { arch: 'minkunet', width: 0, inChannels: 1, classes: 1, seed: 1 }, input: { bunny: true, voxel: 1, seed: 1 } }] }))
      .toThrow(/workloads\[0\]\.zoo\.width: must be a number in \(0, 16\]/);
    expect(() => parseGrid({ ...base, workloads: [{ name: 'n', network: 'x.json', input: { bunny: true, voxel: 1 } }] })).toThrow(/workloads\[0\]\.input\.seed: must be an integer/);
  });
});
