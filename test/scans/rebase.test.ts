// Coordinate re-basing (generator/model/rebase.ts), on the golden model alone: a translated layer
// computed in the accelerator's coordinate range and translated back is bit-identical to the layer
// on its original coordinates; shifts are aligned to the coarsest tensor stride; only an extent
// that cannot fit is refused, naming mapping.coordWidth.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convOutputCoords } from '../../generator/model/downsample.ts';
import { FieldError } from '../../generator/model/errors.ts';
import { runLayer } from '../../generator/model/layer.ts';
import { axisShift, planRebase, rebaseAlignment, shiftCoords } from '../../generator/model/rebase.ts';
import { compareCoords } from '../../generator/model/tensor.ts';
import type { Coord, LayerCase, LayerType } from '../../generator/model/types.ts';

function caseOf(type: LayerType, k: number, s: number, ts: number, cloud: Coord[], seed: number): LayerCase {
  let r = seed;
  const rnd = (lo: number, hi: number) => {
    r = (r * 1103515245 + 12345) % 2 ** 31;
    return lo + (r % (hi - lo + 1));
  };
  const inCoords = type === 'transposed' ? convOutputCoords(cloud, ts * s) : cloud;
  return {
    layer: { type, kernelSize: k, stride: type === 'submanifold' ? 1 : s, inTensorStride: type === 'transposed' ? ts * s : ts, inChannels: 2, outChannels: 2 },
    input: { coords: inCoords, features: inCoords.map(() => [rnd(-128, 127), rnd(-128, 127)]) },
    weights: Array.from({ length: k ** 3 }, () => [[rnd(-128, 127), rnd(-128, 127)], [rnd(-128, 127), rnd(-128, 127)]]),
    ...(type === 'transposed' ? { outputCoords: cloud } : {}),
  };
}

function shifted(c: LayerCase, rb: ReturnType<typeof planRebase>): LayerCase {
  return {
    ...c,
    input: { ...c.input, coords: shiftCoords(c.input.coords, rb, 1) },
    ...(c.outputCoords ? { outputCoords: shiftCoords(c.outputCoords, rb, 1) } : {}),
  };
}

describe('axisShift', () => {
  it('is 0 when the interval fits, else an aligned shift that centres it', () => {
    expect(axisShift(-128, 127, -128, 127, 4)).toBe(0);
    expect(axisShift(795530, 795630, -32768, 32767, 2)).toBe(-795580);
    // extent 2^cw − 1 fits exactly; one more does not.
    expect(axisShift(1000, 1255, -128, 127, 1)).toBe(-1128);
    expect(axisShift(1000, 1256, -128, 127, 1)).toBeUndefined();
    // alignment can make an extent that would fit unaligned impossible: [1, 256] needs a shift of −129, not a multiple of 2.
    expect(axisShift(1, 255, -128, 127, 2)).toBe(-128);
    expect(axisShift(1, 256, -128, 127, 2)).toBeUndefined();
  });
});

