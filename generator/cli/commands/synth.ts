// `sparseforge synth`: FPGA resources (LUT, FF, DSP48, block RAM) of an accelerator's RTL with
// Yosys synth_xilinx; cached by RTL hash.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { FieldError } from '../../model/errors.ts';
import { resolveSpec } from '../../dsl/load.ts';
import { formatTimingReport } from '../../synth/timing.ts';
import { formatSynthReport, synthesize } from '../../synth/yosys.ts';
import { specOptions, type SpecArgs } from './generate.ts';

interface SynthArgs extends SpecArgs {
  rtl?: string;
  top?: string;
  perModule: boolean;
  json: boolean;
  cache: boolean;
  timing: boolean;
}

export const synthCommand: CommandModule<object, SynthArgs> = {
  command: 'synth',
  describe: 'Synthesize with Yosys (synth_xilinx) and report LUT, FF, DSP48 and block-RAM counts',
  builder: (y: Argv<object>) =>
    specOptions(y)
      .usage('$0 synth (--preset P | --config FILE | --rtl DIR) [--top MODULE] [--json]')
      .option('rtl', { type: 'string', describe: 'an already generated RTL folder instead of a spec', normalize: true })
      .option('top', { type: 'string', describe: 'synthesize only this module (full name)' })
      .option('per-module', { type: 'boolean', default: false, describe: 'also synthesize every module on its own (a row each; slow)' })
      .option('timing', {
        type: 'boolean',
        default: false,
        describe: 'also estimate the clock (7-series -1/-2 static timing: worst register-to-register path per module, Fmax range of the top)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON' })
      .option('cache', { type: 'boolean', default: true, describe: 'reuse results cached in .cache/synth (--no-cache to rerun)' })
      .conflicts('rtl', ['preset', 'config'])
      .example('$0 synth --preset fpga', 'the accelerator top: LUT, FF, DSP48, BRAM')
      .example('$0 synth --preset tiny --per-module', 'a row per module')
      .example('$0 synth --preset fpga --timing', 'estimated Fmax and the worst path of every module')
      .example('$0 synth --rtl rtl-out/sf_tiny --json', 'machine-readable') as unknown as Argv<SynthArgs>,
  handler: async (a) => {
    if (a.timing && a.perModule) throw new FieldError('--timing', 'with --per-module: the timing report already has a row per module (--timing and --per-module)');
    const opts = { top: a.top, perModule: a.perModule, useCache: a.cache, timing: a.timing };
    if (a.rtl !== undefined && !existsSync(join(a.rtl, 'files.f')) && !(existsSync(a.rtl) && statSync(a.rtl).isDirectory() && readdirSync(a.rtl).some((f) => f.endsWith('.v')))) {
      throw new FieldError('--rtl', `${a.rtl}: no generated RTL there (neither files.f nor .v files; see sparseforge generate)`);
    }
    const report = a.rtl !== undefined ? await synthesize({ rtlDir: a.rtl }, opts) : await synthesize(await resolveSpec(a), opts);
    process.stdout.write(
      a.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatSynthReport(report)}${a.timing ? `\n${formatTimingReport(report)}` : ''}`,
    );
    if (report.total.latches > 0) {
      process.stderr.write(`sparseforge: ${report.total.latches} latches inferred (the RTL must have none)\n`);
      process.exitCode = 1;
    }
  },
};
