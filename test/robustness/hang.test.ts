// Hang detection: a DUT that stops making progress ends the co-simulation with a clear error and
// a waveform (harness watchdog, exit 3; cosim reruns the same seeds with --trace-fst), the idle
// limit is set from TypeScript (`run.idleCycles` / RunOptions.idleCycles), and backpressure —
// a sink that is not ready for a long but bounded time — is not mistaken for a hang.
//
// The stuck DUT is the matrix unit of the `tiny` test top (the build test/sim already caches):
// two complete passes, then a third weight tile that never closes (no tlast on its last row), so
// the unit finishes the first passes and then waits forever for a tile it was promised.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { CosimMismatchError } from '../../generator/sim/compare.ts';
import { cosim, RUNS_ROOT } from '../../generator/sim/cosim.ts';
import { encodeMatrixCase, expectedMatrix, randomMatrixCase } from '../../generator/sim/matrix.ts';
import { runSim, type RunSummary } from '../../generator/sim/run.ts';
import { TB_AXIL } from '../../generator/sim/tb.ts';
import { buildConfig, CONFIG_TIMEOUT_MS } from '../sim/configs.ts';

const tiny = { name: 'tiny', spec: presets.tiny };

async function stuckCase() {
  const b = await buildConfig(tiny);
  const { tb } = b;
  const c = randomMatrixCase(tb.matrix, 31, { passes: 3, maxRows: 6, shortTiles: 0 });
  const enc = encodeMatrixCase(c, tb.streams.w, tb.streams.x);
  // The third tile never closes.
  enc.w[enc.w.length - 1]!.last = false;
  const rowsBefore = c.passes[0]!.rows.length + c.passes[1]!.rows.length;
  const inputs = { w: { beats: enc.w, width: tb.streams.w.width }, x: { beats: enc.x, width: tb.streams.x.width } };
  return { b, tb, c, enc, inputs, rowsBefore, expected: expectedMatrix(tb.matrix, c) };
}

function summaryOf(dir: string): RunSummary {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as RunSummary;
}

