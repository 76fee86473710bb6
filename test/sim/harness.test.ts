// The co-simulation framework itself: AXI-Lite master, watchdog, throughput/latency of both
// units at full speed (double-buffered tiles: no bubble between passes), the mismatch report with
// its waveform, and the missing-toolchain error.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { presets } from '../../generator/dsl/presets.ts';
import { CosimMismatchError } from '../../generator/sim/compare.ts';
import { cosim, RUNS_ROOT } from '../../generator/sim/cosim.ts';
import { packBeat } from '../../generator/sim/layout.ts';
import { encodeMatrixCase, expectedMatrix, randomMatrixCase, type MatrixCase } from '../../generator/sim/matrix.ts';
import { encodePostprocBeats, expectedPostproc, randomPostprocBeats } from '../../generator/sim/postproc.ts';
import { runSim } from '../../generator/sim/run.ts';
import { TB_AXIL } from '../../generator/sim/tb.ts';
import { ensureToolchain, ToolMissingError } from '../../generator/sim/toolchain.ts';
import { buildConfig, CONFIG_TIMEOUT_MS } from './configs.ts';

const tiny = { name: 'tiny', spec: presets.tiny };
const fpga = { name: 'fpga', spec: presets.fpga };

describe('co-simulation harness', () => {
  it(
    'AXI-Lite master: writes, reads, polls, error responses, under response stalls',
    async () => {
      const b = await buildConfig(tiny);
      const { tb } = b;
      // A weight tile one row too long: the matrix unit drops the extra beat and raises tile_err_o,
      // which the test top shows in its status register.
      const rows = tb.matrix.rows;
      const w = Array.from({ length: rows + 1 }, (_, i) => ({
        data: packBeat(tb.streams.w, { w: Array.from({ length: tb.matrix.cols }, () => i) }),
        last: i === rows,
      }));
      const hex = (n: number) => n.toString(16);
      const r = await runSim(b.build.binary, {
        workDir: join(RUNS_ROOT, 'harness-axil'),
        inputs: { w: { beats: w, width: tb.streams.w.width } },
        outputs: ['y', 'z'],
        expect: { y: 0, z: 0 },
        seed: 5,
        stall: 0.2,
        stallPorts: { axil: 0.6 },
        axil: [
          `r ${hex(TB_AXIL.status)}`,
          `w ${hex(TB_AXIL.scratch[0]!)} deadbeef`,
          `w ${hex(TB_AXIL.scratch[3]!)} 12345678`,
          `r ${hex(TB_AXIL.scratch[0]!)}`,
          `r ${hex(TB_AXIL.scratch[3]!)}`,
          `p ${hex(TB_AXIL.id)} ffffffff ${hex(TB_AXIL.idValue)}`,
          `w 40 1`,
          `r 44`,
          's',
          'd 5',
          `p ${hex(TB_AXIL.status)} 1 1`,
        ],
      });
      expect(r.summary.status).toBe('ok');
      expect(r.ok).toBe(true);
      const log = r.axil.map((e) => [e.op, e.addr, Number(e.data), e.resp]);
      expect(log).toEqual([
        ['r', TB_AXIL.status, 0, 0],
        ['w', TB_AXIL.scratch[0], 0xdeadbeef, 0],
        ['w', TB_AXIL.scratch[3], 0x12345678, 0],
        ['r', TB_AXIL.scratch[0], 0xdeadbeef, 0],
        ['r', TB_AXIL.scratch[3], 0x12345678, 0],
        ['p', TB_AXIL.id, TB_AXIL.idValue, 0],
        ['w', 0x40, 1, 2],
        ['r', 0x44, 0, 2],
        ['p', TB_AXIL.status, 1, 0],
      ]);
      // Cycles are increasing.
      for (let i = 1; i < r.axil.length; i++) expect(r.axil[i]!.cycle).toBeGreaterThan(r.axil[i - 1]!.cycle);
    },
    CONFIG_TIMEOUT_MS,
  );

  it(
    'watchdog: a stream that never drains ends the run with the pending beats named',
    async () => {
      const b = await buildConfig(tiny);
      const { tb } = b;
      // Activations without any weight tile are never accepted.
      const x = [0, 1, 2].map((i) => ({ data: packBeat(tb.streams.x, { x: new Array(tb.matrix.rows).fill(i), tag: i }), last: i === 2 }));
      const r = await runSim(b.build.binary, {
        workDir: join(RUNS_ROOT, 'harness-watchdog'),
        inputs: { x: { beats: x, width: tb.streams.x.width } },
        outputs: ['y'],
        expect: { y: 3 },
        seed: 1,
        idleCycles: 300,
      });
      expect(r.ok).toBe(false);
      expect(r.exitCode).toBe(3);
      expect(r.summary.status).toBe('no-progress');
      expect(r.summary.error).toMatch(/no handshake on any port for 300 cycles/);
      expect(r.summary.error).toContain('source x 0/3');
      expect(r.summary.error).toContain('sink y 0/3');

      const m = await runSim(b.build.binary, {
        workDir: join(RUNS_ROOT, 'harness-maxcycles'),
        inputs: { x: { beats: x, width: tb.streams.x.width } },
        outputs: ['y'],
        expect: { y: 3 },
        seed: 1,
        maxCycles: 100,
      });
      expect(m.exitCode).toBe(4);
      expect(m.summary.status).toBe('max-cycles');
    },
    CONFIG_TIMEOUT_MS,
  );

  it(
    'matrix unit at full speed: one row per cycle across back-to-back tiles, latency as derived',
    async () => {
      const b = await buildConfig(fpga);
      const { tb } = b;
      const d = tb.matrix;
      // Passes at least as long as a tile load: with double buffering the next tile is ready
      // when a pass ends, so rows flow without a bubble.
      const base = randomMatrixCase(d, 77, { passes: 6, maxRows: 1, shortTiles: 0 });
      const c: MatrixCase = {
        passes: base.passes.map((p, i) => ({
          tile: p.tile,
          rows: Array.from({ length: d.rows + 3 + i }, (_, k) => ({ x: new Array(d.rows).fill((k % 7) - 3), tag: k })),
        })),
      };
      const enc = encodeMatrixCase(c, tb.streams.w, tb.streams.x);
      const expected = expectedMatrix(d, c);
      const r = await cosim({
        caseName: 'harness-matrix-throughput',
        build: b.buildOptions,
        run: { seed: 3, stall: 0, inputs: { w: { beats: enc.w, width: tb.streams.w.width }, x: { beats: enc.x, width: tb.streams.x.width } } },
        checks: [{ stream: 'y', layout: tb.streams.y, expected }],
      });
      const p = r.result.summary.ports;
      expect(p.x!.lastCycle - p.x!.firstCycle).toBe(enc.x.length - 1);
      expect(p.y!.lastCycle - p.y!.firstCycle).toBe(expected.length - 1);
      expect(p.y!.firstCycle - p.x!.firstCycle).toBe(d.latencyToOutput);
      // The first pass starts once its tile is loaded (one beat of buffers.weightReadRows rows per
      // cycle: rows / R beats).
      expect(p.x!.firstCycle).toBe(d.rows / d.wReadRows);
    },
    CONFIG_TIMEOUT_MS,
  );

  it(
    'post-processing at full speed: one beat per cycle, latency as derived',
    async () => {
      const b = await buildConfig(fpga);
      const { tb } = b;
      const beats = randomPostprocBeats(tb.postproc, 9, 100);
      const r = await cosim({
        caseName: 'harness-postproc-throughput',
        build: b.buildOptions,
        run: { seed: 4, stall: 0, inputs: { a: { beats: encodePostprocBeats(tb.postproc, tb.streams.a, beats), width: tb.streams.a.width } } },
        checks: [{ stream: 'z', layout: tb.streams.z, expected: expectedPostproc(tb.postproc, beats) }],
      });
      const p = r.result.summary.ports;
      expect(p.a!.lastCycle - p.a!.firstCycle).toBe(99);
      expect(p.z!.lastCycle - p.z!.firstCycle).toBe(99);
      expect(p.z!.firstCycle - p.a!.firstCycle).toBe(tb.postproc.latencyToOutput);
    },
    CONFIG_TIMEOUT_MS,
  );

  it(
    'a wrong expectation gives a report with case, seed, cycle, row, channel, expected, actual and a waveform',
    async () => {
      const b = await buildConfig(tiny);
      const { tb } = b;
      const c = randomMatrixCase(tb.matrix, 5, { passes: 3, maxRows: 5 });
      const enc = encodeMatrixCase(c, tb.streams.w, tb.streams.x);
      const expected = expectedMatrix(tb.matrix, c);
      const victim = Math.min(3, expected.length - 1);
      const good = Number(expected[victim]!.fields.y![2]);
      expected[victim]!.fields.y![2] = good + 1;
      let err: unknown;
      try {
        await cosim({
          caseName: 'harness-wrong-expectation',
          build: b.buildOptions,
          run: { seed: 42, stall: 0.3, inputs: { w: { beats: enc.w, width: tb.streams.w.width }, x: { beats: enc.x, width: tb.streams.x.width } } },
          checks: [{ stream: 'y', layout: tb.streams.y, expected }],
          log: () => {},
        });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CosimMismatchError);
      const e = err as CosimMismatchError;
      expect(e.mismatches).toHaveLength(1);
      const m = e.mismatches[0]!;
      expect(m.stream).toBe('y');
      expect(m.beat).toBe(victim);
      expect(m.channel).toBe(2);
      expect(m.field).toBe('y');
      expect(m.expected).toBe(String(good + 1));
      expect(m.actual).toBe(String(good));
      expect(m.cycle).toBeGreaterThan(0);
      expect(m.where).toMatch(/^pass \d+, row \d+$/);
      expect(e.report).toContain('case harness-wrong-expectation');
      expect(e.report).toContain('seed 42');
      expect(e.report).toContain(`cycle ${m.cycle}`);
      expect(e.report).toContain(m.where);
      expect(e.report).toContain('channel 2');
      expect(e.report).toContain(`expected ${good + 1}, actual ${good}`);
      expect(e.report).toMatch(/x-seed \d+/);
      expect(e.report).toMatch(/waveform: \S+\.fst/);
      expect(e.waveform).toBeDefined();
      expect(existsSync(e.waveform!)).toBe(true);
      expect(statSync(e.waveform!).size).toBeGreaterThan(100);
    },
    CONFIG_TIMEOUT_MS,
  );
});

