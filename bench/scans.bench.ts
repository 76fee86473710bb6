// Benchmark: a georeferenced full-size scan on the fpga preset (issue 12). The synthetic LiDAR scan
// of bench/lidar.ts (141,672 voxels, ±1,600 voxels wide) placed 8·10⁵ voxels away from the origin
// — outside the preset's 16-bit coordinates and far larger than its 4,096-point buffers — runs
// through `sim-map` (the mapping engine, tiled by the host, submanifold k = 3 and conv k = 2 s = 2)
// and through `sim` (the complete accelerator, submanifold k = 3, 16 → 16, requantization + ReLU):
// re-based per batch, cut into tiles, merged and compared with the golden model on the
// original coordinates. Records tiles, hardware cycles, wall and CPU time; the target is zero
// mismatches. Run: `npm run bench -- scans` (a few minutes).
import { presets } from '../generator/dsl/presets.ts';
import { buildCase } from '../generator/io/case-builder.ts';
import type { Coord, LayerCase } from '../generator/model/types.ts';
import { runAccelCase } from '../generator/sim/accel/driver.ts';
import { buildMappingSim } from '../generator/sim/mapping/build.ts';
import { jobFromCase } from '../generator/sim/mapping/driver.ts';
import { runMappingCase } from '../generator/sim/mapping/host.ts';
import { machine, target, type Bench, type BenchResult, type Target } from './harness.ts';
import { DEFAULT_SCAN, lidarScan } from './lidar.ts';

const SHIFT: [number, number, number] = [800_000, -800_000, 12_345];

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function far(c: LayerCase): LayerCase {
  const mv = (l: Coord[]) => l.map((p): Coord => [p[0], p[1] + SHIFT[0], p[2] + SHIFT[1], p[3] + SHIFT[2]]);
  return { ...c, input: { ...c.input, coords: mv(c.input.coords) }, ...(c.outputCoords ? { outputCoords: mv(c.outputCoords) } : {}) };
}

function result(name: string, value: number, unit: string, work: number, workUnit: string, wallMs: number, cpu: number): BenchResult {
  return { name, value, wallValue: value, unit, work, workUnit, timing: { wallMs, cpuMs: cpu, runs: 1, warmup: 0 } };
}

const bench: Bench = {
  name: 'scans',
  description: 'georeferenced 141,672-point LiDAR scan on fpga: sim-map and sim re-based and tiled, bit-exact',
  async run(log) {
    const spec = presets.fpga;
    const scan = lidarScan(DEFAULT_SCAN);
    const n = scan.coords.length;
    // The scan as voxel coordinates: build the case from them directly (voxel 1 on integer points).
    const pts = Float64Array.from(scan.coords.flatMap((c) => [c[1] + 0.5, c[2] + 0.5, c[3] + 0.5]));
    const mk = (layer: 'submanifold' | 'conv', kernel: number, stride: number, ch: number, requant: boolean) =>
      far(buildCase({ points: pts, voxel: 1, layer, kernel, stride, cin: ch, cout: ch, requant, relu: requant, seed: 1 }));
    const results: BenchResult[] = [];
    const targets: Target[] = [];
    const runs: Record<string, unknown>[] = [];
    let mismatches = 0;
    const bin = async () => (await buildMappingSim(spec, { profile: 'speed' })).binary;
    for (const [label, c] of [
      ['sim-map submanifold k=3', mk('submanifold', 3, 1, 1, false)],
      ['sim-map conv k=2 s=2', mk('conv', 2, 2, 1, false)],
    ] as const) {
      const w0 = performance.now();
      const c0 = cpuMs();
      const r = await runMappingCase(spec, bin, jobFromCase(c), { seed: 1 });
      const wall = performance.now() - w0;
      const cpu = cpuMs() - c0;
      const cycles = r.counters.PERF_TOTAL_CYCLES ?? 0;
      mismatches += r.ok ? 0 : Math.max(1, r.mismatches.length);
      log(`${label}: ${r.tiles.length} tiles, ${r.entriesPerOffset.reduce((a, b) => a + b, 0)} entries, ${cycles} engine cycles, ${r.ok ? 'match' : `MISMATCH ${r.mismatches[0]}`}, ${(wall / 1000).toFixed(1)} s wall, ${(cpu / 1000).toFixed(1)} s CPU (host process)`);
      runs.push({ label, tiles: r.tiles.length, entries: r.entriesPerOffset.reduce((a, b) => a + b, 0), engineCycles: cycles, match: r.ok, wallMs: Math.round(wall), hostCpuMs: Math.round(cpu) });
      results.push(result(`${label}: engine cycles per input point`, cycles / n, 'cycles/point', n, 'points', wall, cpu));
    }
    {
      const label = 'sim submanifold k=3 16→16 requant+ReLU';
      const c = mk('submanifold', 3, 1, 16, true);
      const w0 = performance.now();
      const c0 = cpuMs();
      const r = await runAccelCase(spec, c, { profile: 'speed', name: 'bench-scans', featuresOnly: false });
      const wall = performance.now() - w0;
      const cpu = cpuMs() - c0;
      mismatches += r.comparison.count;
      const s = r.stats;
      log(`${label}: ${s.tiles} tiles (${s.hwLayers} hardware layer runs), shifts ${JSON.stringify([...r.rebase.shifts])}, ${s.cycles.total} cycles START→DONE, utilisation ${(100 * s.utilisation).toFixed(1)} %, ${s.match ? 'match' : 'MISMATCH'}, ${(wall / 1000).toFixed(1)} s wall`);
      runs.push({ label, tiles: s.tiles, hwLayers: s.hwLayers, shifts: [...r.rebase.shifts], cycles: s.cycles, utilisation: s.utilisation, sim: s.sim, match: s.match, wallMs: Math.round(wall), hostCpuMs: Math.round(cpu) });
      results.push(result(`${label}: accelerator cycles per input point`, s.cycles.total / n, 'cycles/point', n, 'points', wall, cpu));
    }
    targets.push(target('zero mismatches against the golden model on the original coordinates', 'mismatches', '<=', 0, 'mismatches', mismatches, mismatches));
    return {
      ...machine(),
      method:
        'bench/lidar.ts scan (seed 1) translated by (8e5, -8e5, 12345) voxels; sim-map through generator/sim/mapping/host.ts ' +
        '(tiles of the host tile planner, each compared with the golden map of the tile, cores merged and compared with the golden map of the whole scan); ' +
        'sim through runAccelCase (speed build). Hardware cycles from the AXI-Lite counters, summed over tiles; CPU time of the host process (the harness runs in child processes).',
      workload: { points: n, scan: DEFAULT_SCAN, shift: SHIFT, spec: spec.name, coordWidth: spec.mapping.coordWidth, coordDepth: spec.buffers.coordDepth, runs },
      results,
      targets,
      pass: targets.every((x) => x.pass),
    };
  },
};

export default bench;
