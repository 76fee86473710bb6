// `sparseforge synth --timing`: the text of the 7-series clock estimate (estimate.ts) that
// `synthesize(…, { timing: true })` adds to the resource report in the same Yosys run.
import type { AcceleratorSpec } from '../dsl/spec.ts';
import { ToolMissingError } from '../emit/tools.ts';
import type { Corner, SpeedGrade } from './delays.ts';
import { fmaxRange, type CornerEstimate, type PathSummary } from './estimate.ts';
import { fmaxMHz } from './sta.ts';
import { NotCachedError, synthesize, type SynthOptions, type SynthReport } from './yosys.ts';

/** The estimated Fmax range of an accelerator top on a 7-series part (slow … fast nets). */
export interface ClockEstimate {
  top: string;
  grade: SpeedGrade;
  minMhz: number;
  maxMhz: number;
}

/**
 * The -2 estimate of the spec's accelerator top when `synth --timing` has cached it, else
 * undefined; never runs Yosys (an uncached server synthesis takes many minutes). Emits the RTL
 * to hash it, as `synth` does.
 */
export async function cachedClockEstimate(spec: AcceleratorSpec, opts: Pick<SynthOptions, 'cacheDir' | 'yosysBin'> = {}): Promise<ClockEstimate | undefined> {
  let r: SynthReport;
  try {
    r = await synthesize(spec, { ...opts, timing: true, cacheOnly: true });
  } catch (e) {
    if (e instanceof NotCachedError || e instanceof ToolMissingError) return undefined;
    throw e;
  }
  if (!r.timing) return undefined;
  const g = fmaxRange(r.timing, 2);
  return { top: r.totalOf[0]!, grade: 2, minMhz: g.min, maxMhz: g.max };
}

function fmtPath(p: PathSummary): string {
  const types = Object.entries(p.cellTypes)
    .sort(([, a], [, b]) => b - a)
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  return `${p.start} → ${p.end} (${p.endPin}), ${p.levels} levels${types ? ` [${types}]` : ''}`;
}

/** The text `sparseforge synth --timing` prints. */
export function formatTimingReport(r: SynthReport): string {
  const corners = r.timing;
  if (!corners) throw new Error('formatTimingReport: the report has no clock estimate (synthesize with timing: true, of one top)');
  const top = r.totalOf[0]!;
  const at = (g: SpeedGrade, c: Corner): CornerEstimate => corners.find((x) => x.grade === g && x.corner === c)!;
  const s2 = at(2, 'slow');
  const f2 = at(2, 'fast');
  const lines = [
    `estimated clock of ${top} on 7-series (static timing of the synth_xilinx netlist with data-sheet delays)`,
    'An estimate, not sign-off: the range spans fast and slow net delays; bench/results/timing.json compares the method with an iCE40 router.',
    `worst register-to-register path per module, speed grade -2 (delay with slow nets … fast nets):`,
    `${'module'.padEnd(30)} ${'delay ns'.padStart(13)} ${'Fmax MHz'.padStart(13)}  path (slow nets)`,
  ];
  for (const [m, p] of Object.entries(s2.modules)) {
    const fast = f2.modules[m];
    const d = `${p.delayNs.toFixed(2)}…${(fast?.delayNs ?? p.delayNs).toFixed(2)}`;
    const f = `${fmaxMHz(p.delayNs).toFixed(0)}…${fmaxMHz(fast?.delayNs ?? p.delayNs).toFixed(0)}`;
    lines.push(`${m.padEnd(30)} ${d.padStart(13)} ${f.padStart(13)}  ${fmtPath(p)}`);
  }
  for (const g of [1, 2] as const) {
    const range = fmaxRange(corners, g);
    lines.push(`estimated Fmax of ${top}, xc7 -${g}: ${range.min.toFixed(0)} … ${range.max.toFixed(0)} MHz (critical: ${fmtPath(at(g, 'slow').worst)})`);
  }
  return `${lines.join('\n')}\n`;
}
