// Fusion across layers (buffers.keepFeatures, docs/accelerator.md "Fusion across layers"): a
// layer's requantized output stays in the feature buffer as the next layer's input features
// (FUSION.KEEP_OUT / FEAT_ON_CHIP), bit-exact under backpressure on the bunny; the output of a
// layer that does not fit beside its input falls back to streaming; the hardware refuses a fusion
// it cannot honour (FEATURES_INVALID, FEATURE_ALIAS) and the host names the job first.
import { describe, expect, it } from 'vitest';
import { calibrateRequant } from '../../generator/io/case-builder.ts';
import { formatComparison } from '../../generator/io/layer-result.ts';
import { Prng } from '../../generator/io/prng.ts';
import { presets } from '../../generator/dsl/presets.ts';
import type { AcceleratorSpec } from '../../generator/dsl/spec.ts';
import { runLayer } from '../../generator/model/layer.ts';
import type { LayerCase, LayerType } from '../../generator/model/types.ts';
import { runAccelBatch, type BatchLayer } from '../../generator/sim/accel/batch.ts';
import { bunnyCase, widthsOf } from './cases.ts';
import { ACCEL_TIMEOUT_MS } from './run.ts';

export const fuseSpec: AcceleratorSpec = presets.fpga;

/** The layer that consumes `prev`'s golden output (coordinates, tensor stride, features). */
export function nextLayer(spec: AcceleratorSpec, prev: LayerCase, o: { type: LayerType; k: number; s?: number; cout: number; seed: number; relu?: boolean; requant?: boolean }): LayerCase {
  const w = widthsOf(spec);
  const g = runLayer(prev, w).result;
  const r = new Prng(o.seed);
  const cin = prev.layer.outChannels;
  const hi = (bits: number) => 2 ** (bits - 1) - 1;
  const c: LayerCase = {
    layer: { type: o.type, kernelSize: o.k, stride: o.s ?? 1, inTensorStride: g.tensorStride, inChannels: cin, outChannels: o.cout },
    input: { coords: g.coords, features: g.features! },
    weights: Array.from({ length: o.k ** 3 }, () => Array.from({ length: cin }, () => r.ints(o.cout, -hi(w.weightWidth) - 1, hi(w.weightWidth)))),
    bias: r.ints(o.cout, -500, 500),
  };
  if (o.requant ?? true) c.requant = calibrateRequant(c, o.relu ?? true, w);
  return c;
}

function expectExact(r: Awaited<ReturnType<typeof runAccelBatch>>): void {
  for (const l of r.layers) expect(l.comparison.count, `${l.name}: ${formatComparison(l.comparison)}\nreproduce: ${r.run.command}`).toBe(0);
}

describe('fusion across layers (fpga with buffers.keepFeatures)', () => {
  it('two chained layers on the bunny: the output stays on chip, bit-exact under backpressure, with and without streaming it too', async () => {
    const spec = fuseSpec;
    const a = bunnyCase(spec, { voxel: 0.5, type: 'submanifold', k: 3, cin: 16, cout: 24, requant: true, relu: true, seed: 3 });
    const b = nextLayer(spec, a, { type: 'submanifold', k: 3, cout: 16, seed: 5 });
    // Debug mode: the kept output is streamed as well, so both layers are compared word for word.
    const debug = await runAccelBatch(spec, [{ name: 'a', case: a, keepForNext: true }, { name: 'b', case: b }], { name: 'fuse2-debug', fusion: true, stall: 0.3, seed: 7 });
    expectExact(debug);
    expect(debug.layers.map((l) => l.fusion)).toEqual([
      { featOnChip: false, keptOut: true, streamedOut: true },
      { featOnChip: false, keptOut: false, streamedOut: true },
    ].map((f, i) => (i === 1 ? { ...f, featOnChip: true } : f)));
    // Kept only: a's words never leave the chip; b (computed from them) is compared.
    const kept = await runAccelBatch(spec, [{ name: 'a', case: a, keepForNext: true, streamOut: false }, { name: 'b', case: b }], { name: 'fuse2', fusion: true, stall: 0.3, seed: 9 });
    expectExact(kept);
    expect(kept.layers[0]!.fusion).toEqual({ featOnChip: false, keptOut: true, streamedOut: false });
    expect(kept.layers[0]!.result.features).toBeUndefined();
    expect(kept.layers[1]!.fusion.featOnChip).toBe(true);
    const off = await runAccelBatch(spec, [{ name: 'a', case: a }, { name: 'b', case: b }], { name: 'fuse2-off' });
    expectExact(off);
    // Off-chip traffic: a sends no words out, b no features in.
    const na = a.input.coords.length;
    expect(off.layers[0]!.beatsOut - kept.layers[0]!.beatsOut).toBe(na * 2);
    expect(off.layers[1]!.beatsIn - kept.layers[1]!.beatsIn).toBe(na * 2);
  }, ACCEL_TIMEOUT_MS);
});
