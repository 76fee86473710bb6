// The external tools of co-simulation. A missing tool is the most common failure on a new machine:
// it gets one clear error with the command that installs it.
import { execa } from 'execa';
import { ToolMissingError, verilatorLaunch } from '../emit/tools.ts';

export { ToolMissingError };

export interface ToolInfo {
  bin: string;
  aptPackage: string;
  versionArgs: string[];
}

export const TOOLS = {
  verilator: { bin: 'verilator', aptPackage: 'verilator', versionArgs: ['--version'] },
  cxx: { bin: 'g++', aptPackage: 'g++', versionArgs: ['--version'] },
  make: { bin: 'make', aptPackage: 'make', versionArgs: ['--version'] },
  yosys: { bin: 'yosys', aptPackage: 'yosys', versionArgs: ['-V'] },
  iverilog: { bin: 'iverilog', aptPackage: 'iverilog', versionArgs: ['-V'] },
  ccache: { bin: 'ccache', aptPackage: 'ccache', versionArgs: ['--version'] },
} satisfies Record<string, ToolInfo>;

export type ToolName = keyof typeof TOOLS;

const versions = new Map<string, Promise<string | null>>();

/** Executable of a tool: `SPARSEFORGE_<NAME>` (e.g. SPARSEFORGE_VERILATOR) overrides the default. */
export function toolBin(name: ToolName): string {
  return process.env[`SPARSEFORGE_${name.toUpperCase()}`] ?? TOOLS[name].bin;
}

/** First line of `<tool> --version`, or null when the tool is not installed. */
export function toolVersion(name: ToolName): Promise<string | null> {
  const bin = toolBin(name);
  let p = versions.get(bin);
  if (!p) {
    const t = TOOLS[name];
    // Verilator's version through verilator_bin, as its Perl script would run it (tools.ts).
    const run = name === 'verilator' ? verilatorLaunch({ bin, aptPackage: t.aptPackage, envVar: 'SPARSEFORGE_VERILATOR' }, t.versionArgs) : { tool: { bin }, args: t.versionArgs };
    p = execa(run.tool.bin, run.args, { reject: false, all: true, timeout: 30_000 }).then((r) => {
      if (r.failed && r.exitCode === undefined) return null; // not found / not runnable
      return (r.all ?? '').split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
    });
    versions.set(bin, p);
  }
  return p;
}

export function installHint(names: ToolName[]): string {
  return `apt-get install -y ${names.map((n) => TOOLS[n].aptPackage).join(' ')}`;
}

export interface Toolchain {
  verilator: string;
  cxx: string;
  /** ccache version, or null: builds then run without the object cache (slower rebuilds). */
  ccache: string | null;
}

/**
 * Check that Verilator, a C++ compiler and make are installed (and, when asked, Yosys/Icarus);
 * throws a ToolMissingError naming every missing tool and the command that installs them.
 */
export async function ensureToolchain(extra: ToolName[] = []): Promise<Toolchain> {
  const needed: ToolName[] = ['verilator', 'cxx', 'make', ...extra];
  const found = await Promise.all(needed.map((n) => toolVersion(n)));
  const missing = needed.filter((_, i) => found[i] === null);
  if (missing.length > 0) {
    const names = missing.map((n) => TOOLS[n].bin).join(', ');
    throw new ToolMissingError(
      `co-simulation needs ${names}, not found on PATH: install with \`${installHint(missing)}\``,
    );
  }
  return { verilator: found[0]!, cxx: found[1]!, ccache: await toolVersion('ccache') };
}
