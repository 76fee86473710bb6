// The checks every iCE40 place-and-route result gets (ice40.test.ts, ice40-accel.test.ts, ice40-accel.long.test.ts).
import { existsSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { Ice40Result } from '../../generator/synth/ice40.ts';

// synth_ice40 + nextpnr take seconds on a module and minutes on a whole accelerator.
export const PNR_TIMEOUT_MS = 1_200_000;

export function checkIce40Result(r: Ice40Result): void {
  expect(r.fmaxMHz).toBeGreaterThan(20);
  expect(r.fmaxMHz).toBeLessThan(400);
  expect(r.lcs.used).toBeGreaterThan(0);
  expect(r.lcs.used).toBeLessThanOrEqual(r.lcs.total);
  expect(r.lcs.total).toBe(7680);
  expect(r.estimate.fmaxMHz.fast).toBeGreaterThan(r.estimate.fmaxMHz.slow);
  // The estimate's range brackets the router's answer within a margin (bench/timing.bench.ts
  // records how far it lands on every module).
  expect(r.fmaxMHz).toBeGreaterThan(0.7 * r.estimate.fmaxMHz.slow);
  expect(r.fmaxMHz).toBeLessThan(1.4 * r.estimate.fmaxMHz.fast);
}

/** A whole HX8K bitstream written by icepack: its size and the iCE40 sync word. */
export function checkHx8kBitstream(path: string): void {
  expect(existsSync(path)).toBe(true);
  const bin = readFileSync(path);
  expect(bin.length).toBe(135100); // an HX8K bitstream
  expect(bin.includes(Buffer.from([0x7e, 0xaa, 0x99, 0x7e]))).toBe(true); // the iCE40 sync word
}
