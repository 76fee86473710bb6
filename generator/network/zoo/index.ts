// The model zoo: named architectures built as float networks with seeded weights, then quantized
// to INT8 networks (DESIGN.md §6) calibrated on a cloud.
import { FieldError, type ArithmeticWidths, type NodeTensor } from '../../model/index.ts';
import { quantizeNetwork, type CalibrateOptions, type QuantizedNetwork } from '../calibrate.ts';
import type { FloatNetwork } from './float-network.ts';
import { minkunet, type ZooShape } from './minkunet.ts';
import { resnet } from './resnet.ts';

export const ZOO_ARCHS = {
  minkunet: minkunet,
  resnet: resnet,
} as const satisfies Record<string, (o: ZooShape) => FloatNetwork>;

export type ZooArch = keyof typeof ZOO_ARCHS;
export const ZOO_ARCH_NAMES = Object.keys(ZOO_ARCHS) as ZooArch[];

export interface ZooOptions extends ZooShape {
  arch: string;
}

/** The float network of a zoo architecture; option errors name the CLI flag. */
export function zooFloatNetwork(o: ZooOptions): FloatNetwork {
  if (!Object.hasOwn(ZOO_ARCHS, o.arch)) throw new FieldError('ARCH', `must be one of ${ZOO_ARCH_NAMES.join(', ')}, got ${JSON.stringify(o.arch)}`);
  if (typeof o.width !== 'number' || !Number.isFinite(o.width) || o.width <= 0 || o.width > 16) {
    throw new FieldError('--width', `must be a number in (0, 16], got ${o.width}`);
  }
  const positive = (v: number, flag: string, max: number) => {
    if (!Number.isInteger(v) || v < 1 || v > max) throw new FieldError(flag, `must be an integer in [1, ${max}], got ${v}`);
  };
  positive(o.inChannels, '--in-channels', 4096);
  positive(o.classes, '--classes', 4096);
  if (!Number.isSafeInteger(o.seed)) throw new FieldError('--seed', `must be an integer, got ${o.seed}`);
  const net = ZOO_ARCHS[o.arch as ZooArch](o);
  // `minkunet-w0.25` reads better than `minkunet-w0.25000000001`.
  net.name = `${o.arch}-w${Number(o.width.toPrecision(6))}`;
  return net;
}

export interface ZooNetwork extends QuantizedNetwork {
  float: FloatNetwork;
}

/** A zoo network quantized to INT8 and calibrated on `calibration` (a tensor-stride-1 cloud). */
export function buildZooNetwork(o: ZooOptions, calibration: NodeTensor, opts: CalibrateOptions & { widths?: ArithmeticWidths } = {}): ZooNetwork {
  const float = zooFloatNetwork(o);
  return { ...quantizeNetwork(float, calibration, opts), float };
}
