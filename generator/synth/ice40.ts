// Real place and route on an open flow: Lattice iCE40 with Yosys `synth_ice40` → nextpnr-ice40
// (→ icepack for a bitstream). nextpnr's timing analysis of the routed design gives the achieved
// Fmax; the same netlist also goes through the static timing estimate (sta.ts with iCE40 delays)
// so that the estimate can be calibrated against the router.
//
// A module has far more ports than an iCE40 has pins, and a pin-to-register path says nothing
// about the design, so every module is wrapped: each input bit comes from a flip-flop of a shift
// chain fed by one pin, each output bit is captured in a flip-flop and shifted out through one
// pin. Every path nextpnr reports for the clock is then register-to-register, as inside the
// accelerator. Results are cached under .cache/pnr/ by a hash of the RTL, the module, the device,
// the seed and the tool versions.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { presets } from '../dsl/presets.ts';
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { configHash } from '../dsl/derive/index.ts';
import { emitAccelerator, writeEmitted } from '../emit/index.ts';
import { rtlSources } from '../emit/lint.ts';
import { parseModules, type ModuleInterface } from '../emit/ports.ts';
import { PROJECT_ROOT } from '../emit/render.ts';
import { runTool, type ToolSpec } from '../emit/tools.ts';
import { ice40Delays } from './delays.ts';
import { analyzeTiming, fmaxMHz, type YosysNetlist } from './sta.ts';
import { hashFiles, yosysTool, yosysVersion } from './yosys.ts';

/** Bumped when the wrapper, the scripts or the parsing change. */
const PNR_VERSION = 1;
export const PNR_CACHE_DIR = join(PROJECT_ROOT, '.cache', 'pnr');
export const WRAPPER_TOP = 'sf_pnr_wrap';

/**
 * The smallest accelerator that fits an iCE40 HX8K (7680 logic cells, 32 block RAMs, no DSPs):
 * a 2×2 array of 4-bit operands, one mapping lane, 3×3×3 kernels of stride 1 (no downsampler
 * ways), 6-bit coordinates, buffers of 64 entries and no requantization multiplier. Its
 * multipliers and FIFOs are logic cells, so logic, not block RAM, is what has to stay small.
 */
export const ICE40_SPEC: AcceleratorSpec = {
  ...presets.tiny,
  name: 'sf_ice40',
  arithmetic: { inWidth: 4, weightWidth: 4, accWidth: 16, outWidth: 4 },
  mapping: { ...presets.tiny.mapping, lanes: 1, maxKernelSize: 3, maxStride: 1, coordWidth: 6, batchWidth: 1 },
  buffers: { coordDepth: 64, featureDepth: 64, weightDepth: 64, accumulatorDepth: 64, mapDepth: 256, keepFeatures: false, w0Interleave: false, weightReadRows: 1 },
  matrix: { ...presets.tiny.matrix, rows: 2, cols: 2, maxChannels: 8 },
  postprocess: { ...presets.tiny.postprocess, requant: false, relu: false },
};

/**
 * ICE40_SPEC with headroom for CI (6,456 of 7,680 logic cells after packing, 84 %, against 7,401;
 * nextpnr's legalisation of the full one takes minutes): the same top, loader, mapping engine,
 * scheduler, gather/scatter, post-processing pipeline and AXI interfaces, restricted to
 * submanifold layers (no downsampler is emitted), 4-bit coordinates, no bias (post-processing
 * passes the accumulators through) and no scatter forwarding (the scatter stalls on a hazard
 * instead). Place and route of ICE40_SPEC itself is in the long suite (ice40-accel.long.test.ts).
 */
export const ICE40_CI_SPEC: AcceleratorSpec = {
  ...ICE40_SPEC,
  name: 'sf_ice40ci',
  mapping: { ...ICE40_SPEC.mapping, layerTypes: ['submanifold'], coordWidth: 4 },
  gatherScatter: { ...ICE40_SPEC.gatherScatter, scatterForwarding: false },
  postprocess: { ...ICE40_SPEC.postprocess, bias: false },
};

