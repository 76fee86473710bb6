// Progress of a sweep: a one-line bar with an ETA redrawn in place on a terminal; one plain line
// per finished point otherwise (CI logs, Slurm output files, pipes), so logs stay greppable.
import type { PointResult } from './results.ts';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface ProgressStream {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '--';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** One short line describing a finished point. */
export function pointSummary(p: PointResult): string {
  if (p.status === 'invalid') return `invalid: ${p.error}`;
  if (p.status === 'failed') return `FAILED: ${p.error}`;
  const parts: string[] = [];
  if (p.resources) parts.push(`LUT ${p.resources.luts} DSP ${p.resources.dsp48} BRAM36 ${p.resources.bram36}`);
  for (const [w, o] of Object.entries(p.workloads)) {
    if (!o.supported) parts.push(`${w}: unsupported`);
    else parts.push(`${w}: ${o.cycles!.total} cycles${o.verify ? ` (verify ${o.verify.status})` : ''}`);
  }
  if (p.lint && !p.lint.ok) parts.push(`lint ${p.lint.warnings} warning(s)`);
  return parts.join('  ');
}

export class Progress {
  private done = 0;
  private computedDone = 0;
  private failed = 0;
  private readonly t0 = performance.now();
  private lastDraw = 0;
  private readonly bar: boolean;
  private readonly quiet: boolean;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    mode: ProgressMode,
    private readonly total: number,
    /** Points that actually need computing (the rest come from the cache or the out folder). */
    private readonly toCompute: number,
    private readonly jobs: number,
  ) {
    this.bar = mode === 'bar' || (mode === 'auto' && stream.isTTY === true);
    this.quiet = mode === 'none';
  }

  /** Points already known before any work (cached, resumed, invalid). */
  skip(n: number): void {
    this.done += n;
  }

  private eta(): number {
    if (this.computedDone === 0) return NaN;
    const elapsed = performance.now() - this.t0;
    return (elapsed / this.computedDone) * (this.toCompute - this.computedDone);
  }

  finished(p: PointResult, ms: number): void {
    this.done++;
    this.computedDone++;
    if (p.status === 'failed') this.failed++;
    if (this.quiet) return;
    if (this.bar) {
      this.draw(p.id, true);
      return;
    }
    const w = String(this.total).length;
    this.stream.write(`[${String(this.done).padStart(w)}/${this.total}] ${p.id} ${(ms / 1000).toFixed(1)}s  ${pointSummary(p)}  (ETA ${formatDuration(this.eta())})\n`);
  }

  /** Redraws the bar (at most 10 times a second unless forced). */
  draw(current = '', force = false): void {
    if (!this.bar || this.quiet) return;
    const now = performance.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const cols = Math.max(40, Math.min(this.stream.columns ?? 80, 120));
    const frac = this.total === 0 ? 1 : this.done / this.total;
    const info = ` ${this.done}/${this.total}${this.failed ? ` ${this.failed} failed` : ''}  ${this.jobs} jobs  ETA ${formatDuration(this.eta())}  ${current}`;
    const width = Math.max(10, cols - info.length - 3);
    const fill = Math.round(frac * width);
    const line = `[${'#'.repeat(fill)}${'-'.repeat(width - fill)}]${info}`.slice(0, cols - 1);
    this.stream.write(`\r${line}\x1b[K`);
    this.drawn = true;
  }

  end(): void {
    if (this.bar && this.drawn) this.stream.write('\n');
  }
}