describe('planRebase', () => {
  it('aligns to the output tensor stride of a conv and the input tensor stride otherwise', () => {
    expect(rebaseAlignment({ type: 'conv', stride: 2, inTensorStride: 4 })).toBe(8);
    expect(rebaseAlignment({ type: 'submanifold', stride: 1, inTensorStride: 4 })).toBe(4);
    expect(rebaseAlignment({ type: 'transposed', stride: 2, inTensorStride: 4 })).toBe(4);
  });

  it('moves each batch on its own and leaves a batch that fits alone', () => {
    const coords: Coord[] = [[0, 800_000, -800_000, 5], [0, 800_010, -799_990, 7], [1, 3, 4, 5], [2, -800_000, 1, 1]];
    const rb = planRebase({ type: 'submanifold', stride: 1, inTensorStride: 1 }, coords, undefined, 8);
    expect(rb.shifts.has(1)).toBe(false);
    const moved = shiftCoords(coords, rb, 1);
    for (const p of moved) for (let a = 1; a < 4; a++) expect(Math.abs(p[a]! + 0.5)).toBeLessThanOrEqual(128);
    expect(moved[2]).toEqual(coords[2]);
    expect(shiftCoords(moved, rb, -1)).toEqual(coords);
  });

  it('refuses an extent that cannot fit, with the extent, the width and the field to change', () => {
    const coords: Coord[] = [[0, 0, 0, 0], [0, 70_000, 0, 0]];
    let err: unknown;
    try {
      planRebase({ type: 'submanifold', stride: 1, inTensorStride: 1 }, coords, undefined, 16, { what: 'sf_fpga' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FieldError);
    const m = (err as Error).message;
    expect(m).toMatch(/extent 70000/);
    expect(m).toMatch(/16-bit/);
    expect(m).toMatch(/mapping\.coordWidth to 17/);
    expect(m).toMatch(/sf_fpga/);
    expect(m.split('\n')).toHaveLength(1);
  });

  it('counts the downsampled outputs of a conv and the given outputs of a transposed layer in the extent', () => {
    // conv s = 2 on [1, 255]: the output at 0 widens the extent to 255 … fits in 8 bits; [1, 256] does not.
    const conv = { type: 'conv' as const, stride: 2, inTensorStride: 1 };
    expect(() => planRebase(conv, [[0, 1, 0, 0], [0, 255, 0, 0]], undefined, 8)).not.toThrow();
    expect(() => planRebase(conv, [[0, 1, 0, 0], [0, 256, 0, 0]], undefined, 8)).toThrow(/extent 256/);
    const tr = { type: 'transposed' as const, stride: 2, inTensorStride: 2 };
    expect(() => planRebase(tr, [[0, 0, 0, 0]], [[0, -200, 0, 0], [0, 100, 0, 0]], 8)).toThrow(/given output/);
  });

  it('translated and back, every layer type is bit-identical to the golden model on the original coordinates (property)', () => {
    const types: LayerType[] = ['submanifold', 'conv', 'transposed'];
    fc.assert(
      fc.property(
        fc.record({
          type: fc.constantFrom(...types),
          k: fc.integer({ min: 1, max: 3 }),
          s: fc.constantFrom(2, 4),
          tsLog2: fc.integer({ min: 0, max: 2 }),
          cw: fc.integer({ min: 6, max: 12 }),
          seed: fc.integer({ min: 1, max: 1e6 }),
          base: fc.array(fc.tuple(fc.integer({ min: -1e7, max: 1e7 }), fc.integer({ min: -1e7, max: 1e7 }), fc.integer({ min: -1e7, max: 1e7 })), { minLength: 1, maxLength: 3 }),
          span: fc.integer({ min: 1, max: 150 }),
          n: fc.integer({ min: 1, max: 40 }),
        }),
        (o) => {
          const ts = 2 ** o.tsLog2;
          let r = o.seed;
          const rnd = (m: number) => {
            r = (r * 48271) % 2147483647;
            return r % m;
          };
          const seen = new Map<string, Coord>();
          for (let i = 0; i < o.n; i++) {
            const b = rnd(o.base.length);
            const [bx, by, bz] = o.base[b]!;
            const c: Coord = [b, Math.floor((bx + rnd(o.span)) / ts) * ts, Math.floor((by + rnd(o.span)) / ts) * ts, Math.floor((bz + rnd(o.span)) / ts) * ts];
            seen.set(c.join(), c);
          }
          const cloud = [...seen.values()].sort(compareCoords);
          const c = caseOf(o.type, o.k, o.s, ts, cloud, o.seed);
          const L = c.layer;
          let rb;
          try {
            rb = planRebase(L, c.input.coords, c.outputCoords, o.cw);
          } catch (e) {
            expect(e).toBeInstanceOf(FieldError);
            expect((e as Error).message).toMatch(/mapping\.coordWidth/);
            // A refusal is right only when some batch's extent (with the conv's outputs) exceeds the range.
            const golden = runLayer(c).result;
            const all = [...c.input.coords, ...golden.coords];
            const wide = [0, 1, 2].some((a) =>
              [...new Set(all.map((p) => p[0]))].some((b) => {
                const v = all.filter((p) => p[0] === b).map((p) => p[a + 1]!);
                return Math.max(...v) - Math.min(...v) > 2 ** o.cw - 1 - (rebaseAlignment(L) - 1);
              }),
            );
            expect(wide).toBe(true);
            return;
          }
          const align = rebaseAlignment(L);
          for (const s of rb.shifts.values()) for (const v of s) expect(Math.abs(v % align)).toBe(0);
          const hc = shifted(c, rb);
          const lo = -(2 ** (o.cw - 1));
          const hi = 2 ** (o.cw - 1) - 1;
          const hw = runLayer(hc).result;
          for (const p of [...hc.input.coords, ...hw.coords]) for (let a = 1; a < 4; a++) expect(p[a]! >= lo && p[a]! <= hi).toBe(true);
          const golden = runLayer(c).result;
          expect(shiftCoords(hw.coords, rb, -1)).toEqual(golden.coords);
          expect(hw.accumulators).toEqual(golden.accumulators);
        },
      ),
      { numRuns: 300, seed: 12 },
    );
  });
});
