// Benchmark: Verilator co-simulation of the fpga matrix unit (16×16, INT8) behind AXI4-Streams
// (issue target: ≥ 300 k simulated cycles/s on one core), and the Verilator build time.
//  - builds (speed profile, verilator/speed.f): cold (empty ccache, fresh build folder), warm
//    (ccache populated, fresh build folder) and a build-cache hit; CPU time counts the children
//    (verilator, make, g++) through /proc, wall time beside it;
//  - simulated cycles/s of the harness's cycle loop (reset, stimulus, DUT evaluation,
//    handshakes; CPU time measured by the harness itself), streaming 200 k gathered rows
//    through 50 back-to-back tiles: at full speed, at full speed writing every response to a
//    file, and with 30 % random stalls on every port. The whole harness process (stimulus
//    parsing included) is reported beside it as `process` results.
// Run through `npm run bench` (bench/run.ts), or alone: `npx tsx bench/run.ts sim`.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { presets } from '../generator/dsl/presets.ts';
import { buildSim, type BuildOptions } from '../generator/sim/build.ts';
import { packBeat } from '../generator/sim/layout.ts';
import { Prng, randomSigned } from '../generator/sim/random.ts';
import { PROJECT_ROOT, renderModules } from '../generator/sim/render.ts';
import { runSim, writeBeats } from '../generator/sim/run.ts';
import { deriveSimTop, MATRIX_TOP_TEMPLATES, matrixTopBinding } from '../generator/sim/tb.ts';
import { ensureToolchain } from '../generator/sim/toolchain.ts';
import { machine, median, target, type Bench, type BenchResult, type Measurement } from './harness.ts';

export const TARGET_CYCLES_PER_SEC = 300_000;
const PASSES = 50;
const ROWS_PER_PASS = 4000;
const RUNS = 3;

/** CPU milliseconds of this process plus its waited-for children (Linux /proc; self only elsewhere). */
function cpuMsWithChildren(): number {
  const self = process.cpuUsage();
  let children = 0;
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    children = ((Number(rest[13]) + Number(rest[14])) * 1000) / 100; // cutime + cstime, USER_HZ 100
  } catch {
    // not Linux
  }
  return (self.user + self.system) / 1000 + children;
}

function msResult(name: string, workUnit: string, cpuMs: number, wallMs: number): BenchResult {
  const timing: Measurement = { wallMs, cpuMs, runs: 1, warmup: 0 };
  return { name, value: cpuMs, wallValue: wallMs, unit: 'ms', work: 1, workUnit, timing };
}