export interface Ice40Options {
  /** nextpnr device flag (default hx8k). */
  device?: 'hx8k' | 'hx1k' | 'up5k' | 'lp8k';
  /** Package (default ct256 for hx8k, sg48 for up5k). */
  package?: string;
  /** nextpnr placer seed (default 1): results are reproducible. */
  seed?: number;
  /** Write the bitstream (icepack) here. */
  bitstream?: string;
  cacheDir?: string;
  useCache?: boolean;
  timeoutMs?: number;
}

export interface StaRange {
  /** Estimated Fmax with fast and slow net delays (MHz). */
  fmaxMHz: { fast: number; slow: number };
  /** The worst path under slow nets. */
  start: string;
  end: string;
  levels: number;
  delayNs: { fast: number; slow: number };
}

export interface Ice40Result {
  module: string;
  device: string;
  package: string;
  seed: number;
  /** nextpnr's Fmax of the routed design for the clock (MHz). */
  fmaxMHz: number;
  /** Logic cells used / available, block RAMs used / available. */
  lcs: { used: number; total: number };
  rams: { used: number; total: number };
  /** The static estimate over the same iCE40 netlist (iCE40 delays). */
  estimate: StaRange;
  /** The critical path nextpnr reports (source and sink cell names). */
  criticalPath: { from: string; to: string };
  nextpnrVersion: string;
  yosysVersion: string;
  rtlHash: string;
  cached: boolean;
  elapsedMs: number;
  bitstream?: string;
}

function nextpnrTool(): ToolSpec {
  return { bin: process.env.SPARSEFORGE_NEXTPNR ?? 'nextpnr-ice40', aptPackage: 'nextpnr-ice40', envVar: 'SPARSEFORGE_NEXTPNR' };
}
function icepackTool(): ToolSpec {
  return { bin: process.env.SPARSEFORGE_ICEPACK ?? 'icepack', aptPackage: 'fpga-icestorm', envVar: 'SPARSEFORGE_ICEPACK' };
}

let npVersion: string | undefined;
async function nextpnrVersion(): Promise<string> {
  if (npVersion === undefined) {
    const r = await runTool(nextpnrTool(), ['--version']);
    npVersion = r.all.trim().split('\n').at(-1) ?? 'unknown';
  }
  return npVersion;
}

/**
 * The register wrapper around `m`: one shift chain of flip-flops drives every input bit, every
 * output bit is captured and shifted out. The clock is `clk_i`.
 */
export function registerWrapper(m: ModuleInterface): string {
  const clk = m.ports.find((p) => p.name === 'clk_i');
  if (!clk) throw new Error(`ice40: module ${m.name} has no clk_i`);
  const ins = m.ports.filter((p) => p.direction === 'input' && p.name !== 'clk_i');
  const outs = m.ports.filter((p) => p.direction === 'output');
  for (const p of m.ports) {
    if (p.width === null) throw new Error(`ice40: port ${m.name}.${p.name} has a parameterised width (${p.range})`);
    if (p.direction === 'inout') throw new Error(`ice40: port ${m.name}.${p.name} is inout`);
  }
  const inBits = ins.reduce((s, p) => s + p.width!, 0);
  const outBits = outs.reduce((s, p) => s + p.width!, 0);
  if (outBits === 0) throw new Error(`ice40: module ${m.name} has no outputs`);
  const lines = [
    `// Register wrapper for place and route of ${m.name} (sparseforge ice40.ts): every input bit`,
    '// comes from a flip-flop and every output bit goes into one, so that all timed paths are',
    '// register-to-register. Generated; do not edit.',
    `module ${WRAPPER_TOP} (`,
    '  input  wire clk_i,',
    '  input  wire sin_i,',
    '  input  wire load_i,',
    '  output wire sout_o',
    ');',
  ];
  if (inBits > 0) {
    lines.push(`  reg [${inBits - 1}:0] in_q;`);
    lines.push(
      inBits === 1 ? '  always @(posedge clk_i) in_q <= sin_i;' : `  always @(posedge clk_i) in_q <= {in_q[${inBits - 2}:0], sin_i};`,
    );
  }
  lines.push(`  wire [${outBits - 1}:0] out_w;`, `  reg [${outBits - 1}:0] cap_q;`, `  reg [${outBits - 1}:0] sh_q;`);
  lines.push('  always @(posedge clk_i) begin', '    cap_q <= out_w;');
  lines.push(outBits === 1 ? '    sh_q <= cap_q;' : `    sh_q <= load_i ? cap_q : {1'b0, sh_q[${outBits - 1}:1]};`);
  lines.push('  end', '  assign sout_o = sh_q[0];');
  const conns: string[] = ['    .clk_i(clk_i)'];
  let i = 0;
  for (const p of ins) {
    conns.push(`    .${p.name}(in_q[${i + p.width! - 1}:${i}])`);
    i += p.width!;
  }
  let o = 0;
  for (const p of outs) {
    conns.push(`    .${p.name}(out_w[${o + p.width! - 1}:${o}])`);
    o += p.width!;
  }
  lines.push(`  ${m.name} u_dut (`, conns.join(',\n'), '  );', 'endmodule', '');
  return lines.join('\n');
}

