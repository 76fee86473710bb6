// Greedy minimization and the coverage-data parser, without a simulator.
import { describe, expect, it } from 'vitest';
import type { LayerCase } from '../../generator/model/types.ts';
import { minimizeCase } from '../../generator/verify/minimize.ts';
import { moduleCoverage, parseCoverageData } from '../../generator/verify/coverage.ts';

function bigCase(): LayerCase {
  const coords = Array.from({ length: 20 }, (_, i) => [0, i, 0, 0] as [number, number, number, number]);
  return {
    layer: { type: 'submanifold', kernelSize: 1, stride: 1, inTensorStride: 1, inChannels: 5, outChannels: 6 },
    input: { coords, features: coords.map((_, i) => [i, 1, 2, 3, 4]) },
    weights: [Array.from({ length: 5 }, () => [1, 2, 3, 4, 5, 6])],
    bias: [1, 2, 3, 4, 5, 6],
    requant: { multiplier: [1, 1, 1, 1, 1, 1], shift: [0, 0, 0, 0, 0, 0], relu: false },
  };
}

describe('minimizeCase', () => {
  it('keeps the one output channel that fails', async () => {
    const m = await minimizeCase(bigCase(), async (c) => c.layer.outChannels > 0 && c.weights[0]![0]!.includes(5));
    expect(m.case.layer.outChannels).toBe(1);
    expect(m.case.weights[0]![0]).toEqual([5]);
    expect(m.case.bias).toEqual([5]);
  });

  it('drops points and channels while the predicate still fails', async () => {
    // "Fails" while point x = 13 is present and there are ≥ 3 output channels.
    const m = await minimizeCase(bigCase(), async (c) => c.input.coords.some((p) => p[1] === 13) && c.layer.outChannels >= 3);
    expect(m.case.input.coords).toEqual([[0, 13, 0, 0]]);
    expect(m.case.input.features).toHaveLength(1);
    expect(m.case.input.features[0]).toHaveLength(1);
    expect(m.case.layer).toMatchObject({ inChannels: 1, outChannels: 3 });
    // Channels go by index, wherever they are: the first half of the outputs was dropped.
    expect(m.case.weights).toEqual([[[4, 5, 6]]]);
    expect(m.case.bias).toEqual([4, 5, 6]);
    expect(m.case.requant!.multiplier).toHaveLength(3);
    expect(m.runs).toBeLessThanOrEqual(80);
  });

  it('respects the run budget', async () => {
    let n = 0;
    const m = await minimizeCase(bigCase(), async () => (n++, true), 5);
    expect(m.runs).toBe(5);
    expect(n).toBe(5);
  });
});

describe('coverage data', () => {
  const k = (f: Record<string, string>) => Object.entries(f).map(([a, b]) => `\u0001${a}\u0002${b}`).join('');
  const text = [
    '# SystemC::Coverage-3',
    `C '${k({ f: 'src/x_m.v', l: '10', n: '3', page: 'v_line/x_m', o: 'if', S: '10-12', h: 'TOP.a' })}' 0`,
    `C '${k({ f: 'src/x_m.v', l: '10', n: '3', page: 'v_line/x_m', o: 'if', S: '10-12', h: 'TOP.b' })}' 4`,
    `C '${k({ f: 'src/x_m.v', l: '13', n: '3', page: 'v_line/x_m', o: 'else', S: '13-14', h: 'TOP.a' })}' 0`,
    `C '${k({ f: 'src/x_m.v', l: '2', n: '3', page: 'v_toggle/x_m', o: 'q[0]', h: 'TOP.a' })}' 1`,
    `C '${k({ f: 'src/x_m.v', l: '2', n: '3', page: 'v_toggle/x_m', o: 'q[1]', h: 'TOP.a' })}' 0`,
  ].join('\n');
  it('merges instances and reports uncovered line ranges', () => {
    const [m] = moduleCoverage(parseCoverageData(text));
    expect(m).toMatchObject({ module: 'x_m', lines: { covered: 3, total: 5, pct: 60 }, points: { covered: 1, total: 2 }, toggle: { covered: 1, total: 2, pct: 50 }, uncovered: ['13-14'] });
  });
});
