// Grid files: expansion order, tied axes, seeded samples, strict validation with field names,
// invalid combinations reported per point, and .ts grids.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { expandGrid, loadGridFile, parseGrid, pointCount, variedPaths } from '../../generator/sweep/index.ts';
import { MICRO_POINTS, microGrid, tempDir, writeGrid } from './helpers.ts';

function fieldError(fn: () => unknown): { field: string; message: string } {
  try {
    fn();
  } catch (e) {
    return { field: (e as { field?: string }).field ?? '', message: (e as Error).message };
  }
  throw new Error('expected an error');
}

describe('grid expansion', () => {
  it('is the Cartesian product, first axis slowest, with tied fields varied together', () => {
    const g = parseGrid({
      format: 'sparseforge.sweep/1',
      base: 'fpga',
      // fpga's map-free downsampler needs 8 lanes or more (one per kernel index of k = s = 2).
      grid: { 'mapping.lanes': [8, 12, 16], 'matrix.rows,matrix.cols': [[8, 8], [16, 16]] },
      workloads: microGrid().workloads,
    });
    expect(pointCount(g)).toBe(6);
    const pts = expandGrid(g);
    expect(pts.map((p) => p.id)).toEqual(['p0001', 'p0002', 'p0003', 'p0004', 'p0005', 'p0006']);
    expect(pts.map((p) => [p.params['mapping.lanes'], p.params['matrix.rows'], p.params['matrix.cols']])).toEqual([
      [8, 8, 8],
      [8, 16, 16],
      [12, 8, 8],
      [12, 16, 16],
      [16, 8, 8],
      [16, 16, 16],
    ]);
    expect(pts[3]!.spec!.matrix.rows).toBe(16);
    expect(pts[3]!.spec!.mapping.lanes).toBe(12);
    // Everything not varied comes from the base, and every point shares its name.
    expect(pts[3]!.spec!.buffers).toEqual(presets.fpga.buffers);
    expect(new Set(pts.map((p) => p.spec!.name))).toEqual(new Set(['sf_fpga']));
    expect(variedPaths(g)).toEqual(['mapping.lanes', 'matrix.rows', 'matrix.cols']);
  });

  it('reports a combination that breaks a spec rule as an invalid point, naming the field', () => {
    const g = parseGrid({
      format: 'sparseforge.sweep/1',
      base: 'tiny',
      // tiny streams 32-bit beats: 8 rows of 8-bit features do not fit one beat.
      grid: { 'matrix.rows': [4, 8], 'mapping.lanes': [1, 99] },
      workloads: microGrid().workloads,
    });
    const pts = expandGrid(g);
    expect(pts.map((p) => (p.spec ? 'ok' : p.issues!.map((i) => i.field).join('+')))).toEqual([
      'ok',
      'mapping.lanes',
      'interfaces.axisDataWidth',
      'mapping.lanes',
    ]);
    expect(pts[2]!.issues![0]!.rule).toMatch(/matrix\.rows 8 · inWidth 8 = 64 bits/);
  });

  it('draws seeded samples, the same draws for every grid point, and no duplicates', () => {
    const input = {
      format: 'sparseforge.sweep/1',
      base: 'fpga',
      grid: { 'mapping.lanes': [1, 2] },
      sample: { count: 5, seed: 42, ranges: { 'buffers.coordDepth': { min: 256, max: 8192, pow2: true }, 'gatherScatter.scatterForwarding': [true, false] } },
      workloads: microGrid().workloads,
    };
    const a = expandGrid(parseGrid(input));
    const b = expandGrid(parseGrid(input));
    expect(a.map((p) => p.params)).toEqual(b.map((p) => p.params));
    expect(a).toHaveLength(10);
    const draws = a.slice(0, 5).map((p) => JSON.stringify([p.params['buffers.coordDepth'], p.params['gatherScatter.scatterForwarding']]));
    expect(new Set(draws).size).toBe(5);
    expect(a.slice(5).map((p) => JSON.stringify([p.params['buffers.coordDepth'], p.params['gatherScatter.scatterForwarding']]))).toEqual(draws);
    for (const p of a) {
      const d = p.params['buffers.coordDepth'] as number;
      expect(d).toBeGreaterThanOrEqual(256);
      expect(d).toBeLessThanOrEqual(8192);
      expect(Math.log2(d) % 1).toBe(0);
    }
    const other = expandGrid(parseGrid({ ...input, sample: { ...input.sample, seed: 43 } }));
    expect(other.map((p) => p.params)).not.toEqual(a.map((p) => p.params));
  });
});

