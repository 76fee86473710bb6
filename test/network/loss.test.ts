// The cycle model's loss breakdown (report.ts NodeLoss, network/plan-hw.ts modelLoss,
// network/loss.ts): for every conv node of a network estimate, the compute bound plus the named
// causes (halo rows, start-up, idle cycles between passes by cause, output stream, tail) is
// exactly the predicted total, every cause ≥ 0; the groups sum to the network's figures; halo
// rows appear exactly on tiled nodes run with halo tiles, and core-only tiles have none.
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { buildTensor } from '../../generator/io/tensor-builder.ts';
import { estimateNetwork } from '../../generator/network/estimate.ts';
import { LOSS_KEYS, lossBy, lossTotal } from '../../generator/network/loss.ts';
import { networkStructure } from '../../generator/network/zoo/float-network.ts';
import { zooFloatNetwork } from '../../generator/network/zoo/index.ts';

describe('loss breakdown of a network estimate', () => {
  const net = networkStructure(zooFloatNetwork({ arch: 'minkunet', width: 0.5, inChannels: 4, classes: 19, seed: 1 }));
  const coords = buildTensor({ points: bunnyPoints(), voxel: 0.2, channels: 4, seed: 1 }).coords;

  it('MinkUNet w0.5 on the bunny, fpga with a small feature buffer (tiled nodes): bound + causes = cycles per node; halo rows only with halo tiles', () => {
    const spec = { ...presets.fpga, buffers: { ...presets.fpga.buffers, featureDepth: 1024, accumulatorDepth: 1024 } };
    for (const tiling of ['auto', 'halo'] as const) {
      const r = estimateNetwork(spec, net, coords, { tiling });
      const acc = r.nodes.filter((n) => n.where === 'accelerator');
      expect(acc.some((n) => n.tiles > 1)).toBe(true);
      for (const n of acc) {
        const L = n.loss!;
        expect(L.bound, n.name).toBe(n.computeBound);
        for (const k of LOSS_KEYS) expect(L[k], `${n.name} ${k}`).toBeGreaterThanOrEqual(0);
        expect(L.bound + LOSS_KEYS.reduce((a, k) => a + L[k], 0), n.name).toBe(n.cycles.total);
        if (n.tiles === 1 || n.tiling === 'core') expect(L.halo, n.name).toBe(0);
        else if (n.kind === 'subm k3') expect(L.halo, n.name).toBeGreaterThan(0);
      }
      if (tiling === 'halo') expect(acc.some((n) => n.tiling === 'core')).toBe(false);
      else expect(acc.some((n) => n.tiling === 'core')).toBe(true);
      const t = lossTotal(r)!;
      expect(t.cycles).toBe(r.totals.cycles);
      expect(t.bound).toBe(r.totals.computeBound);
      const byKind = lossBy(r, (n) => n.kind);
      expect(byKind.reduce((a, g) => a + g.cycles, 0)).toBe(r.totals.cycles);
      for (const g of byKind) expect(g[g.largest.cause]).toBe(Math.max(...LOSS_KEYS.map((k) => g[k])));
    }
  });
});
