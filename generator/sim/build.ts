// Verilator builds of a DUT with the generic harness, cached. A build is keyed by a hash of
// everything that goes into it (RTL text, harness and binding text, flags and flag files, waivers,
// Verilator and compiler versions) and lives in `.cache/verilator/<hash>/` inside the project
// (gitignored). It is built in a temporary folder beside it and renamed into place, so concurrent
// test workers never see half a build; a per-hash lock makes the second worker wait for the first
// instead of building the same thing twice, and a few slot locks keep the number of concurrent
// builds at the number of cores across processes. C++ objects go through ccache (OBJCACHE) when it
// is installed: Verilator's runtime files are the same in every build, so a warm cache pays them once.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, openSync, closeSync, unlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { bindingHeader, type DutBinding } from './binding.ts';
import { PROJECT_ROOT, type RtlFile } from './render.ts';
import { ensureToolchain, toolBin } from './toolchain.ts';
import { verilatorLaunch } from '../emit/tools.ts';

export const CACHE_ROOT = join(PROJECT_ROOT, '.cache', 'verilator');
export const HARNESS_DIR = join(PROJECT_ROOT, 'testbench');
export const VERILATOR_DIR = join(PROJECT_ROOT, 'verilator');

export type BuildProfile = 'test' | 'speed' | 'coverage';

/**
 * `coverage` builds are test builds (test.f) with Verilator line and toggle coverage. A small
 * module bound into the top (`bind`) writes the counters from its `final` block, which the harness
 * runs at the end of every run: to `$SF_COVERAGE_DIR/cov-<pid>.dat` when that variable is set
 * (nothing otherwise). Merge and annotate them with verilator_coverage (generator/verify/coverage.ts).
 */
// `--x-initial 0`: registers start at zero instead of random values (test builds), or every bit
// would count as toggled by the random start-up state alone and toggle coverage would mean nothing.
export const COVERAGE_FLAGS = ['--coverage-line', '--coverage-toggle', '--coverage-max-width', '1024', '--x-initial', '0'];
export const COVERAGE_DUMP_MODULE = 'sf_cov_dump';

/** The Verilog of the coverage dump module and its `bind` into `top`. */
export function coverageDumpFile(top: string): RtlFile {
  const code = [
    'if (const char* d = std::getenv(\\"SF_COVERAGE_DIR\\")) {',
    'std::string p = std::string(d) + \\"/cov-\\" + std::to_string(::getpid()) + \\".dat\\";',
    'vlSymsp->_vm_contextp__->coveragep()->write(p.c_str()); }',
  ].join(' ');
  const text = [
    '// Coverage build only: writes the coverage counters at the end of the run (generator/sim/build.ts).',
    '/* verilator coverage_off */',
    `module ${COVERAGE_DUMP_MODULE};`,
    '  final begin',
    `    $c("${code}");`,
    '  end',
    'endmodule',
    `bind ${top} ${COVERAGE_DUMP_MODULE} u_${COVERAGE_DUMP_MODULE} ();`,
    '',
  ].join('\n');
  return { name: `${COVERAGE_DUMP_MODULE}.sv`, text };
}

export interface BuildOptions {
  /** Verilog sources (text); written as given. */
  files: RtlFile[];
  /** Top module name. */
  top: string;
  /** Port binding for the harness (generator/sim/binding.ts). */
  binding: DutBinding;
  /** `test` (default): --x-initial unique, quick compile; `speed`: -O3, X folded. */
  profile?: BuildProfile;
  /** Build with --trace-fst (the harness then accepts --trace FILE.fst). */
  trace?: boolean;
  /** Extra Verilator arguments. */
  flags?: string[];
  /** Cache root (default `<project>/.cache/verilator`). */
  cacheDir?: string;
  /** Parallel compile jobs inside this build (default 1 when other builds may run, see below). */
  jobs?: number;
  /** Use ccache when installed (default true). */
  ccache?: boolean;
  /** Ignore an existing cached build (benchmarks). */
  force?: boolean;
  /** Extra environment of the Verilator build (e.g. CCACHE_DIR); not part of the cache key. */
  env?: Record<string, string>;
}

export interface BuildResult {
  binary: string;
  dir: string;
  hash: string;
  /** True when the binary came from the cache. */
  cached: boolean;
  /** Wall time of this call (waiting for a lock included). */
  wallMs: number;
  /** Wall time of the Verilator build itself (0 when cached). */
  buildMs: number;
  args: string[];
}