describe('grid validation names the field', () => {
  const ok = microGrid();
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    ['format', { format: 'sparseforge.sweep/2' }, 'format', /sparseforge\.sweep\/1/],
    ['unknown top-level field', { grdi: {} }, 'grdi', /unknown field/],
    ['unknown preset', { base: 'huge' }, 'base', /unknown preset "huge"/],
    ['bad base spec', { base: { name: 'x', matrix: { rows: 3 } } }, 'base.matrix.rows', /power of two/],
    ['unknown spec field, with a suggestion', { grid: { 'matrix.rowz': [1] } }, 'grid["matrix.rowz"]', /did you mean matrix\.rows/],
    ['sweeping the name', { grid: { name: ['a', 'b'] } }, 'grid["name"]', /cannot be swept/],
    ['empty value list', { grid: { 'mapping.lanes': [] } }, 'grid["mapping.lanes"]', /non-empty list/],
    ['tuple of the wrong length', { grid: { 'matrix.rows,matrix.cols': [[4, 4], [8]] } }, 'grid["matrix.rows,matrix.cols"][1]', /list of 2 values/],
    ['a field varied twice', { grid: { 'matrix.rows': [4], 'matrix.rows,matrix.cols': [[4, 4]] } }, 'grid["matrix.rows,matrix.cols"]', /already varied/],
    ['nothing to vary', { grid: undefined }, 'grid', /a grid, a sample or both/],
    ['sample count', { sample: { count: 0, seed: 1, ranges: { 'mapping.lanes': [1] } } }, 'sample.count', /integer between 1/],
    ['sample range field', { sample: { count: 2, seed: 1, ranges: { 'buffers.coordDepth': { min: 16, max: 64, step: 1 } } } }, 'sample.ranges["buffers.coordDepth"].step', /unknown field/],
    ['no workloads', { workloads: [] }, 'workloads', /non-empty list/],
    ['duplicate workload', { workloads: [ok.workloads[0], ok.workloads[0]] }, 'workloads[1].name', /duplicate/],
    ['two point sources', { workloads: [{ name: 'w', builder: { bunny: true, points: MICRO_POINTS, voxel: 1, layer: 'submanifold', kernel: 3, cin: 1, cout: 1, seed: 1 } }] }, 'workloads[0].builder', /exactly one point source/],
    ['bad layer type', { workloads: [{ name: 'w', builder: { bunny: true, voxel: 1, layer: 'dense', kernel: 3, cin: 1, cout: 1, seed: 1 } }] }, 'workloads[0].builder.layer', /submanifold, conv, transposed/],
    ['builder and case', { workloads: [{ name: 'w', case: 'a.json', builder: {} }] }, 'workloads[0]', /exactly one of builder or case/],
    ['synth not boolean', { synth: 'yes' }, 'synth', /true or false/],
  ];
  it.each(cases)('%s', (_, patch, field, message) => {
    const e = fieldError(() => parseGrid({ ...ok, ...patch }));
    expect(e.field).toBe(field);
    expect(e.message).toMatch(message);
  });
});

describe('grid files', () => {
  it('loads .json and .ts grids alike; a .ts grid may compute its workloads', async () => {
    const dir = tempDir();
    const json = await loadGridFile(writeGrid(dir, microGrid()));
    const ts = join(dir, 'grid.ts');
    const { workloads: _w, ...rest } = microGrid();
    writeFileSync(
      ts,
      [
        'const pts: number[][] = [];',
        'for (let x = 0; x < 2; x++) for (let y = 0; y < 2; y++) for (let z = 0; z < 3; z++) pts.push([x + 0.5, y + 0.5, z + 0.5]);',
        `export default () => ({ ...${JSON.stringify(rest)}, workloads: [`,
        "  { name: 'block-sub3', builder: { points: pts, voxel: 1, layer: 'submanifold', kernel: 3, cin: 4, cout: 4, seed: 1 } },",
        "  { name: 'block-down2', builder: { points: pts, voxel: 1, layer: 'conv', kernel: 2, stride: 2, cin: 4, cout: 8, seed: 2 } },",
        '] });',
        '',
      ].join('\n'),
    );
    const fromTs = await loadGridFile(ts);
    expect(fromTs.name).toBe('micro');
    expect(expandGrid(fromTs).map((p) => p.spec)).toEqual(expandGrid(json).map((p) => p.spec));
    expect(fromTs.workloads).toEqual(json.workloads);
  });

  it('prefixes errors with the file and names the grid field', async () => {
    const dir = tempDir();
    const f = writeGrid(dir, { ...microGrid(), grid: { 'mapping.lanez': [1] } });
    await expect(loadGridFile(f)).rejects.toThrow(/grid\.json: grid\["mapping\.lanez"\]: unknown spec field.*did you mean mapping\.lanes/);
    writeFileSync(join(dir, 'bad.json'), '{ "format": ');
    await expect(loadGridFile(join(dir, 'bad.json'))).rejects.toThrow(/not valid JSON/);
    await expect(loadGridFile(join(dir, 'grid.yaml'))).rejects.toThrow(/unsupported grid file type/);
  });
});