/** A cell type's "used/available" from a nextpnr-ice40 log (e.g. ICESTORM_LC), or undefined. */
function nextpnrUtilisation(log: string, cell: string): { used: number; total: number } | undefined {
  const m = new RegExp(`${cell}:\\s+(\\d+)/\\s*(\\d+)`).exec(log);
  return m ? { used: Number(m[1]), total: Number(m[2]) } : undefined;
}

/** The package nextpnr-ice40 is given when the caller names none. */
function defaultPackage(device: NonNullable<Ice40Options['device']>): string {
  return device === 'up5k' ? 'sg48' : 'ct256';
}

/** nextpnr's post-route Fmax (the last report) for the one clock, and the utilisation. */
export function parseNextpnr(log: string): { fmaxMHz: number; lcs: { used: number; total: number }; rams: { used: number; total: number }; criticalPath: { from: string; to: string } } {
  const fm = [...log.matchAll(/Max frequency for clock '([^']+)': ([\d.]+) MHz/g)];
  if (fm.length === 0) throw new Error('nextpnr-ice40: no "Max frequency" in the log (no register-to-register path?)');
  const clocks = new Set(fm.map((m) => m[1]));
  if (clocks.size > 1) throw new Error(`nextpnr-ice40: more than one clock (${[...clocks].join(', ')})`);
  const util = (cell: string) => nextpnrUtilisation(log, cell) ?? { used: 0, total: 0 };
  // The last critical-path report for the clock: its first "Source" and last "Sink".
  const reports = log.split(/Critical path report for clock/);
  const last = reports.at(-1)!.split(/Critical path report for cross-domain/)[0]!;
  const from = /Source (\S+)/.exec(last)?.[1] ?? '';
  const to = [...last.matchAll(/Sink (\S+)/g)].at(-1)?.[1] ?? '';
  return { fmaxMHz: Number(fm.at(-1)![2]), lcs: util('ICESTORM_LC'), rams: util('ICESTORM_RAM'), criticalPath: { from, to } };
}

/** Static estimate over an iCE40 netlist at both net corners. */
export function ice40Estimate(netlist: YosysNetlist, top: string): StaRange {
  const fast = analyzeTiming(netlist, top, ice40Delays('fast')).worst;
  const slow = analyzeTiming(netlist, top, ice40Delays('slow')).worst;
  if (!fast || !slow) throw new Error(`ice40: no register-to-register path in ${top}`);
  return {
    fmaxMHz: { fast: fmaxMHz(fast.delay), slow: fmaxMHz(slow.delay) },
    delayNs: { fast: fast.delay, slow: slow.delay },
    start: slow.start,
    end: slow.end,
    levels: slow.levels,
  };
}