export class BuildError extends Error {
  readonly log: string;
  readonly logPath: string;
  constructor(message: string, log: string, logPath: string) {
    super(message);
    this.name = 'BuildError';
    this.log = log;
    this.logPath = logPath;
  }
}

const HARNESS_FILES = ['harness.cpp'];

/** The flag file of a profile (coverage builds are test builds plus COVERAGE_FLAGS). */
function flagProfile(profile: BuildProfile): 'test' | 'speed' {
  return profile === 'speed' ? 'speed' : 'test';
}

function flagFile(name: string): string {
  return join(VERILATOR_DIR, name);
}

function waiverFiles(): string[] {
  if (!existsSync(VERILATOR_DIR)) return [];
  return readdirSync(VERILATOR_DIR)
    .filter((f) => f.endsWith('.vlt'))
    .sort()
    .map((f) => join(VERILATOR_DIR, f));
}

/** The Verilator arguments of a build (paths relative to the build folder where they are written). */
export function verilatorArgs(opts: BuildOptions, srcNames: string[], waivers: string[]): string[] {
  const profile = opts.profile ?? 'test';
  const args = ['-f', flagFile('common.f'), '-f', flagFile(`${flagProfile(profile)}.f`)];
  if (profile === 'coverage') args.push(...COVERAGE_FLAGS);
  if (opts.trace) args.push('--trace-fst', '--trace-structs');
  args.push('--top-module', opts.top, '-Mdir', 'obj');
  args.push(...(opts.flags ?? []));
  args.push(...waivers);
  args.push(...srcNames.map((n) => join('src', n)));
  args.push(...HARNESS_FILES.map((f) => join('harness', f)));
  return args;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Exclusive lock file holding our pid; stale locks (dead pid, or older than `staleMs`) are taken over. */
function tryLock(path: string, staleMs: number): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeFileSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    const age = Date.now() - statSync(path).mtimeMs;
    if ((Number.isInteger(pid) && pid > 0 && !pidAlive(pid)) || age > staleMs) {
      unlinkSync(path);
      return tryLock(path, staleMs);
    }
  } catch {
    // The holder released it meanwhile: try again on the next poll.
  }
  return false;
}

function unlock(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

const LOCK_STALE_MS = 20 * 60_000;

async function withSlot<T>(root: string, slots: number, fn: () => Promise<T>): Promise<T> {
  const dir = join(root, 'slots');
  mkdirSync(dir, { recursive: true });
  for (;;) {
    for (let i = 0; i < slots; i++) {
      const p = join(dir, `slot-${i}.lock`);
      if (tryLock(p, LOCK_STALE_MS)) {
        try {
          return await fn();
        } finally {
          unlock(p);
        }
      }
    }
    await sleep(100);
  }
}

/** Remove temporary build folders left by processes that died mid-build. */
function sweepStaleTemps(root: string): void {
  for (const e of readdirSync(root)) {
    const m = /\.tmp-(\d+)-[0-9a-f]+$/.exec(e);
    if (m && !pidAlive(Number(m[1]))) rmSync(join(root, e), { recursive: true, force: true });
  }
}

let swept = false;

function hashBuild(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 24);
}

/** Build (or fetch from the cache) the harness binary for a DUT. */
export async function buildSim(opts: BuildOptions): Promise<BuildResult> {
  const t0 = performance.now();
  const tc = await ensureToolchain();
  const root = opts.cacheDir ?? CACHE_ROOT;
  mkdirSync(root, { recursive: true });
  if (!swept) {
    swept = true;
    sweepStaleTemps(root);
  }
  const waivers = waiverFiles();
  if ((opts.profile ?? 'test') === 'coverage' && !opts.files.some((f) => f.name === `${COVERAGE_DUMP_MODULE}.sv`)) {
    opts = { ...opts, files: [...opts.files, coverageDumpFile(opts.top)] };
  }
  const srcNames = opts.files.map((f) => f.name);
  const bind = bindingHeader(opts.binding);
  const harness = HARNESS_FILES.map((f) => readFileSync(join(HARNESS_DIR, f), 'utf8'));
  const args = verilatorArgs(opts, srcNames, waivers.map((w) => join('waivers', w.split('/').pop()!)));
  const profile = opts.profile ?? 'test';
  const hash = hashBuild({
    files: opts.files,
    top: opts.top,
    bind,
    harness,
    args,
    flagFiles: ['common.f', `${flagProfile(profile)}.f`].map((f) => readFileSync(flagFile(f), 'utf8')),
    waivers: waivers.map((w) => readFileSync(w, 'utf8')),
    verilator: tc.verilator,
    cxx: tc.cxx,
  });
  const dir = join(root, hash);
  const binary = join(dir, 'obj', 'Vdut');
  const done = () => existsSync(join(dir, 'build.json')) && existsSync(binary);
  if (opts.force && done()) rmSync(dir, { recursive: true, force: true });
  if (done()) return { binary, dir, hash, cached: true, wallMs: performance.now() - t0, buildMs: 0, args };

  const lock = join(root, `${hash}.lock`);
  while (!tryLock(lock, LOCK_STALE_MS)) {
    if (done()) return { binary, dir, hash, cached: true, wallMs: performance.now() - t0, buildMs: 0, args };
    await sleep(200);
  }
  try {
    if (done()) return { binary, dir, hash, cached: true, wallMs: performance.now() - t0, buildMs: 0, args };
    const cores = availableParallelism();
    const { buildMs } = await withSlot(root, cores, () => runBuild(opts, root, hash, args, bind, harness, waivers, tc.ccache !== null));
    return { binary, dir, hash, cached: false, wallMs: performance.now() - t0, buildMs, args };
  } finally {
    unlock(lock);
  }
}