const bench: Bench = {
  name: 'sim',
  description: 'Verilator co-simulation of the fpga matrix unit: simulated cycles/s on one core, build time cold / warm ccache / cache hit',
  async run(log) {
    const m = machine();
    const tc = await ensureToolchain();
    const spec = presets.fpga;
    const tb = deriveSimTop(spec);
    const dir = join(PROJECT_ROOT, '.cache', 'bench-sim');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const ccacheDir = join(dir, 'ccache');
    const build: BuildOptions = {
      files: renderModules(spec, MATRIX_TOP_TEMPLATES, { tb }),
      top: tb.matrixTopModule,
      binding: matrixTopBinding(tb),
      profile: 'speed',
      cacheDir: join(dir, 'builds'),
      env: { CCACHE_DIR: ccacheDir },
    };
    const results: BenchResult[] = [];
    const timedBuild = async (name: string, force: boolean) => {
      const c0 = cpuMsWithChildren();
      const t0 = performance.now();
      const b = await buildSim({ ...build, force });
      const wall = performance.now() - t0;
      const cpu = cpuMsWithChildren() - c0;
      results.push(msResult(name, 'build', cpu, wall));
      log(`${name}: ${Math.round(wall)} ms wall, ${Math.round(cpu)} ms CPU`);
      return b;
    };
    await timedBuild('build cold (empty ccache)', true);
    await timedBuild('build warm (ccache populated)', true);
    const hit = await timedBuild('build cache hit', false);

    // Stimulus: PASSES tiles and passes of ROWS_PER_PASS rows, rows drawn from a random pool.
    const d = tb.matrix;
    const prng = new Prng(1);
    const wBeats: { data: bigint; last: boolean }[] = [];
    for (let p = 0; p < PASSES; p++) {
      for (let r = 0; r < d.rows; r++) {
        const w = Array.from({ length: d.cols }, () => Number(randomSigned(prng, d.weightWidth)));
        wBeats.push({ data: packBeat(tb.streams.w, { w }), last: r === d.rows - 1 });
      }
    }
    const pool = Array.from({ length: 512 }, (_, i) =>
      packBeat(tb.streams.x, { x: Array.from({ length: d.rows }, () => Number(randomSigned(prng, d.inWidth))), tag: i % 2 ** d.tagWidth }),
    );
    const xBeats: { data: bigint; last: boolean }[] = [];
    for (let p = 0; p < PASSES; p++) {
      for (let i = 0; i < ROWS_PER_PASS; i++) xBeats.push({ data: pool[(p * 7 + i) % pool.length]!, last: i === ROWS_PER_PASS - 1 });
    }
    const rows = xBeats.length;
    const stimDir = join(dir, 'stim');
    mkdirSync(stimDir, { recursive: true });
    writeBeats(join(stimDir, 'w.in'), wBeats, tb.streams.w.width);
    writeBeats(join(stimDir, 'x.in'), xBeats, tb.streams.x.width);
    const files = { w: { file: join(stimDir, 'w.in') }, x: { file: join(stimDir, 'x.in') } };

    const scenarios = [
      { name: 'full speed', stall: 0, capture: false },
      { name: 'full speed, responses to a file', stall: 0, capture: true },
      { name: '30 % stalls on every port', stall: 0.3, capture: false },
    ];
    let fullSpeed: BenchResult | undefined;
    for (const [si, s] of scenarios.entries()) {
      const loopWall: number[] = [];
      const loopCpu: number[] = [];
      const procWall: number[] = [];
      let cycles = 0;
      for (let k = 0; k < RUNS; k++) {
        const r = await runSim(hit.binary, {
          workDir: join(dir, `run-${si}`),
          inputs: files,
          outputs: s.capture ? ['y'] : [],
          expect: { y: rows },
          seed: 1 + k,
          stall: s.stall,
        });
        if (!r.ok) throw new Error(`bench run failed: ${r.summary.status} ${r.summary.error}`);
        if (r.summary.ports.y!.beats !== rows) throw new Error(`bench run produced ${r.summary.ports.y!.beats} results, expected ${rows}`);
        cycles = r.summary.cycles + r.summary.resetCycles;
        loopWall.push(r.summary.simMs);
        loopCpu.push(r.summary.simCpuMs);
        procWall.push(r.summary.wallMs);
      }
      const loop: Measurement = { wallMs: median(loopWall), cpuMs: median(loopCpu), runs: RUNS, warmup: 0 };
      const res: BenchResult = {
        name: `cycles/s, ${s.name}`,
        value: cycles / loop.cpuMs * 1000,
        wallValue: cycles / loop.wallMs * 1000,
        unit: 'cycles/s',
        work: cycles,
        workUnit: 'simulated cycles',
        timing: loop,
      };
      results.push(res);
      fullSpeed ??= res;
      const proc: Measurement = { wallMs: median(procWall), cpuMs: median(procWall), runs: RUNS, warmup: 0 };
      results.push({
        name: `cycles/s, ${s.name}, whole process`,
        value: cycles / proc.wallMs * 1000,
        wallValue: cycles / proc.wallMs * 1000,
        unit: 'cycles/s',
        work: cycles,
        workUnit: 'simulated cycles (stimulus parsing and response writing included; wall clock)',
        timing: proc,
      });
      log(`${s.name}: ${cycles} cycles, loop ${Math.round(loop.cpuMs)} ms CPU / ${Math.round(loop.wallMs)} ms wall, process ${Math.round(proc.wallMs)} ms`);
    }
    rmSync(dir, { recursive: true, force: true });
    const targets = [
      target('fpga matrix unit co-simulation speed', 'cycles/s, full speed', '>=', TARGET_CYCLES_PER_SEC, 'cycles/s', fullSpeed!.value, fullSpeed!.wallValue),
    ];
    return {
      ...m,
      method:
        'one speed build of the fpga matrix unit alone behind AXI4-Streams; builds timed once each (cold = empty ccache); ' +
        `simulation figures are medians of ${RUNS} runs of the harness, CPU time of its cycle loop (value) and wall time (wallValue)`,
      workload: {
        preset: 'fpga',
        dut: tb.matrixTopModule,
        rows: d.rows,
        cols: d.cols,
        passes: PASSES,
        rowsPerPass: ROWS_PER_PASS,
        verilator: tc.verilator,
        buildProfile: 'speed',
      },
      results,
      targets,
      pass: targets.every((t) => t.pass),
    };
  },
};

export default bench;
