// Random layer cases covering DESIGN.md §1: every layer type, negative coordinates, several
// batches, tensor strides 1/2/4, odd and even kernels, odd channel counts, bias, requant and
// narrow accumulators that wrap. Clouds are small and dense so that kernels find neighbours.
import fc from 'fast-check';
import type { ArithmeticWidths, Coord, LayerCase, LayerShape } from '../../generator/model/types.ts';
import { int, matrix, randomCloud, rng, signedInt, type Rng } from './prng.ts';

export interface RandomCase {
  c: LayerCase;
  widths: ArithmeticWidths;
}

const shapeArb = fc.oneof(
  fc.record({
    type: fc.constant('submanifold' as const), kernelSize: fc.constantFrom(1, 2, 3, 5), stride: fc.constant(1),
    inTensorStride: fc.constantFrom(1, 2, 4),
  }),
  fc.record({
    type: fc.constant('conv' as const), kernelSize: fc.constantFrom(1, 2, 3, 5), stride: fc.constantFrom(1, 2, 3),
    inTensorStride: fc.constantFrom(1, 2, 4),
  }),
  fc.record({
    type: fc.constant('transposed' as const), kernelSize: fc.constantFrom(2, 3), stride: fc.constant(2),
    inTensorStride: fc.constantFrom(2, 4),
  }),
);

const widthsArb = fc.record({
  inWidth: fc.constantFrom(8, 4),
  weightWidth: fc.constantFrom(8, 3),
  accWidth: fc.constantFrom(48, 32, 16, 12, 10),
  outWidth: fc.constantFrom(8, 4),
});

export const randomCaseArb: fc.Arbitrary<RandomCase> = fc
  .record({
    shape: shapeArb,
    widths: widthsArb,
    inChannels: fc.integer({ min: 1, max: 19 }),
    outChannels: fc.integer({ min: 1, max: 19 }),
    points: fc.integer({ min: 0, max: 24 }),
    batches: fc.integer({ min: 1, max: 3 }),
    extent: fc.integer({ min: 1, max: 3 }),
    bias: fc.boolean(),
    requant: fc.boolean(),
    seed: fc.integer(),
  })
  .map(({ shape, widths, inChannels, outChannels, points, batches, extent, bias, requant, seed }) => {
    const r = rng(seed);
    const layer: LayerShape = { ...shape, inChannels, outChannels };
    // Fewer points for big kernels keeps every case around a millisecond.
    const n = layer.kernelSize === 5 ? Math.min(points, 10) : points;
    let coords: Coord[];
    let outputCoords: Coord[] | undefined;
    if (layer.type === 'transposed') {
      // The fine cloud a matching conv consumed, and its coarse image as input, plus strays.
      const outTs = layer.inTensorStride / layer.stride;
      outputCoords = randomCloud(r, n, { batches, extent: extent * 2, ts: outTs });
      const coarse = new Map<string, Coord>();
      for (const [b, x, y, z] of [...outputCoords, ...randomCloud(r, 2, { batches, extent: extent * 2, ts: outTs })]) {
        const q = (v: number) => Math.floor(v / layer.inTensorStride) * layer.inTensorStride;
        coarse.set([b, q(x), q(y), q(z)].join(), [b, q(x), q(y), q(z)]);
      }
      coords = [...coarse.values()];
    } else {
      coords = randomCloud(r, n, { batches, extent, ts: layer.inTensorStride });
    }
    const volume = layer.kernelSize ** 3;
    const c: LayerCase = {
      layer,
      input: { coords, features: matrix(r, coords.length, inChannels, widths.inWidth) },
      weights: Array.from({ length: volume }, () => matrix(r, inChannels, outChannels, widths.weightWidth)),
    };
    if (outputCoords !== undefined) c.outputCoords = outputCoords;
    if (bias) c.bias = Array.from({ length: outChannels }, () => signedInt(r, widths.accWidth));
    if (requant) c.requant = randomRequant(r, outChannels);
    return { c, widths };
  });

function randomRequant(r: Rng, cout: number): NonNullable<LayerCase['requant']> {
  // Mostly realistic scales (m up to 2^16, shifts that bring the result near the output range),
  // sometimes the extremes of the allowed range.
  const wild = r() < 0.2;
  return {
    multiplier: Array.from({ length: cout }, () => (wild ? int(r, 0, 2 ** 31 - 1) : int(r, 0, 2 ** 16))),
    shift: Array.from({ length: cout }, () => (wild ? int(r, 0, 63) : int(r, 0, 24))),
    relu: r() < 0.5,
  };
}