async function runBuild(
  opts: BuildOptions,
  root: string,
  hash: string,
  args: string[],
  bind: string,
  harness: string[],
  waivers: string[],
  haveCcache: boolean,
): Promise<{ buildMs: number }> {
  const tmp = join(root, `${hash}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const final = join(root, hash);
  mkdirSync(join(tmp, 'src'), { recursive: true });
  mkdirSync(join(tmp, 'harness'), { recursive: true });
  mkdirSync(join(tmp, 'waivers'), { recursive: true });
  for (const f of opts.files) writeFileSync(join(tmp, 'src', f.name), f.text);
  HARNESS_FILES.forEach((f, i) => writeFileSync(join(tmp, 'harness', f), harness[i]!));
  writeFileSync(join(tmp, 'harness', 'sim_bind.h'), bind);
  for (const w of waivers) writeFileSync(join(tmp, 'waivers', w.split('/').pop()!), readFileSync(w, 'utf8'));
  const jobs = opts.jobs ?? 1;
  // No absolute paths in the compiler flags: they would make every ccache key unique.
  // harness.cpp finds sim_bind.h beside itself.
  const fullArgs = [...args, '-j', String(jobs)];
  const env: Record<string, string> = { ...(opts.env ?? {}) };
  if (haveCcache && opts.ccache !== false) env.OBJCACHE = 'ccache';
  const t0 = performance.now();
  // verilator_bin as the Perl `verilator` script would start it, without Perl's start-up (tools.ts).
  const launch = verilatorLaunch({ bin: toolBin('verilator'), aptPackage: 'verilator', envVar: 'SPARSEFORGE_VERILATOR' }, fullArgs, env);
  const res = await execa(launch.tool.bin, launch.args, { cwd: tmp, reject: false, all: true, env, timeout: 30 * 60_000 });
  const buildMs = performance.now() - t0;
  const log = `$ verilator ${fullArgs.join(' ')}\n${res.all ?? ''}`;
  writeFileSync(join(tmp, 'build.log'), log);
  if (res.exitCode !== 0) {
    const logPath = join(root, `${hash}.failed.log`);
    writeFileSync(logPath, log);
    rmSync(tmp, { recursive: true, force: true });
    const errs = (res.all ?? '').split('\n').filter((l) => /^%(Error|Warning)/.test(l) || /error:/.test(l)).slice(0, 20);
    throw new BuildError(`Verilator build of ${opts.top} failed (log: ${logPath}):\n${errs.join('\n')}`, log, logPath);
  }
  // Keep the binary and the generated sources; objects live on in ccache.
  for (const f of readdirSync(join(tmp, 'obj'))) {
    if (/\.(o|d|a)$/.test(f)) rmSync(join(tmp, 'obj', f), { force: true });
  }
  writeFileSync(
    join(tmp, 'build.json'),
    `${JSON.stringify({ top: opts.top, profile: opts.profile ?? 'test', trace: !!opts.trace, buildMs: Math.round(buildMs), ccache: !!env.OBJCACHE, args: fullArgs }, null, 2)}\n`,
  );
  try {
    renameSync(tmp, final);
  } catch {
    // Someone else's identical build won the rename: theirs is as good as ours.
    rmSync(tmp, { recursive: true, force: true });
  }
  return { buildMs };
}