/** Yosys `synth_ice40` of the RTL files with the wrapper as top: writes `net.json` in `work`. */
async function synthIce40(work: string, files: string[], wrapper: string, module: string, timeoutMs?: number): Promise<void> {
  await writeFile(join(work, 'wrap.v'), wrapper);
  const q = (p: string): string => `"${p}"`;
  const ys = await runTool(
    yosysTool(),
    ['-q', '-p', `read_verilog -sv ${[...files, join(work, 'wrap.v')].map(q).join(' ')}; synth_ice40 -top ${WRAPPER_TOP} -json net.json`],
    { cwd: work, timeoutMs: timeoutMs ?? 30 * 60_000 },
  );
  if (ys.exitCode !== 0) throw new Error(`yosys synth_ice40 failed on ${module}: ${ys.all.trim().split('\n').find((l) => l.startsWith('ERROR')) ?? ys.all.trim().split('\n').at(-1)}`);
}

/** Logic cells and block RAMs after nextpnr's packer (placement may add a few feed-through cells). */
export type Ice40Packing = Pick<Ice40Result, 'module' | 'device' | 'package' | 'lcs' | 'rams' | 'elapsedMs'>;

/** The RTL files of a folder, `module`'s interface (it must be one of them), and the device and package to use. */
function ice40Top(rtlDir: string, module: string, opts: Pick<Ice40Options, 'device' | 'package'>) {
  const dir = resolve(rtlDir);
  const { files, fileOf } = rtlSources(dir);
  const file = fileOf.get(module);
  if (!file) throw new Error(`ice40: module ${module} is not in ${dir}`);
  const iface = parseModules(readFileSync(file, 'utf8')).find((m) => m.name === module)!;
  const device = opts.device ?? 'hx8k';
  return { files, iface, device, pkg: opts.package ?? defaultPackage(device) };
}

/**
 * Whether `module` (wrapped) fits the device, without placing it: `synth_ice40` and
 * `nextpnr-ice40 --pack-only` (under a second). A design that does not fit makes nextpnr fail,
 * which throws. Seconds of Yosys instead of minutes of placement for a nearly full device.
 */
