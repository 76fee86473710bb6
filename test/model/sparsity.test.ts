import { describe, expect, it } from 'vitest';
import { describeNmViolation, FieldError, findNmViolation, NM_PATTERN_NAMES, parseNmPattern } from '../../generator/model/index.ts';

/** weights[i][cin][cout] filled with `v`. */
const filled = (kv: number, cin: number, cout: number, v = 0) =>
  Array.from({ length: kv }, () => Array.from({ length: cin }, () => new Array<number>(cout).fill(v)));

describe('N:M patterns', () => {
  it('parses every pattern with 1 ≤ N < M, M ∈ {2, 4, 8}, and nothing else', () => {
    expect(NM_PATTERN_NAMES).toEqual(['1:2', '1:4', '2:4', '3:4', '1:8', '2:8', '3:8', '4:8', '5:8', '6:8', '7:8']);
    expect(parseNmPattern('2:4')).toEqual({ n: 2, m: 4 });
    expect(parseNmPattern('7:8')).toEqual({ n: 7, m: 8 });
    for (const bad of ['4:4', '0:4', '2:3', '2:16', '2/4', ' 2:4', '02:4', 'dense', '']) {
      expect(() => parseNmPattern(bad, '--pattern')).toThrow(FieldError);
      expect(() => parseNmPattern(bad, '--pattern')).toThrow(`--pattern: must be an N:M pattern with 1 ≤ N < M and M a power of two ≤ 8 (e.g. 2:4, 1:4), got ${JSON.stringify(bad)}`);
    }
  });
});

describe('findNmViolation', () => {
  it('accepts all-zero and exactly-N groups, including a short last group', () => {
    const w = filled(2, 6, 3);
    expect(findNmViolation(w, { n: 2, m: 4 })).toBeUndefined();
    for (const i of [0, 1]) for (const o of [0, 1, 2]) { w[i]![1]![o] = 5; w[i]![3]![o] = -1; w[i]![4]![o] = 7; w[i]![5]![o] = 9; }
    expect(findNmViolation(w, { n: 2, m: 4 })).toBeUndefined();
  });

  it('reports the first offending kernel index, then group, then output channel', () => {
    const w = filled(3, 10, 4);
    // Channels 8, 9 form the short group 2 (of a 4-wide pattern: channels 8…11).
    w[2]![8]![0] = 1; w[2]![9]![0] = 1; w[2]![0]![1] = 1; // group 2 of kernel 2: two non-zeros
    w[1]![4]![3] = 1; w[1]![5]![3] = 1; // kernel 1, group 1, cout 3
    w[1]![4]![2] = 1; w[1]![6]![2] = -1; // kernel 1, group 1, cout 2
    expect(findNmViolation(w, { n: 2, m: 4 })).toBeUndefined();
    expect(findNmViolation(w, { n: 1, m: 4 })).toEqual({ kernelIndex: 1, group: 1, outChannel: 2, nonZeros: 2 });
    w[1]![4]![2] = 0;
    expect(findNmViolation(w, { n: 1, m: 4 })).toEqual({ kernelIndex: 1, group: 1, outChannel: 3, nonZeros: 2 });
    w[1]![5]![3] = 0;
    expect(findNmViolation(w, { n: 1, m: 4 })).toEqual({ kernelIndex: 2, group: 2, outChannel: 0, nonZeros: 2 });
    // 1:2: channels 8 and 9 are the same group 4.
    w[2]![0]![1] = 0;
    expect(findNmViolation(w, { n: 1, m: 2 })).toEqual({ kernelIndex: 2, group: 4, outChannel: 0, nonZeros: 2 });
    expect(describeNmViolation({ kernelIndex: 2, group: 4, outChannel: 0, nonZeros: 2 }, { n: 1, m: 2 })).toBe(
      'weights are not 1:2 sparse: kernel index 2, input-channel group 4 (channels 8…9), output channel 0 has 2 non-zero weights (at most 1)',
    );
  });
});
