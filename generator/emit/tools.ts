// Running the external HDL tools. A tool that is not installed is the most common failure on a
// new machine, so it gets its own error with the command that installs it.
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
