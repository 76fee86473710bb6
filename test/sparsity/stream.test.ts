// The compressed N:M weight stream (docs/accelerator.md, "N:M weight sparsity"): word layout of a
// tile, checked against hand-computed words, so that a wrong position or slot order fails here
// and not only as a co-simulation mismatch.
import { describe, expect, it } from 'vitest';
import { derive } from '../../generator/dsl/index.ts';
import { encodeLayer, sparseTile, type HwLayer } from '../../generator/sim/accel/stream.ts';
import { tiny2of4 } from './specs.ts';

describe('sparseTile', () => {
  it('packs {position, weight} lanes of the non-zeros of each group, in channel order', () => {
    // 2:4 on a 4-row, 2-column array: 8 input channels per pass (groups 0…3 and 4…7); 6 real channels.
    // weights[0][cin][cout]
    const w = [[
      [0, 5], [-3, 0], [0, 0], [7, -1], // group 0: cout 0 → ch1 (-3), ch3 (7); cout 1 → ch0 (5), ch3 (-1)
      [0, 0], [2, 0], // group 1 (channels 4, 5; 6 and 7 do not exist): cout 0 → ch5 (2); cout 1 → none
    ]];
    const words = sparseTile({ weights: w, inChannels: 6, outChannels: 2 }, 0, 0, 0, 4, 2, 8, { n: 2, m: 4 }, 8);
    // Lane = {2-bit position, 8-bit weight} = 10 bits; lane 0 (cout 0) in the low bits.
    const lane = (pos: number, v: number) => (BigInt(pos) << 8n) | (BigInt(v) & 0xffn);
    const word = (l0: bigint, l1: bigint) => l0 | (l1 << 10n);
    expect(words).toEqual([
      word(lane(1, -3), lane(0, 5)), // group 0, slot 0
      word(lane(3, 7), lane(3, -1)), // group 0, slot 1
      word(lane(1, 2), lane(0, 0)), // group 1, slot 0
      word(lane(0, 0), lane(0, 0)), // group 1, slot 1: nothing left
    ]);
    expect(() => sparseTile({ weights: [[[1], [1], [1], [0]]], inChannels: 4, outChannels: 1 }, 0, 0, 0, 2, 1, 4, { n: 2, m: 4 }, 8)).toThrow('more than 2 non-zero weights');
  });

  it('encodeLayer sends rows · M/N channels per feature word and K·rows compressed words per pair', () => {
    const spec = tiny2of4; // 4×4, 2:4: 8 channels per pass, 64-bit beats
    const hw: HwLayer = {
      type: 'submanifold', kernelSize: 1, stride: 1, inTensorStride: 1, inChannels: 10, outChannels: 3,
      inCoords: [[0, 0, 0, 0], [0, 1, 0, 0]],
      features: [Array.from({ length: 10 }, (_, i) => i + 1), Array.from({ length: 10 }, (_, i) => -(i + 1))],
      weights: [Array.from({ length: 10 }, (_, i) => [i % 4 === 0 ? 1 : 0, 0, i % 2])],
      requantOut: false,
    };
    const beats = encodeLayer(spec, derive(spec), hw);
    // CIN 2, W0 1·4 words (pair 0,0), FEAT 2 tiles × 2 points, WREST 1 pair × 4 words.
    expect(beats.length).toBe(2 + 4 + 4 + 4);
    const feat = beats.slice(6, 10).map((b) => b.data);
    const bytes = (vals: number[]) => vals.reduceRight((a, v) => (a << 8n) | (BigInt(v) & 0xffn), 0n);
    expect(feat).toEqual([bytes([1, 2, 3, 4, 5, 6, 7, 8]), bytes([-1, -2, -3, -4, -5, -6, -7, -8]), bytes([9, 10, 0, 0, 0, 0, 0, 0]), bytes([-9, -10, 0, 0, 0, 0, 0, 0])]);
    expect(beats[9]!.last).toBe(true);
  });
});
