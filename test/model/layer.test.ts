import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FieldError } from '../../generator/model/errors.ts';
import { layerOutputCoords, outTensorStride, runLayer } from '../../generator/model/layer.ts';
import type { ArithmeticWidths, Coord, LayerCase, LayerShape } from '../../generator/model/types.ts';
import { rng, shuffle } from './prng.ts';
import { randomCaseArb } from './random-case.ts';

/** weights[i][0][0] = f(i) for a 1→1 channel layer. */
const scalarWeights = (volume: number, f: (i: number) => number) => Array.from({ length: volume }, (_, i) => [[f(i)]]);

function shape(type: LayerShape['type'], k: number, stride: number, ts: number, cin = 1, cout = 1): LayerShape {
  return { type, kernelSize: k, stride, inTensorStride: ts, inChannels: cin, outChannels: cout };
}

describe('runLayer on hand-computed cases', () => {
  it('submanifold k = 3: each point sees its x neighbour through offsets 12 and 14', () => {
    const c: LayerCase = {
      layer: shape('submanifold', 3, 1, 1),
      input: { coords: [[0, 1, 0, 0], [0, 0, 0, 0]], features: [[3], [2]] },
      weights: scalarWeights(27, (i) => i - 10),
    };
    const { result, map, inputOrder, outCoords } = runLayer(c);
    expect(result.coords).toEqual([[0, 0, 0, 0], [0, 1, 0, 0]]);
    expect(outCoords).toBe(result.coords);
    expect(Array.from(inputOrder)).toEqual([1, 0]);
    // out[(0,0,0)] = 2·W13 + 3·W14, out[(1,0,0)] = 3·W13 + 2·W12.
    expect(result.accumulators).toEqual([[2 * 3 + 3 * 4], [3 * 3 + 2 * 2]]);
    expect(result.tensorStride).toBe(1);
    expect(result.wraps).toBe(0);
    expect(result.features).toBeUndefined();
    expect(Array.from(map.pairs[14].input)).toEqual([1]);
    expect(Array.from(map.pairs[14].output)).toEqual([0]);
  });

  it('conv k = 2, s = 2: floor-quantized outputs gather their 2×2×2 cell, batches apart', () => {
    const c: LayerCase = {
      layer: shape('conv', 2, 2, 1),
      input: { coords: [[0, 0, 0, 0], [0, 1, 1, 1], [0, -1, 0, 0], [1, 0, 0, 0]], features: [[1], [2], [5], [7]] },
      weights: scalarWeights(8, (i) => i + 1),
    };
    const { result } = runLayer(c);
    expect(result.tensorStride).toBe(2);
    expect(result.coords).toEqual([[0, -2, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]]);
    expect(result.accumulators).toEqual([[5 * 2], [1 * 1 + 2 * 8], [7 * 1]]);
  });

  it('transposed k = 2, s = 2: a coarse point feeds p = q + δ on the fine grid', () => {
    const c: LayerCase = {
      layer: shape('transposed', 2, 2, 2),
      input: { coords: [[0, 0, 0, 0]], features: [[3]] },
      weights: scalarWeights(8, (i) => i + 1),
      outputCoords: [[0, 2, 0, 0], [0, 1, 1, 1], [0, 1, 0, 0], [0, 0, 0, 0]],
    };
    const { result } = runLayer(c);
    expect(result.tensorStride).toBe(1);
    expect(result.coords).toEqual([[0, 0, 0, 0], [0, 1, 0, 0], [0, 1, 1, 1], [0, 2, 0, 0]]);
    expect(result.accumulators).toEqual([[3 * 1], [3 * 2], [3 * 8], [0]]);
  });

  it('multiplies channel matrices as W[i][cin][cout]', () => {
    const c: LayerCase = {
      layer: shape('submanifold', 1, 1, 1, 2, 3),
      input: { coords: [[0, 0, 0, 0]], features: [[2, -3]] },
      weights: [[[1, 2, 3], [4, 5, 6]]],
      bias: [100, 0, -100],
      requant: { multiplier: [1, 3, 1], shift: [0, 1, 2], relu: true },
    };
    const { result } = runLayer(c);
    expect(result.accumulators).toEqual([[2 - 12 + 100, 4 - 15, 6 - 18 - 100]]);
    // 90 → 90; -11·3 = -33 → floor(-32/2) = -16 → relu 0; -112 → relu 0.
    expect(result.features).toEqual([[90, 0, 0]]);
  });
});

