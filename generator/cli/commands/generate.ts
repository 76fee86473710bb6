// `sparseforge generate`: emit the RTL and its companions (file list, manifest, register header
// and doc, FuseSoC core) of one accelerator into a folder, optionally lint it or only check that
// the folder is up to date.
import { relative } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { PRESET_NAMES } from '../../dsl/presets.ts';
import { resolveSpec } from '../../dsl/load.ts';
import { compareEmitted, emitAccelerator, writeEmitted } from '../../emit/index.ts';
import { formatLintMessage, lintRtl } from '../../emit/lint.ts';

export interface SpecArgs {
  preset?: string;
  config?: string;
}

/** The --preset / --config pair of every command that takes an accelerator spec. */
export function specOptions<T>(y: Argv<T>): Argv<T & SpecArgs> {
  return y
    .option('preset', { type: 'string', choices: PRESET_NAMES, describe: 'a built-in accelerator' })
    .option('config', { type: 'string', describe: 'spec file: .json, or .ts whose default export is the spec', normalize: true })
    .conflicts('preset', 'config') as unknown as Argv<T & SpecArgs>;
}

interface GenerateArgs extends SpecArgs {
  out?: string;
  lint: boolean;
  lintFull: boolean;
  check: boolean;
}

function shown(p: string): string {
  const r = relative(process.cwd(), p);
  return r === '' ? '.' : r.startsWith('..') ? p : r;
}

export const generateCommand: CommandModule<object, GenerateArgs> = {
  command: 'generate',
  describe: 'Emit the Verilog, file list, manifest, register header/doc and FuseSoC core of an accelerator',
  builder: (y: Argv<object>) =>
    specOptions(y)
      .usage('$0 generate (--preset P | --config FILE) [--out DIR] [--lint | --lint-full] [--check]')
      .option('out', { type: 'string', describe: 'output folder (default rtl-out/<name>)', normalize: true })
      .option('lint', { type: 'boolean', default: false, describe: 'then run verilator --lint-only -Wall over every module (roots with their hierarchy)' })
      .option('lint-full', {
        type: 'boolean',
        default: false,
        describe: 'lint every module as its own top, with no stubs for the matrix columns (slower)',
      })
      .option('check', { type: 'boolean', default: false, describe: 'write nothing; exit 1 if the folder differs from what would be generated' })
      .example('$0 generate --preset fpga', 'writes rtl-out/sf_fpga/')
      .example('$0 generate --config my-accel.ts --out build/rtl --lint', 'a custom spec, linted') as unknown as Argv<GenerateArgs>,
  handler: async (a) => {
    const spec = await resolveSpec(a);
    const t0 = performance.now();
    const emitted = emitAccelerator(spec);
    const outDir = a.out ?? `rtl-out/${spec.name}`;
    if (a.check) {
      const diff = await compareEmitted(emitted.files, outDir);
      const stale = [...diff.missing.map((f) => `missing ${f}`), ...diff.different.map((f) => `differs ${f}`), ...diff.extra.map((f) => `extra   ${f}`)];
      if (stale.length === 0) {
        process.stdout.write(`${spec.name}: ${shown(outDir)} is up to date (${emitted.files.length} files)\n`);
      } else {
        process.stdout.write(`${spec.name}: ${shown(outDir)} is stale; run without --check to regenerate:\n${stale.map((s) => `  ${s}\n`).join('')}`);
        process.exitCode = 1;
      }
      return;
    }
    const w = await writeEmitted(emitted.files, outDir);
    const ms = performance.now() - t0;
    const out = [
      `${spec.name}: ${emitted.modules.length} modules, ${emitted.files.length} files in ${shown(w.outDir)} ` +
        `(${w.written.length} written, ${w.unchanged.length} unchanged${w.removed.length ? `, ${w.removed.length} removed` : ''}) in ${ms.toFixed(0)} ms`,
      `  config ${emitted.derived.configHash.slice(0, 16)}…  generator ${emitted.derived.generator.version}`,
      ...emitted.modules.map(
        (m) => `  ${m.file.padEnd(36)} ${String(m.ports.length).padStart(3)} ports${m.parameters.length ? `, ${m.parameters.length} parameters` : ''}${m.root ? '' : '  (submodule)'}`,
      ),
      ...emitted.files.filter((f) => !f.path.endsWith('.v')).map((f) => `  ${f.path}`),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    if (a.lint || a.lintFull) {
      const report = await lintRtl(w.outDir, a.lintFull ? { stubs: [], everyModule: true } : {});
      for (const m of report.messages) process.stdout.write(`${formatLintMessage(m)}\n`);
      const stubs = report.stubs.length ? `, ${report.stubs.join(', ')} linted on its own, stubbed in its parents` : '';
      process.stdout.write(
        `lint: verilator --lint-only -Wall, ${report.modules.length} tops covering ${emitted.modules.length} modules${stubs}, ` +
          `${report.messages.length} warnings in ${report.elapsedMs.toFixed(0)} ms\n`,
      );
      if (!report.ok) process.exitCode = 1;
    }
  },
};
