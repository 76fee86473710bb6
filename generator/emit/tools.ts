// Running the external HDL tools. A tool that is not installed is the most common failure on a
// new machine, so it gets its own error with the command that installs it.
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { execa } from 'execa';

/** Thrown by every tool runner (lint, synthesis, co-simulation): the message has the install command. */
export class ToolMissingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ToolMissingError';
  }
}

export interface ToolRun {
  exitCode: number;
  /** stdout and stderr interleaved. */
  all: string;
}

export interface ToolSpec {
  /** Executable (name on PATH or path). */
  bin: string;
  /** Debian package that provides it. */
  aptPackage: string;
  /** Environment variable that overrides the executable. */
  envVar: string;
}

export async function runTool(tool: ToolSpec, args: string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<ToolRun> {
  const res = await execa(tool.bin, args, { reject: false, all: true, cwd: opts.cwd, timeout: opts.timeoutMs });
  if (res.failed && res.exitCode === undefined) {
    if ((res as { code?: string }).code === 'ENOENT') {
      throw new ToolMissingError(
        `${tool.bin} not found: install it with \`apt-get install -y ${tool.aptPackage}\` (or point ${tool.envVar} at it)`,
      );
    }
    if (res.timedOut) throw new Error(`${tool.bin} timed out after ${opts.timeoutMs} ms`);
    throw new Error(`${tool.bin} failed to run: ${(res.message ?? '').split('\n')[0]}`);
  }
  return { exitCode: res.exitCode ?? 1, all: res.all ?? '' };
}

const isExecutable = (f: string): boolean => {
  try {
    accessSync(f, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

let verilatorBinBeside: string | null | undefined;
/**
 * `verilator` is a Perl script that raises the stack limit (`ulimit -s unlimited`) and execs the
 * `verilator_bin` installed beside it with the same arguments. Starting Perl costs ≈ 0.15 s of CPU
 * a call, several times the lint of a small module, and the lint gate makes hundreds of calls. So
 * a run with the default tool (lint, co-simulation build, version check) starts that
 * `verilator_bin` the way the script does: a shell raises the stack limit and runs it with the same
 * arguments and environment. An explicit executable
 * (SPARSEFORGE_VERILATOR, `verilatorBin`), or a setting the script reads (VERILATOR_ROOT,
 * VERILATOR_BIN, VERILATOR_TEST_FLAGS), runs the tool as given.
 */
export function verilatorLaunch(tool: ToolSpec, args: string[], env: Record<string, string | undefined> = {}): { tool: ToolSpec; args: string[] } {
  const script = ['VERILATOR_ROOT', 'VERILATOR_BIN', 'VERILATOR_TEST_FLAGS'].some((v) => process.env[v] || env[v]);
  if (tool.bin !== 'verilator' || script) return { tool, args };
  if (verilatorBinBeside === undefined) {
    verilatorBinBeside = null;
    for (const dir of (process.env.PATH ?? '').split(delimiter)) {
      const script = join(dir || '.', 'verilator');
      if (!isExecutable(script)) continue;
      // The first `verilator` on PATH is the one that would run; only a Perl script is bypassed
      // (anything unexpected: the script runs as before).
      try {
        const real = realpathSync(script);
        const bin = join(dirname(real), 'verilator_bin');
        const shebang = readFileSync(real).subarray(0, 128).toString('latin1').split('\n')[0]!;
        if (/^#!.*\bperl\b/.test(shebang) && isExecutable(bin)) verilatorBinBeside = bin;
      } catch {
        // a folder or an unreadable file named verilator
      }
      break;
    }
  }
  if (verilatorBinBeside === null) return { tool, args };
  // A crash is reported as the script reports it: an %Error line and a failing exit status.
  const sh = 'ulimit -s unlimited 2>/dev/null; "$0" "$@"; s=$?; [ $s -gt 128 ] && echo "%Error: Verilator threw signal $((s - 128)) ($0)" >&2; exit $s';
  return { tool: { ...tool, bin: '/bin/sh' }, args: ['-c', sh, verilatorBinBeside, ...args] };
}