describe('toolchain', () => {
  const saved = process.env.SPARSEFORGE_VERILATOR;
  afterEach(() => {
    if (saved === undefined) delete process.env.SPARSEFORGE_VERILATOR;
    else process.env.SPARSEFORGE_VERILATOR = saved;
  });

  it('a missing Verilator is a clear error with the install command', async () => {
    process.env.SPARSEFORGE_VERILATOR = '/nonexistent/verilator';
    await expect(ensureToolchain()).rejects.toThrow(ToolMissingError);
    await expect(ensureToolchain()).rejects.toThrow(/apt-get install -y verilator/);
  });

  it('reports every missing tool at once', async () => {
    process.env.SPARSEFORGE_VERILATOR = '/nonexistent/verilator';
    const savedYosys = process.env.SPARSEFORGE_YOSYS;
    process.env.SPARSEFORGE_YOSYS = '/nonexistent/yosys';
    try {
      await expect(ensureToolchain(['yosys'])).rejects.toThrow(/apt-get install -y verilator yosys/);
    } finally {
      if (savedYosys === undefined) delete process.env.SPARSEFORGE_YOSYS;
      else process.env.SPARSEFORGE_YOSYS = savedYosys;
    }
  });

  it('finds the installed toolchain', async () => {
    const tc = await ensureToolchain();
    expect(tc.verilator).toMatch(/^Verilator \d+\.\d+/);
  });
});
