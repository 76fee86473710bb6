// Comparison of co-simulation outputs with the golden model's expectations, and the mismatch
// report: case, seed, cycle, beat/row, channel, expected and actual value.
import { unpackBeat, type StreamLayout } from './layout.ts';
import type { OutBeat } from './run.ts';

export interface ExpectedBeat {
  /** Field name → lanes (only the fields to check). */
  fields: Record<string, (number | bigint)[]>;
  last: boolean;
  /** Where the beat comes from in the case, e.g. `pass 2, row 5` or `point 7, tile 1`. */
  where: string;
}

export interface Mismatch {
  stream: string;
  /** Index of the beat in the stream. */
  beat: number;
  where: string;
  /** Cycle at which the (actual) beat left the DUT; -1 for a missing beat. */
  cycle: number;
  field: string;
  /** Lane (channel within the beat); -1 for whole-beat problems (missing/surplus/last). */
  channel: number;
  expected: string;
  actual: string;
}

export function compareStream(stream: string, layout: StreamLayout, expected: ExpectedBeat[], actual: OutBeat[]): Mismatch[] {
  const out: Mismatch[] = [];
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const got = unpackBeat(layout, a.data);
    for (const [name, lanes] of Object.entries(e.fields)) {
      const g = got[name];
      if (!g) throw new Error(`stream ${stream} has no field ${name}`);
      for (let c = 0; c < lanes.length; c++) {
        if (BigInt(lanes[c]!) !== BigInt(g[c]!)) {
          out.push({ stream, beat: i, where: e.where, cycle: a.cycle, field: name, channel: c, expected: String(lanes[c]), actual: String(g[c]) });
        }
      }
    }
    if (e.last !== a.last) {
      out.push({ stream, beat: i, where: e.where, cycle: a.cycle, field: 'tlast', channel: -1, expected: e.last ? '1' : '0', actual: a.last ? '1' : '0' });
    }
  }
  for (let i = n; i < expected.length; i++) {
    out.push({ stream, beat: i, where: expected[i]!.where, cycle: -1, field: 'beat', channel: -1, expected: 'a beat', actual: 'none (missing)' });
  }
  for (let i = n; i < actual.length; i++) {
    out.push({ stream, beat: i, where: 'beyond the expected beats', cycle: actual[i]!.cycle, field: 'beat', channel: -1, expected: 'no beat', actual: `surplus beat 0x${actual[i]!.data.toString(16)}` });
  }
  return out;
}

export function describeMismatch(m: Mismatch): string {
  const ch = m.channel >= 0 ? `, channel ${m.channel}` : '';
  const cyc = m.cycle >= 0 ? `, cycle ${m.cycle}` : '';
  return `stream ${m.stream}, beat ${m.beat} (${m.where})${cyc}, ${m.field}${ch}: expected ${m.expected}, actual ${m.actual}`;
}

export interface ReportInfo {
  caseName: string;
  seed: number;
  xSeed: number;
  stall: number;
  /** Per-port stall probabilities (RunOptions.stallPorts), when the run set any. */
  stallPorts?: Record<string, number>;
  mismatches: Mismatch[];
  /** Harness failure (no progress, protocol violation, …), if any. */
  failure?: string;
  waveform?: string;
  command?: string;
  /** Why no waveform is available, if none. */
  waveformError?: string;
}

export function mismatchReport(r: ReportInfo, maxLines = 10): string {
  const lines: string[] = [];
  const ports = r.stallPorts ? `; ${Object.entries(r.stallPorts).map(([k, v]) => `${k} ${v}`).join(', ')}` : '';
  const head = `co-simulation ${r.failure ? 'failure' : 'mismatch'} in case ${r.caseName} (seed ${r.seed}, x-seed ${r.xSeed}, stall ${r.stall}${ports})`;
  lines.push(head);
  if (r.failure) lines.push(`  harness: ${r.failure}`);
  if (r.mismatches.length > 0) {
    const first = r.mismatches[0]!;
    lines.push(
      `  first mismatch: case ${r.caseName}, seed ${r.seed}, cycle ${first.cycle}, stream ${first.stream}, beat ${first.beat} (${first.where}), ` +
        `${first.channel >= 0 ? `channel ${first.channel}` : 'whole beat'}, field ${first.field}: expected ${first.expected}, actual ${first.actual}`,
    );
    for (const m of r.mismatches.slice(1, maxLines)) lines.push(`  ${describeMismatch(m)}`);
    if (r.mismatches.length > maxLines) lines.push(`  … ${r.mismatches.length - maxLines} more mismatches (${r.mismatches.length} in all)`);
  }
  if (r.waveform) lines.push(`  waveform: ${r.waveform}`);
  else if (r.waveformError) lines.push(`  waveform: not available (${r.waveformError})`);
  if (r.command) lines.push(`  reproduce: ${r.command}`);
  return lines.join('\n');
}

export class CosimMismatchError extends Error {
  readonly mismatches: Mismatch[];
  readonly waveform?: string;
  readonly report: string;
  constructor(report: string, mismatches: Mismatch[], waveform?: string) {
    super(report);
    this.name = 'CosimMismatchError';
    this.mismatches = mismatches;
    this.waveform = waveform;
    this.report = report;
  }
}