describe('accumulator wraps', () => {
  const widths: ArithmeticWidths = { inWidth: 8, weightWidth: 8, accWidth: 8, outWidth: 8 };

  it('wraps each accumulator to accWidth and counts the ones that did not fit, bias included', () => {
    const c: LayerCase = {
      layer: shape('submanifold', 1, 1, 1, 1, 3),
      input: { coords: [[0, 0, 0, 0], [0, 5, 0, 0]], features: [[100], [1]] },
      weights: [[[100, 1, -2]]],
      bias: [0, 100, -100],
    };
    const { result } = runLayer(c, widths);
    // Row 0: 10000 → 16 (wrap), 100 + 100 = 200 → -56 (wrap), -200 - 100 = -300 → -44 (wrap).
    // Row 1: 100 fits, 1 + 100 = 101 fits, -2 - 100 = -102 fits.
    expect(result.accumulators).toEqual([[16, -56, -44], [100, 101, -102]]);
    expect(result.wraps).toBe(3);
  });

  it('counts the exact value: a bias that brings a large sum back into range is no wrap', () => {
    const c: LayerCase = {
      layer: shape('submanifold', 1, 1, 1, 1, 1),
      input: { coords: [[0, 0, 0, 0]], features: [[2]] },
      weights: [[[100]]],
      bias: [-100],
    };
    expect(runLayer(c, widths).result).toMatchObject({ accumulators: [[100]], wraps: 0 });
  });
});

describe('runLayer input handling', () => {
  it('gives the same result whatever the input order', () => {
    fc.assert(
      fc.property(randomCaseArb, fc.integer(), ({ c, widths }, seed) => {
        const order = shuffle(rng(seed), c.input.coords.map((_, i) => i));
        const shuffled: LayerCase = {
          ...c,
          input: { coords: order.map((i) => c.input.coords[i]), features: order.map((i) => c.input.features[i]) },
        };
        const a = runLayer(c, widths), b = runLayer(shuffled, widths);
        expect(b.result).toEqual(a.result);
        // inputOrder points back into each case's own list.
        expect(Array.from(b.inputOrder, (i) => shuffled.input.coords[i])).toEqual(Array.from(a.inputOrder, (i) => c.input.coords[i]));
      }),
      { numRuns: 60 },
    );
  });

  it('reports output coordinates and tensor strides without computing', () => {
    const input = { coords: [[0, 4, -4, 0], [0, 0, 0, 4]] as Coord[], features: [] };
    expect(layerOutputCoords({ layer: shape('conv', 2, 2, 4), input, weights: [] })).toEqual([[0, 0, -8, 0], [0, 0, 0, 0]]);
    expect(outTensorStride(shape('conv', 3, 2, 4))).toBe(8);
    expect(outTensorStride(shape('conv', 3, 3, 1))).toBe(3);
    expect(outTensorStride(shape('submanifold', 3, 1, 4))).toBe(4);
    expect(outTensorStride(shape('transposed', 2, 2, 4))).toBe(2);
  });
});

