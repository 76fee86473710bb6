// Sweeps in time: a point's clock estimate turns cycles into µs, and the time fronts can differ
// from the cycle fronts (a point with more cycles at a faster clock wins in time).
import { describe, expect, it } from 'vitest';
import { pointTiming, timeUs } from '../../generator/sweep/evaluate.ts';
import { computePareto, type PointResult } from '../../generator/sweep/results.ts';
import type { CornerEstimate } from '../../generator/synth/estimate.ts';

const path = (delayNs: number, levels = 3) => ({ start: 'a_q', end: 'b_q', endPin: 'FDRE.D', levels, cellTypes: { LUT6: levels }, delayNs });
const corners = (slowNs: number, fastNs: number, module = 'sf_x_lane'): CornerEstimate[] =>
  ([1, 2] as const).flatMap((grade) =>
    (['fast', 'slow'] as const).map((corner) => {
      const d = (corner === 'slow' ? slowNs : fastNs) * (grade === 2 ? 0.84 : 1);
      return { grade, corner, fmaxMHz: Number((1000 / d).toFixed(1)), worst: path(d), modules: { [module]: path(d), sf_x_other: path(d / 2) } };
    }),
  );

function point(id: string, cycles: number, luts: number, fmax: { min: number; max: number }): PointResult {
  return {
    id,
    index: 0,
    params: {},
    status: 'ok',
    resources: { luts, ffs: 0, dsp48: 1, ramb18: 0, ramb36: 0, bram36: 0, lutram: 0, latches: 0, units: {} },
    timing: { fmaxMHz: { '-1': fmax, '-2': fmax }, critical: { module: 'm', start: 'a', end: 'b', levels: 1 } },
    workloads: { w: { supported: true, cycles: { total: cycles, load: 0, mapping: 0, compute: 0, drain: 0, tiling: 0 }, timeUs: timeUs(cycles, fmax) } },
  };
}

describe('sweeps in time', () => {
  it('time per layer: cycles over the Fmax range', () => {
    expect(timeUs(1000, { min: 50, max: 100 })).toEqual({ min: 10, max: 20 });
  });

  it('the point clock is the slowest unit, at -2 with slow nets, with the critical module', () => {
    const t = pointTiming([
      { root: 'fast_unit', timing: corners(4, 2, 'sf_x_fast') },
      { root: 'slow_unit', timing: corners(10, 5, 'sf_x_lane') },
    ])!;
    expect(t.fmaxMHz['-2'].min).toBeCloseTo(1000 / 8.4, 1);
    expect(t.fmaxMHz['-2'].max).toBeCloseTo(1000 / 4.2, 1);
    expect(t.fmaxMHz['-1']).toEqual({ min: 100, max: 200 });
    expect(t.critical.module).toBe('sf_x_lane');
    expect(pointTiming([{ root: 'u' }])).toBeUndefined();
  });

  it('time fronts differ from cycle fronts when the clocks differ', () => {
    const pts = [point('a', 100, 10, { min: 50, max: 60 }), point('b', 120, 10, { min: 100, max: 120 }), point('c', 500, 5, { min: 100, max: 100 })];
    expect(computePareto(pts, ['w']).w!.luts).toEqual(['c', 'a']);
    expect(computePareto(pts, ['w'], 'time').w!.luts).toEqual(['c', 'b']);
  });
});
