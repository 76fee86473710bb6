// Georeferenced clouds (issue 12): the bunny translated by ±8·10⁵ voxels — far outside the fpga
// preset's 16-bit coordinates, but a few hundred voxels wide — runs bit-exact through the host
// driver (`sim`) and the mapping engine (`sim-map`) after per-batch re-basing, on every layer
// type, with shifts that must respect the conv's output grid (odd translations). Clouds larger
// than the coordinate buffers tile in `sim-map` (the two reproductions: 20,147 input
// points; a transposed layer with 8,592 given output points), and an extent that cannot fit is
// refused by name with exit status 2.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { bunnyPoints } from '../../generator/io/bunny.ts';
import { readLayerCaseFile, writeLayerCaseFile } from '../../generator/io/layer-case.ts';
import { writePlyBinary } from '../../generator/io/ply.ts';
import { readLayerResultFile, compareResults } from '../../generator/io/layer-result.ts';
import { runLayer } from '../../generator/model/layer.ts';
import { compareCoords } from '../../generator/model/tensor.ts';
import type { Coord, LayerCase } from '../../generator/model/types.ts';
import { jobFromCase } from '../../generator/sim/mapping/driver.ts';
import { runMappingCase } from '../../generator/sim/mapping/host.ts';
import { bunnyCase } from '../accel/cases.ts';
import { ACCEL_TIMEOUT_MS, expectBitExact } from '../accel/run.ts';
import { binaryFor } from '../mapping/run.ts';
import { runNetwork } from '../../generator/model/index.ts';
import { simulateNetwork } from '../../generator/network/runner.ts';
import { tinyInput, tinyUNet } from '../network/nets.ts';

