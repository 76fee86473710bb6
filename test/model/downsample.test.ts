import { describe, expect, it } from 'vitest';
import { convOutputCoords } from '../../generator/model/downsample.ts';

describe('convOutputCoords', () => {
  it('floors negative coordinates towards -∞', () => {
    expect(convOutputCoords([[0, -1, -2, -3]], 2)).toEqual([[0, -2, -2, -4]]);
    expect(convOutputCoords([[0, -4, 3, -5]], 4)).toEqual([[0, -4, 0, -8]]);
    expect(convOutputCoords([[0, -1, 1, 2]], 3)).toEqual([[0, -3, 0, 0]]);
  });

  it('deduplicates within a batch, keeps batches apart and returns canonical order', () => {
    const out = convOutputCoords(
      [[1, 0, 0, 0], [0, 1, 1, 1], [0, 0, 0, 1], [0, -1, 0, 0], [1, 1, 0, 0], [0, -2, -1, 0], [0, 3, 2, 0]],
      2,
    );
    expect(out).toEqual([[0, -2, -2, 0], [0, -2, 0, 0], [0, 0, 0, 0], [0, 2, 2, 0], [1, 0, 0, 0]]);
  });

  it('is the identity at the input stride and handles an empty cloud', () => {
    expect(convOutputCoords([[0, 4, 2, 0], [0, 2, 2, 0]], 2)).toEqual([[0, 2, 2, 0], [0, 4, 2, 0]]);
    expect(convOutputCoords([], 2)).toEqual([]);
  });

  it('names the point that leaves the 32-bit range', () => {
    expect(() => convOutputCoords([[0, 0, 0, 0], [0, -(2 ** 31), 0, 0]], 3)).toThrow(/^input\.coords\[1\]: /);
  });
});
