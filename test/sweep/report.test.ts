// Pareto fronts and the HTML report, on hand-made results (no tools needed).
import { describe, expect, it } from 'vitest';
import { computePareto, paretoFront, renderReport, type PointResult, type SweepResults } from '../../generator/sweep/index.ts';

describe('Pareto front', () => {
  it('keeps the points no other point beats on both axes', () => {
    const pts = [
      { id: 'a', x: 100, y: 50 },
      { id: 'b', x: 200, y: 40 },
      { id: 'c', x: 150, y: 60 }, // dominated by a
      { id: 'd', x: 300, y: 10 },
      { id: 'e', x: 300, y: 20 }, // dominated by d
      { id: 'f', x: 100, y: 50 }, // ties with a
    ];
    expect(paretoFront(pts)).toEqual(['a', 'f', 'b', 'd']);
    expect(paretoFront([])).toEqual([]);
  });
});

function point(i: number, luts: number, dsp: number, cycles: number, status: PointResult['status'] = 'ok'): PointResult {
  const id = `p000${i}`;
  if (status !== 'ok') return { id, index: i - 1, params: { 'mapping.lanes': i }, status, error: 'mapping.lanes: must be an integer between 1 and 16, got 99', workloads: {} };
  return {
    id,
    index: i - 1,
    params: { 'mapping.lanes': i, 'matrix.rows': 8 },
    status,
    resources: { luts, ffs: 2 * luts, dsp48: dsp, ramb18: 1, ramb36: 2, bram36: 2.5, lutram: 0, latches: 0, units: {} },
    lint: { ok: true, warnings: 0, messages: [] },
    workloads: {
      'bunny<&>': {
        supported: true,
        cycles: { total: cycles, load: 100, mapping: cycles / 2, compute: cycles / 2 - 150, drain: 50, tiling: 0 },
        computeBound: cycles / 4,
        utilisation: 0.25,
        tiles: 1,
        overflows: [],
      },
    },
  };
}

function results(points: PointResult[]): SweepResults {
  return {
    format: 'sparseforge.sweep-results/1',
    name: 'demo',
    grid: 'scripts/sweeps/demo.json',
    gridHash: 'x',
    generator: { name: 'sparseforge', version: '0.1.0' },
    cycleModel: { methods: [{ name: 'first-order', version: 1, calibrated: false, predictions: 4 }] },
    base: 'preset fpga',
    parameters: ['mapping.lanes', 'matrix.rows'],
    steps: { lint: true, synth: true, verify: false },
    workloads: [
      {
        name: 'bunny<&>',
        hash: 'h',
        description: 'bunny voxel 0.25: submanifold k=3',
        layer: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1, inChannels: 16, outChannels: 16 },
        pointsIn: 1000,
        pointsOut: 1000,
        mapEntries: 9000,
        macs: 2304000,
      },
    ],
    totalPoints: points.length,
    missing: [],
    points,
    pareto: computePareto(points, ['bunny<&>']),
  };
}

describe('HTML report', () => {
  const pts = [point(1, 1000, 16, 90000), point(2, 1500, 16, 50000), point(3, 1400, 64, 70000), point(4, 3000, 64, 20000), point(5, 0, 0, 0, 'invalid')];
  const r = results(pts);
  const html = renderReport(r);

  it('computes the fronts per resource', () => {
    expect(r.pareto['bunny<&>']!.luts).toEqual(['p0001', 'p0003', 'p0002', 'p0004']);
    expect(r.pareto['bunny<&>']!.dsp48).toEqual(['p0002', 'p0004']);
  });

  it('is one self-contained document with inline SVG charts', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<(link|img)\b|\bsrc=|@import|url\(/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html.match(/<svg /g)!.length).toBe(3 + 1 + 1); // 3 fronts, utilisation, breakdown
    expect(html).toContain('cycles vs LUTs');
    expect(html).toContain('cycles vs DSP48 slices');
  });

  it('highlights and labels the Pareto points, connects them, and explains every point in a tooltip', () => {
    const lutChart = html.slice(html.indexOf('cycles vs LUTs'), html.indexOf('cycles vs DSP48'));
    expect(lutChart.match(/class="pareto"/g)).toHaveLength(4);
    expect(lutChart.match(/class="dominated"/g) ?? []).toHaveLength(0);
    expect(lutChart).toMatch(/<path class="front" d="M[\d.]+ [\d.]+(H[\d.]+V[\d.]+){3}"/);
    expect(lutChart).toContain('<title>p0002 (Pareto): lanes=2 rows=8\n50000 cycles, utilisation 25.0 %\n1500 LUT, 16 DSP48, 2.5 RAMB36</title>');
    const dspChart = html.slice(html.indexOf('cycles vs DSP48'), html.indexOf('cycles vs block RAM'));
    expect(dspChart.match(/class="pareto"/g)).toHaveLength(2);
    expect(dspChart.match(/class="dominated"/g)).toHaveLength(2);
    // Axis labels and ticks.
    expect(lutChart).toContain('>cycles (predicted)');
    expect(lutChart).toMatch(/class="tick"[^>]*>1000</);
  });

  it('escapes names, lists every point (invalid ones with their error) and says the model is uncalibrated', () => {
    expect(html).toContain('bunny&lt;&amp;&gt;');
    expect(html).not.toContain('bunny<&>');
    expect(html.match(/<tr><td>p000\d<\/td>/g)).toHaveLength(5);
    expect(html).toContain('<td class="st-invalid">invalid</td>');
    expect(html).toContain('mapping.lanes: must be an integer between 1 and 16, got 99');
    expect(html).toContain('not calibrated against the RTL');
    expect(html).toContain('★LUT ★DSP');
  });

  it('is deterministic', () => {
    expect(renderReport(results(pts))).toBe(html);
  });
});