const spec = presets.fpga;
const BIN = join(import.meta.dirname, '../../bin/sparseforge');
const dir = mkdtempSync(join(tmpdir(), 'sparseforge-georef-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const cli = (...args: string[]) => execa(BIN, args, { cwd: dir, reject: false, env: { SPARSEFORGE_DEBUG: '' } });

type Shift = [number, number, number];

/** The case with batch b of every coordinate list translated by shifts[b]. */
function georef(c: LayerCase, shifts: Record<number, Shift>): LayerCase {
  const mv = (l: Coord[]) => l.map((p): Coord => {
    const s = shifts[p[0]] ?? [0, 0, 0];
    return [p[0], p[1] + s[0], p[2] + s[1], p[3] + s[2]];
  });
  return { ...c, input: { ...c.input, coords: mv(c.input.coords) }, ...(c.outputCoords ? { outputCoords: mv(c.outputCoords) } : {}) };
}

/** The case's cloud twice: batch 0 and a copy in batch 1 (same features). */
function twoBatches(c: LayerCase): LayerCase {
  const dup = (l: Coord[]) => [...l, ...l.map((p): Coord => [1, p[1], p[2], p[3]])];
  return {
    ...c,
    input: { coords: dup(c.input.coords), features: [...c.input.features, ...c.input.features] },
    ...(c.outputCoords ? { outputCoords: dup(c.outputCoords) } : {}),
  };
}

const FAR: Shift = [800_000, -800_000, 800_000];
// Odd translations: a shift that ignored the conv's output grid (tensor stride 2) would change
// floor(c / 2) and therefore the result.
const ODD: Record<number, Shift> = { 0: [800_001, -799_999, 800_003], 1: [-800_001, 799_997, -800_005] };

describe('georeferenced clouds on the fpga preset', () => {
  it(
    'sim: bunny submanifold k=3 16→16 (+8·10⁵, −8·10⁵, +8·10⁵), requant + ReLU, bit-exact',
    async () => {
      const c = georef(bunnyCase(spec, { voxel: 0.25, type: 'submanifold', k: 3, cin: 16, cout: 16, requant: true, relu: true }), { 0: FAR });
      expect(c.input.coords.some((p) => p[1] > 2 ** 15)).toBe(true);
      const r = await expectBitExact(spec, c, 'georef-sub3');
      expect(r.rebase.shifts.size).toBe(1);
      expect(r.result.coords[0]![1]).toBeGreaterThan(700_000);
    },
    ACCEL_TIMEOUT_MS,
  );

  it(
    'sim: conv k=2 s=2 and transposed k=2 s=2, two batches translated in opposite directions by odd amounts',
    async () => {
      const conv = georef(twoBatches(bunnyCase(spec, { voxel: 0.5, type: 'conv', k: 2, s: 2, cin: 16, cout: 16, requant: true })), ODD);
      const rc = await expectBitExact(spec, conv, 'georef-conv2');
      expect(rc.rebase.shifts.size).toBe(2);
      for (const s of rc.rebase.shifts.values()) for (const v of s) expect(Math.abs(v % 2)).toBe(0);
      // Transposed: the given output coordinates move with the inputs (aligned to the input tensor stride 2).
      const tr = georef(twoBatches(bunnyCase(spec, { voxel: 0.5, type: 'transposed', k: 2, s: 2, cin: 8, cout: 16 })), { 0: [-800_000, 800_002, -800_004], 1: FAR });
      const rt = await expectBitExact(spec, tr, 'georef-tr2');
      expect(rt.rebase.shifts.size).toBe(2);
    },
    ACCEL_TIMEOUT_MS,
  );

  it(
    'net sim: a U-Net with every node kind on a cloud whose two batches lie 8·10⁵ voxels out in opposite directions, bit-exact at every node',
    async () => {
      const base = tinyInput();
      const input = { ...base, coords: base.coords.map((p): Coord => (p[0] === 0 ? [0, p[1] + 800_001, p[2] - 799_999, p[3] + 800_003] : [1, p[1] - 800_001, p[2] + 800_005, p[3] - 799_997])) };
      const r = await simulateNetwork(spec, tinyUNet(), input, { stall: 0.2, seed: 5, all: true });
      expect(r.report.match, r.report.firstMismatch?.report).toBe(true);
      expect(r.result).toEqual(runNetwork(tinyUNet(), input, { all: true, widths: spec.arithmetic }).result);
      expect(r.report.nodes.filter((n) => n.where === 'accelerator').length).toBeGreaterThanOrEqual(4);
    },
    ACCEL_TIMEOUT_MS,
  );

  it(
    'sim-map: the same clouds, every map entry and downsampled coordinate (in the original frame)',
    async () => {
      const bin = () => binaryFor(spec);
      const cases = [
        georef(bunnyCase(spec, { voxel: 0.25, type: 'submanifold', k: 3, cin: 1, cout: 1 }), { 0: FAR }),
        georef(twoBatches(bunnyCase(spec, { voxel: 0.5, type: 'conv', k: 2, s: 2, cin: 1, cout: 1 })), ODD),
        georef(twoBatches(bunnyCase(spec, { voxel: 0.5, type: 'transposed', k: 2, s: 2, cin: 1, cout: 1 })), { 0: [-800_000, 800_002, -800_004], 1: FAR }),
      ];
      for (const c of cases) {
        const r = await runMappingCase(spec, bin, jobFromCase(c), { seed: 3, stallIn: 200, stallOut: 200 });
        expect(r.mismatches, c.layer.type).toEqual([]);
        expect(r.ok).toBe(true);
        expect(r.tiles).toHaveLength(1);
        expect(r.outPoints).toBe(runLayer(c).result.coords.length);
        if (c.layer.type === 'conv') expect(r.tiles[0]!.result.outCoords).toEqual(r.golden.outCoords);
      }
    },
    ACCEL_TIMEOUT_MS,
  );

  it(
    'CLI: sim and sim-map on a georeferenced case file; an extent wider than 16 bits runs in tiles re-based one by one',
    async () => {
      const c = georef(bunnyCase(spec, { voxel: 0.5, type: 'conv', k: 2, s: 2, cin: 4, cout: 8 }), { 0: ODD[0]! });
      await writeLayerCaseFile(join(dir, 'geo.json'), c);
      const sim = await cli('sim', 'geo.json', '--preset', 'fpga', '-o', 'geo.result.json');
      expect(sim.stderr).toBe('');
      expect(sim.exitCode).toBe(0);
      expect(sim.stdout).toContain('RTL matches the golden model');
      expect(compareResults(runLayer(c).result, await readLayerResultFile(join(dir, 'geo.result.json'))).equal).toBe(true);
      const map = await cli('sim-map', 'geo.json', '--preset', 'fpga');
      expect(map.stderr).toBe('');
      expect(map.exitCode).toBe(0);
      expect(map.stdout).toContain('RTL matches the golden model');
      // run: a georeferenced PLY (the bunny 2·10⁵ units = 8·10⁵ voxels of 0.25 away, doubles) voxelized and simulated in one step.
      const pts = bunnyPoints().map((v, i) => v + (i % 3 === 1 ? -200_000 : 200_000));
      writeFileSync(join(dir, 'geo.ply'), writePlyBinary(pts, 'float64'));
      const run = await cli('run', '--ply', 'geo.ply', '--voxel', '0.25', '--layer', 'submanifold', '--kernel', '3', '--cin', '4', '--cout', '4', '--requant', '--preset', 'fpga', '--save-case', 'geo-run.json');
      expect(run.stderr).toBe('');
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toContain('RTL matches the golden model');
      const saved = await readLayerCaseFile(join(dir, 'geo-run.json'));
      expect(Math.min(...saved.input.coords.map((p) => p[1]))).toBeGreaterThan(700_000);
      expect(Math.max(...saved.input.coords.map((p) => p[2]))).toBeLessThan(-700_000);
      // Two points 70,000 voxels apart: no 16-bit translation holds both; the tile planner bounds each
      // tile's extent and each tile is re-based on its own (issue 11).
      const wide = { ...c, input: { coords: [[0, 0, 0, 0], [0, 70_000, 0, 0]] as Coord[], features: [c.input.features[0]!, c.input.features[1]!] } };
      await writeLayerCaseFile(join(dir, 'wide.json'), wide);
      for (const cmd of ['sim', 'sim-map']) {
        const r = await cli(cmd, 'wide.json', '--preset', 'fpga');
        expect(r.stderr, cmd).toBe('');
        expect(r.exitCode, cmd).toBe(0);
        expect(r.stdout, cmd).toContain('RTL matches the golden model');
        expect(r.stdout, cmd).toMatch(/2 tiles/);
      }
    },
    ACCEL_TIMEOUT_MS,
  );
});

/** A dense x-major block of n points: 30 × 30 columns per x. */
function block(n: number): Coord[] {
  const out: Coord[] = [];
  for (let x = 0; out.length < n; x++) for (let y = 0; y < 30 && out.length < n; y++) for (let z = 0; z < 30 && out.length < n; z++) out.push([0, x, y, z]);
  return out;
}

describe('sim-map on clouds larger than the coordinate buffers (issue 12 reproductions)', () => {
  it(
    '20,147 input points on fpga (coordDepth 4096): tiled, every entry checked, not STREAM_PROTOCOL',
    async () => {
      const coords = block(20_147);
      const c: LayerCase = {
        layer: { type: 'submanifold', kernelSize: 3, stride: 1, inTensorStride: 1, inChannels: 1, outChannels: 1 },
        input: { coords, features: coords.map(() => [1]) },
        weights: Array.from({ length: 27 }, () => [[1]]),
      };
      await writeLayerCaseFile(join(dir, 'big.json'), c);
      const r = await cli('sim-map', 'big.json', '--preset', 'fpga', '--json');
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      const doc = JSON.parse(r.stdout);
      expect(doc).toMatchObject({ inputPoints: 20_147, outputPoints: 20_147, match: true, error: null });
      expect(doc.tiles).toBeGreaterThan(4);
      const golden = runLayer(c);
      expect(doc.totalEntries).toBe(golden.map.pairs.reduce((a, p) => a + p.output.length, 0));
    },
    ACCEL_TIMEOUT_MS,
  );

  it(
    'transposed, 8,592 given output points: tiled by output, the printed count is 8592 (not 400)',
    async () => {
      const out = block(8_592);
      const seen = new Map<string, Coord>();
      for (const p of out) {
        const q: Coord = [0, Math.floor(p[1] / 2) * 2, Math.floor(p[2] / 2) * 2, Math.floor(p[3] / 2) * 2];
        seen.set(q.join(), q);
      }
      const inCoords = [...seen.values()].sort(compareCoords);
      const c: LayerCase = {
        layer: { type: 'transposed', kernelSize: 2, stride: 2, inTensorStride: 2, inChannels: 1, outChannels: 1 },
        input: { coords: inCoords, features: inCoords.map(() => [1]) },
        weights: Array.from({ length: 8 }, () => [[1]]),
        outputCoords: out,
      };
      await writeLayerCaseFile(join(dir, 'tr.json'), c);
      const r = await cli('sim-map', 'tr.json', '--preset', 'fpga');
      expect(r.stderr).toBe('');
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain(`input points ${inCoords.length}, output points 8592 (given)`);
      expect(r.stdout).toMatch(/\d+ tiles/);
      expect(r.stdout).toContain('RTL matches the golden model');
    },
    ACCEL_TIMEOUT_MS,
  );
});