describe('hang detection', () => {
  it(
    'a stuck DUT ends the co-simulation with a no-progress error naming the pending beats, and an FST waveform',
    async () => {
      const s = await stuckCase();
      const idle = 400;
      const caseName = 'robustness-hang-matrix';
      let err: unknown;
      try {
        await cosim({
          caseName,
          build: s.b.buildOptions,
          run: { seed: 13, stall: 0.2, idleCycles: idle, inputs: s.inputs },
          checks: [{ stream: 'y', layout: s.tb.streams.y, expected: s.expected }],
          log: () => {},
        });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CosimMismatchError);
      const e = err as CosimMismatchError;
      const total = s.expected.length;
      // The report: what happened, where the run stopped, what was pending, the waveform, how to reproduce.
      expect(e.report).toMatch(new RegExp(`^co-simulation failure in case ${caseName} \\(seed 13, x-seed \\d+, stall 0\\.2\\)`));
      expect(e.report).toMatch(new RegExp(`harness: no-progress: no handshake on any port for ${idle} cycles \\(at cycle \\d+\\)`));
      expect(e.report).toContain(`source w ${s.enc.w.length}/${s.enc.w.length};`);
      expect(e.report).toContain(`source x ${s.rowsBefore}/${s.enc.x.length};`);
      expect(e.report).toContain(`sink y ${s.rowsBefore}/${total};`);
      // The rows that never came out are listed as missing, from the first one on.
      expect(e.mismatches[0]).toMatchObject({ stream: 'y', beat: s.rowsBefore, field: 'beat', actual: 'none (missing)' });
      expect(e.mismatches).toHaveLength(total - s.rowsBefore);
      expect(e.report).toMatch(/waveform: \S+wave\.fst/);
      expect(e.report).toMatch(new RegExp(`reproduce: \\S+ .*--idle-cycles ${idle} .*--trace \\S+wave\\.fst`));
      expect(e.waveform).toBeDefined();
      expect(existsSync(e.waveform!)).toBe(true);
      expect(statSync(e.waveform!).size).toBeGreaterThan(1000);

      // The traced rerun hung the same way at the same cycle: the waveform shows this hang.
      const dir = join(RUNS_ROOT, caseName);
      const first = summaryOf(dir);
      const traced = summaryOf(join(dir, 'trace'));
      expect(first.status).toBe('no-progress');
      expect(traced.status).toBe('no-progress');
      expect(traced.cycles).toBe(first.cycles);
      expect(traced.error).toBe(first.error);
      // It stopped `idle` cycles after the last handshake.
      const last = Math.max(...Object.values(first.ports).map((p) => p.lastCycle));
      expect(first.cycles - last).toBeGreaterThanOrEqual(idle);
      expect(first.cycles - last).toBeLessThanOrEqual(idle + 2);
    },
    CONFIG_TIMEOUT_MS,
  );

  it(
    'the idle-cycle limit is set from TypeScript: the run ends exactly that many cycles after the last handshake',
    async () => {
      const s = await stuckCase();
      const run = (idleCycles: number) =>
        runSim(s.b.build.binary, {
          workDir: join(RUNS_ROOT, `robustness-hang-idle-${idleCycles}`),
          inputs: s.inputs,
          outputs: ['y'],
          expect: { y: s.expected.length },
          seed: 5,
          stall: 0.3,
          idleCycles,
        });
      const [short, long] = await Promise.all([run(150), run(2_000)]);
      for (const [r, idle] of [[short, 150], [long, 2_000]] as const) {
        expect(r.ok).toBe(false);
        expect(r.exitCode).toBe(3);
        expect(r.summary.status).toBe('no-progress');
        expect(r.summary.error).toContain(`no handshake on any port for ${idle} cycles`);
        expect(r.outputs.y).toHaveLength(s.rowsBefore);
      }
      // Same seed, same stimulus: the same last handshake; only the limit differs.
      expect(long.cycles - short.cycles).toBe(2_000 - 150);
      expect(long.outputs.y).toEqual(short.outputs.y);
    },
    CONFIG_TIMEOUT_MS,
  );

  it(
    'a DUT stuck behind a STATUS poll is a hang: poll reads that return another value are not progress',
    async () => {
      const s = await stuckCase();
      const idle = 500;
      // Wait for STATUS bit 0 (tile_err_o), which the stuck matrix unit never raises.
      const r = await runSim(s.b.build.binary, {
        workDir: join(RUNS_ROOT, 'robustness-hang-poll'),
        inputs: s.inputs,
        outputs: ['y'],
        axil: [`p ${TB_AXIL.status.toString(16)} 1 1`],
        seed: 7,
        stall: 0.2,
        idleCycles: idle,
        maxCycles: 1_000_000,
      });
      expect(r.ok).toBe(false);
      expect(r.summary.status).toBe('no-progress');
      // The poll kept reading to the end, yet the run stopped `idle` cycles after the last stream handshake.
      expect(r.summary.axilTransactions).toBeGreaterThan(idle / 10);
      const last = Math.max(...Object.values(r.summary.ports).map((p) => p.lastCycle));
      expect(r.summary.cycles - last).toBeGreaterThanOrEqual(idle);
      expect(r.summary.cycles - last).toBeLessThanOrEqual(idle + 2);
      expect(r.outputs.y).toHaveLength(s.rowsBefore);
    },
    CONFIG_TIMEOUT_MS,
  );

  it(
    'a sink that is not ready for long stretches is backpressure, not a hang',
    async () => {
      const b = await buildConfig(tiny);
      const { tb } = b;
      const c = randomMatrixCase(tb.matrix, 32, { passes: 4, maxRows: 8 });
      const enc = encodeMatrixCase(c, tb.streams.w, tb.streams.x);
      // y is ready one cycle in ten: everything upstream stalls behind it for tens of cycles at a
      // time, yet the run completes under a 300-cycle idle limit.
      const r = await cosim({
        caseName: 'robustness-backpressure',
        build: b.buildOptions,
        run: {
          seed: 17,
          stall: 0.3,
          stallPorts: { y: 0.9 },
          idleCycles: 300,
          inputs: { w: { beats: enc.w, width: tb.streams.w.width }, x: { beats: enc.x, width: tb.streams.x.width } },
        },
        checks: [{ stream: 'y', layout: tb.streams.y, expected: expectedMatrix(tb.matrix, c) }],
        log: () => {},
      });
      expect(r.result.summary.status).toBe('ok');
      const beats = r.result.outputs.y!;
      const gaps = beats.slice(1).map((b, i) => b.cycle - beats[i]!.cycle);
      expect(Math.max(...gaps)).toBeGreaterThan(20);
    },
    CONFIG_TIMEOUT_MS,
  );
});