describe('runLayer validation names the field', () => {
  const base = (): LayerCase => ({
    layer: shape('submanifold', 3, 1, 2, 2, 2),
    input: { coords: [[0, 0, 0, 0], [0, 2, 0, 0], [1, 0, 2, 4]], features: [[1, 2], [3, 4], [5, 6]] },
    weights: Array.from({ length: 27 }, () => [[1, 0], [0, 1]]),
  });

  const cases: [string, (c: LayerCase) => void, RegExp, ArithmeticWidths?][] = [
    ['duplicate coordinates', (c) => { c.input.coords[2] = [0, 2, 0, 0]; }, /^input\.coords\[2\]: duplicate .*input\.coords\[1\]/],
    ['coordinate off the tensor stride', (c) => { c.input.coords[1] = [0, 3, 0, 0]; }, /^input\.coords\[1\]: x = 3 is not a multiple of the tensor stride 2/],
    ['weights with too few offsets', (c) => { c.weights.pop(); }, /^weights: must have 27 /],
    ['a weight row too short', (c) => { c.weights[3] = [[1, 0]]; }, /^weights\[3\]: must have 2 /],
    ['a weight entry list too long', (c) => { c.weights[3][1] = [1, 0, 0]; }, /^weights\[3\]\[1\]: must have 2 /],
    ['a weight out of range', (c) => { c.weights[5][0][1] = 128; }, /^weights\[5\]\[0\]\[1\]: .*8-bit signed/],
    ['a non-integer weight', (c) => { c.weights[0][0][0] = 0.5; }, /^weights\[0\]\[0\]\[0\]: /],
    ['a feature out of range', (c) => { c.input.features[1][0] = -129; }, /^input\.features\[1\]\[0\]: .*8-bit signed/],
    ['a feature row of the wrong width', (c) => { c.input.features[2] = [1]; }, /^input\.features\[2\]: must have 2 /],
    ['too few feature rows', (c) => { c.input.features.pop(); }, /^input\.features: must have 3 /],
    ['a bias out of accWidth range', (c) => { c.bias = [0, 2 ** 31]; }, /^bias\[1\]: .*32-bit signed/],
    ['a bias of the wrong length', (c) => { c.bias = [0]; }, /^bias: must have 2 /],
    ['a multiplier beyond 2^31-1', (c) => { c.requant = { multiplier: [1, 2 ** 31], shift: [0, 0], relu: false }; }, /^requant\.multiplier\[1\]: /],
    ['a negative multiplier', (c) => { c.requant = { multiplier: [-1, 1], shift: [0, 0], relu: false }; }, /^requant\.multiplier\[0\]: /],
    ['a shift beyond 63', (c) => { c.requant = { multiplier: [1, 1], shift: [64, 0], relu: false }; }, /^requant\.shift\[0\]: /],
    ['a non-boolean relu', (c) => { c.requant = { multiplier: [1, 1], shift: [0, 0], relu: 1 as unknown as boolean }; }, /^requant\.relu: /],
    ['kernel size 0', (c) => { c.layer.kernelSize = 0; }, /^layer\.kernelSize: /],
    ['stride 0', (c) => { c.layer.stride = 0; }, /^layer\.stride: /],
    ['zero input channels', (c) => { c.layer.inChannels = 0; }, /^layer\.inChannels: /],
    ['fractional output channels', (c) => { c.layer.outChannels = 1.5; }, /^layer\.outChannels: /],
    ['an unknown layer type', (c) => { c.layer.type = 'deconv' as LayerShape['type']; }, /^layer\.type: /],
    ['a tensor stride that is not a power of two', (c) => { c.layer.inTensorStride = 6; }, /^layer\.inTensorStride: /],
    ['a strided submanifold layer', (c) => { c.layer.stride = 2; }, /^layer\.stride: a submanifold layer has stride 1/],
    ['a conv layer with output coordinates', (c) => { c.layer.type = 'conv'; c.outputCoords = [[0, 0, 0, 0]]; }, /^outputCoords: only a transposed layer/],
    ['a transposed layer without output coordinates', (c) => { c.layer.type = 'transposed'; c.layer.stride = 2; }, /^outputCoords: is required/],
    ['a transposed stride that does not divide the tensor stride', (c) => { c.layer.type = 'transposed'; c.layer.stride = 4; c.outputCoords = []; }, /^layer\.stride: /],
    ['output coordinates off their grid', (c) => {
      c.layer.type = 'transposed'; c.layer.inTensorStride = 4; c.layer.stride = 2;
      c.input.coords = [[0, 0, 0, 0]]; c.input.features = [[1, 1]];
      c.outputCoords = [[0, 2, 0, 0], [0, 1, 0, 0]];
    }, /^outputCoords\[1\]: x = 1 is not a multiple of the tensor stride 2/],
    ['an accumulator wider than the model supports', () => {}, /^widths\.accWidth: /, { inWidth: 8, weightWidth: 8, accWidth: 49, outWidth: 8 }],
    ['widths whose sums could exceed 2^53', () => {}, /^widths: /, { inWidth: 32, weightWidth: 32, accWidth: 32, outWidth: 8 }],
  ];

  it.each(cases)('rejects %s', (_name, mutate, message, widths) => {
    const c = base();
    mutate(c);
    let caught: unknown;
    try {
      runLayer(c, widths);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(FieldError);
    expect((caught as FieldError).message).toMatch(message);
  });

  it('accepts the unmodified base case', () => {
    expect(runLayer(base()).result.coords).toHaveLength(3);
  });
});
