// Running a harness binary (built by buildSim) on stimulus files, through execa.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';

export interface OutBeat {
  /** Cycle (after reset) at which the beat left the DUT (tvalid && tready). */
  cycle: number;
  data: bigint;
  last: boolean;
}

export interface RunOptions {
  /** Folder for stimulus/response files of this run (created). */
  workDir: string;
  /** Source stream name → beats (hex text written to `<workDir>/<name>.in`) or an existing file path. */
  inputs: Record<string, { beats: { data: bigint; last: boolean }[]; width: number } | { file: string }>;
  /** Sink streams to capture. */
  outputs: string[];
  /** Expected beat count per sink (the run ends when all are reached). */
  expect?: Record<string, number>;
  /** AXI-Lite script lines (see testbench/harness.cpp). */
  axil?: string[];
  /** Seed of the stall generators (and, unless xSeed is given, of Verilator's X randomisation). */
  seed: number;
  /** Stall probability for every port (0 = full speed). */
  stall?: number;
  /** Per-port stall probability (`axil` for the AXI-Lite response channels). */
  stallPorts?: Record<string, number>;
  /** Verilator +verilator+seed (X-initial randomisation of test builds). Default: derived from seed. */
  xSeed?: number;
  maxCycles?: number;
  idleCycles?: number;
  drain?: number;
  /** FST waveform path (the binary must be built with trace: true). */
  trace?: string;
  timeoutMs?: number;
}

export interface RunSummary {
  status: 'ok' | 'no-progress' | 'max-cycles' | 'protocol';
  error: string;
  cycles: number;
  resetCycles: number;
  seed: number;
  /** Harness wall time (file loading included) and time of the cycle loop alone. */
  wallMs: number;
  simMs: number;
  /** CPU time of the cycle loop (the harness is single-threaded). */
  simCpuMs: number;
  axilTransactions: number;
  ports: Record<string, { dir: 'in' | 'out'; beats: number; total?: number; expect?: number; firstCycle: number; lastCycle: number; fnv?: string }>;
}

export interface RunResult {
  ok: boolean;
  exitCode: number;
  summary: RunSummary;
  outputs: Record<string, OutBeat[]>;
  /** AXI-Lite log lines: `{ cycle, op, addr, data, resp }`. */
  axil: { cycle: number; op: 'w' | 'r' | 'p'; addr: number; data: bigint; resp: number }[];
  cycles: number;
  /** Wall time of the whole process (spawn, file I/O included). */
  wallMs: number;
  xSeed: number;
  stderr: string;
  /** The command line, for reproducing the run by hand. */
  command: string;
}

export class SimRunError extends Error {
  readonly result: RunResult;
  constructor(message: string, result: RunResult) {
    super(message);
    this.name = 'SimRunError';
    this.result = result;
  }
}

export function writeBeats(path: string, beats: { data: bigint; last: boolean }[], width: number): void {
  const digits = Math.max(1, Math.ceil(width / 4));
  const lines = new Array<string>(beats.length);
  for (let i = 0; i < beats.length; i++) {
    const b = beats[i]!;
    lines[i] = `${b.data.toString(16).padStart(digits, '0')} ${b.last ? 1 : 0}`;
  }
  writeFileSync(path, lines.length ? `${lines.join('\n')}\n` : '');
}

export function readBeats(path: string): OutBeat[] {
  if (!existsSync(path)) return [];
  const out: OutBeat[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line === '') continue;
    const [c, hex, l] = line.split(' ');
    out.push({ cycle: Number(c), data: BigInt(`0x${hex}`), last: l === '1' });
  }
  return out;
}

/** Verilator's X seed for a run seed (Verilator wants a positive 31-bit number). */
export function xSeedFor(seed: number): number {
  return ((seed * 2654435761) % 2147483646) + 1;
}

/** Run the harness. Resolves also when the simulation fails (ok: false); rejects only when it cannot run. */
export async function runSim(binary: string, opts: RunOptions): Promise<RunResult> {
  mkdirSync(opts.workDir, { recursive: true });
  const args: string[] = [];
  for (const [name, src] of Object.entries(opts.inputs)) {
    let file: string;
    if ('file' in src) file = src.file;
    else {
      file = join(opts.workDir, `${name}.in`);
      writeBeats(file, src.beats, src.width);
    }
    args.push('--in', `${name}=${file}`);
  }
  for (const name of opts.outputs) args.push('--out', `${name}=${join(opts.workDir, `${name}.out`)}`);
  for (const [name, n] of Object.entries(opts.expect ?? {})) args.push('--expect', `${name}=${n}`);
  if (opts.axil) {
    const f = join(opts.workDir, 'axil.script');
    writeFileSync(f, `${opts.axil.join('\n')}\n`);
    args.push('--axil', f, '--axil-out', join(opts.workDir, 'axil.out'));
  }
  args.push('--seed', String(opts.seed));
  if (opts.stall !== undefined) args.push('--stall', String(opts.stall));
  for (const [name, p] of Object.entries(opts.stallPorts ?? {})) args.push('--stall-port', `${name}=${p}`);
  if (opts.maxCycles !== undefined) args.push('--max-cycles', String(opts.maxCycles));
  if (opts.idleCycles !== undefined) args.push('--idle-cycles', String(opts.idleCycles));
  if (opts.drain !== undefined) args.push('--drain', String(opts.drain));
  if (opts.trace) args.push('--trace', opts.trace);
  const summaryPath = join(opts.workDir, 'summary.json');
  args.push('--summary', summaryPath);
  const xSeed = opts.xSeed ?? xSeedFor(opts.seed);
  args.push(`+verilator+seed+${xSeed}`, '+verilator+rand+reset+2');
  const command = [binary, ...args].join(' ');
  writeFileSync(join(opts.workDir, 'command.txt'), `${command}\n`);

  const t0 = performance.now();
  const res = await execa(binary, args, { reject: false, all: false, timeout: opts.timeoutMs ?? 10 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  const wallMs = performance.now() - t0;
  if (res.failed && res.exitCode === undefined) {
    throw new Error(`cannot run ${binary}: ${(res.message ?? '').split('\n')[0]}`);
  }
  let summary: RunSummary;
  try {
    summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as RunSummary;
  } catch {
    const stderr = String(res.stderr ?? '');
    throw new Error(`harness ${binary} exited with ${res.exitCode} and no summary: ${stderr.split('\n').slice(0, 5).join(' | ')}`);
  }
  const outputs: Record<string, OutBeat[]> = {};
  for (const name of opts.outputs) outputs[name] = readBeats(join(opts.workDir, `${name}.out`));
  const axil: RunResult['axil'] = [];
  if (opts.axil && existsSync(join(opts.workDir, 'axil.out'))) {
    for (const line of readFileSync(join(opts.workDir, 'axil.out'), 'utf8').split('\n')) {
      if (!line) continue;
      const [c, op, a, d, r] = line.split(' ');
      axil.push({ cycle: Number(c), op: op as 'w' | 'r' | 'p', addr: Number.parseInt(a!, 16), data: BigInt(`0x${d}`), resp: Number(r) });
    }
  }
  return {
    ok: res.exitCode === 0 && summary.status === 'ok',
    exitCode: res.exitCode ?? -1,
    summary,
    outputs,
    axil,
    cycles: summary.cycles,
    wallMs,
    xSeed,
    stderr: String(res.stderr ?? ''),
    command,
  };
}
