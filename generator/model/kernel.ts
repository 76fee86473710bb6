// Kernel offsets and the kernel-index rule of DESIGN.md §1 (MinkowskiEngine's convention).
import { FieldError } from './errors.ts';

export type Offset = [number, number, number];

function checkKernelSize(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new FieldError('layer.kernelSize', `must be an integer ≥ 1 (got ${k})`);
}

export function kernelVolume(k: number): number {
  checkKernelSize(k);
  return k * k * k;
}

/** Per-axis offsets in kernel-index order: odd k is centred, even k starts at 0. */
export function kernelAxisOffsets(k: number): number[] {
  checkKernelSize(k);
  const first = k % 2 === 1 ? -(k - 1) / 2 : 0;
  return Array.from({ length: k }, (_, i) => first + i);
}

/** `δ_i` for every kernel index `i = (iz·k + iy)·k + ix`, scaled by the tensor stride `ts`. */
export function kernelOffsets(k: number, ts: number): Offset[] {
  const axis = kernelAxisOffsets(k);
  const out: Offset[] = [];
  for (let iz = 0; iz < k; iz++) {
    for (let iy = 0; iy < k; iy++) {
      for (let ix = 0; ix < k; ix++) out.push([axis[ix] * ts, axis[iy] * ts, axis[iz] * ts]);
    }
  }
  return out;
}

/** Index of the zero offset; only odd kernels have one. */
export function centreIndex(k: number): number {
  checkKernelSize(k);
  if (k % 2 === 0) throw new FieldError('layer.kernelSize', `an even kernel (${k}) has no centre offset`);
  return (k * k * k - 1) / 2;
}

/**
 * Index of `-δ_i`. Negating every axis maps position p to k-1-p, so the whole index maps to
 * k³-1-i; only odd kernels are symmetric.
 */
export function mirrorIndex(i: number, k: number): number {
  const volume = kernelVolume(k);
  if (k % 2 === 0) throw new FieldError('layer.kernelSize', `an even kernel (${k}) is not symmetric`);
  if (!Number.isInteger(i) || i < 0 || i >= volume) throw new RangeError(`kernel index ${i} outside [0, ${volume})`);
  return volume - 1 - i;
}
