import { describe, expect, it } from 'vitest';
import { FieldError } from '../../generator/model/errors.ts';
import {
  centreIndex, kernelAxisOffsets, kernelOffsets, kernelVolume, mirrorIndex,
} from '../../generator/model/kernel.ts';

describe('kernel offsets', () => {
  it('uses centred offsets for odd k and 0…k-1 for even k', () => {
    expect(kernelAxisOffsets(1)).toEqual([0]);
    expect(kernelAxisOffsets(3)).toEqual([-1, 0, 1]);
    expect(kernelAxisOffsets(5)).toEqual([-2, -1, 0, 1, 2]);
    expect(kernelAxisOffsets(2)).toEqual([0, 1]);
    expect(kernelAxisOffsets(4)).toEqual([0, 1, 2, 3]);
  });

  it('indexes i = (iz·k + iy)·k + ix with x fastest', () => {
    const o = kernelOffsets(3, 1);
    expect(o).toHaveLength(27);
    expect(o[0]).toEqual([-1, -1, -1]);
    expect(o[1]).toEqual([0, -1, -1]);
    expect(o[3]).toEqual([-1, 0, -1]);
    expect(o[9]).toEqual([-1, -1, 0]);
    expect(o[13]).toEqual([0, 0, 0]);
    expect(o[26]).toEqual([1, 1, 1]);
    for (let i = 0; i < 27; i++) {
      const [dx, dy, dz] = o[i];
      expect(((dz + 1) * 3 + (dy + 1)) * 3 + (dx + 1)).toBe(i);
    }
  });

  it('scales by the tensor stride and follows the even rule', () => {
    expect(kernelOffsets(2, 4)).toEqual([
      [0, 0, 0], [4, 0, 0], [0, 4, 0], [4, 4, 0], [0, 0, 4], [4, 0, 4], [0, 4, 4], [4, 4, 4],
    ]);
    expect(kernelOffsets(3, 2)[0]).toEqual([-2, -2, -2]);
  });

  it('has a centre only for odd k (13 for k = 3)', () => {
    expect(centreIndex(1)).toBe(0);
    expect(centreIndex(3)).toBe(13);
    expect(centreIndex(5)).toBe(62);
    expect(kernelOffsets(5, 1)[62]).toEqual([0, 0, 0]);
    expect(() => centreIndex(2)).toThrow(FieldError);
  });

  it('mirrors δ to -δ for odd k', () => {
    for (const k of [1, 3, 5]) {
      const o = kernelOffsets(k, 2);
      for (let i = 0; i < o.length; i++) expect(o[mirrorIndex(i, k)]).toEqual(o[i].map((v) => -v || 0));
    }
    expect(() => mirrorIndex(0, 2)).toThrow(FieldError);
    expect(() => mirrorIndex(27, 3)).toThrow(RangeError);
  });

  it('rejects a kernel size below 1, naming layer.kernelSize', () => {
    expect(() => kernelVolume(0)).toThrow(/^layer\.kernelSize: /);
    expect(kernelVolume(5)).toBe(125);
  });
});