export async function packIce40(rtlDir: string, module: string, opts: Pick<Ice40Options, 'device' | 'package' | 'timeoutMs'> = {}): Promise<Ice40Packing> {
  const { files, iface, device, pkg } = ice40Top(rtlDir, module, opts);
  await mkdir(PNR_CACHE_DIR, { recursive: true });
  const work = join(PNR_CACHE_DIR, `pack-${module}.${process.pid}.work`);
  await mkdir(work, { recursive: true });
  const t0 = performance.now();
  try {
    await synthIce40(work, files, registerWrapper(iface), module, opts.timeoutMs);
    const np = await runTool(nextpnrTool(), [`--${device}`, '--package', pkg, '--json', 'net.json', '--pack-only'], {
      cwd: work,
      timeoutMs: opts.timeoutMs ?? 30 * 60_000,
    });
    if (np.exitCode !== 0) {
      const err = np.all.split('\n').find((l) => l.startsWith('ERROR')) ?? np.all.trim().split('\n').at(-1);
      throw new Error(`nextpnr-ice40 --pack-only failed on ${module} (${device} ${pkg}): ${err}`);
    }
    const util = (cell: string): { used: number; total: number } => {
      const u = nextpnrUtilisation(np.all, cell);
      if (!u) throw new Error(`nextpnr-ice40 --pack-only: no ${cell} utilisation in the log of ${module}`);
      return u;
    };
    return { module, device, package: pkg, lcs: util('ICESTORM_LC'), rams: util('ICESTORM_RAM'), elapsedMs: performance.now() - t0 };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Emits the spec's RTL under .cache/rtl/<name>-<config hash>/. */
async function emitToCache(spec: AcceleratorSpec): Promise<{ dir: string; name: string }> {
  const emitted = emitAccelerator(spec);
  const dir = join(PROJECT_ROOT, '.cache', 'rtl', `${emitted.spec.name}-${configHash(emitted.spec).slice(0, 12)}`);
  await writeEmitted(emitted.files, dir);
  return { dir, name: emitted.spec.name };
}

/** Emits the spec's RTL under .cache/rtl/ and packs its accelerator top (packIce40). */
export async function packSpec(spec: AcceleratorSpec, opts: Pick<Ice40Options, 'device' | 'package' | 'timeoutMs'> = {}): Promise<Ice40Packing> {
  const { dir, name } = await emitToCache(spec);
  return packIce40(dir, `${name}_accel`, opts);
}

/** Places and routes `module` of an RTL folder (wrapped) on an iCE40. */
export async function placeAndRoute(rtlDir: string, module: string, opts: Ice40Options = {}): Promise<Ice40Result> {
  const { files, iface, device, pkg } = ice40Top(rtlDir, module, opts);
  const seed = opts.seed ?? 1;
  const wrapper = registerWrapper(iface);
  const rtlHash = hashFiles(files);
  const [yv, nv] = await Promise.all([yosysVersion(), nextpnrVersion()]);
  const key = createHash('sha256')
    .update(JSON.stringify({ PNR_VERSION, rtlHash, module, device, pkg, seed, yv, nv, wrapper }))
    .digest('hex');
  const cacheDir = opts.cacheDir ?? PNR_CACHE_DIR;
  const cacheFile = join(cacheDir, `${key}.json`);
  const binFile = join(cacheDir, `${key}.bin`);
  if (opts.useCache !== false) {
    try {
      const hit = JSON.parse(await readFile(cacheFile, 'utf8')) as Ice40Result;
      if (opts.bitstream !== undefined) {
        await copyFile(binFile, opts.bitstream);
        hit.bitstream = opts.bitstream;
      }
      return { ...hit, cached: true, elapsedMs: 0 };
    } catch {
      // not cached (or no bitstream kept): run
    }
  }
  await mkdir(cacheDir, { recursive: true });
  const work = join(cacheDir, `${key}.${process.pid}.work`);
  await mkdir(work, { recursive: true });
  const t0 = performance.now();
  try {
    await synthIce40(work, files, wrapper, module, opts.timeoutMs);
    const netlist = JSON.parse(await readFile(join(work, 'net.json'), 'utf8')) as YosysNetlist;
    const estimate = ice40Estimate(netlist, WRAPPER_TOP);
    const np = await runTool(
      nextpnrTool(),
      [`--${device}`, '--package', pkg, '--json', 'net.json', '--asc', 'out.asc', '--seed', String(seed)],
      { cwd: work, timeoutMs: opts.timeoutMs ?? 30 * 60_000 },
    );
    if (np.exitCode !== 0) {
      const err = np.all.split('\n').find((l) => l.startsWith('ERROR')) ?? np.all.trim().split('\n').at(-1);
      throw new Error(`nextpnr-ice40 failed on ${module} (${device} ${pkg}): ${err}`);
    }
    const parsed = parseNextpnr(np.all);
    const pack = await runTool(icepackTool(), ['out.asc', 'out.bin'], { cwd: work });
    if (pack.exitCode !== 0) throw new Error(`icepack failed on ${module}: ${pack.all.trim()}`);
    const result: Ice40Result = {
      module,
      device,
      package: pkg,
      seed,
      ...parsed,
      estimate,
      nextpnrVersion: nv,
      yosysVersion: yv,
      rtlHash,
      cached: false,
      elapsedMs: performance.now() - t0,
    };
    await rename(join(work, 'out.bin'), binFile);
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ ...result, bitstream: undefined }, null, 2)}\n`);
    await rename(tmp, cacheFile);
    if (opts.bitstream !== undefined) {
      await copyFile(binFile, opts.bitstream);
      result.bitstream = opts.bitstream;
    }
    return result;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Emits the spec's RTL under .cache/rtl/ and places and routes `module` (default: the accelerator top). */
export async function placeAndRouteSpec(spec: AcceleratorSpec, opts: Ice40Options & { module?: string } = {}): Promise<Ice40Result> {
  const { dir, name } = await emitToCache(spec);
  return placeAndRoute(dir, opts.module ?? `${name}_accel`, opts);
}
