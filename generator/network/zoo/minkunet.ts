// MinkUNet18 as TorchSparse / SPVNAS define it (spvnas core/models/semantic_kitti/minkunet.py):
// a two-conv 3×3×3 stem; four encoder stages of a k=2 s=2 downsampling conv and two residual
// blocks; four decoder stages of a k=2 s=2 transposed conv back onto the encoder's coordinates, a
// concat with the encoder's skip tensor and two residual blocks; a 1×1 classifier head. Channel
// plan 32-32-64-128-256-256-128-96-96 scaled by `width`. Batch norm is folded away (a freshly
// initialised BN is the identity); TorchSparse's `nn.Linear` head is the 1×1 submanifold conv here.
import { FloatNetworkBuilder, scaleChannels, type FloatNetwork } from './float-network.ts';

export const MINKUNET_CHANNELS = [32, 32, 64, 128, 256, 256, 128, 96, 96] as const;

export interface ZooShape {
  width: number;
  inChannels: number;
  classes: number;
  seed: number;
}

export function minkunet(o: ZooShape): FloatNetwork {
  const cs = scaleChannels(MINKUNET_CHANNELS, o.width);
  const b = new FloatNetworkBuilder(o.inChannels, o.seed);
  const sub = (c: number) => ({ type: 'submanifold' as const, kernelSize: 3, stride: 1, outChannels: c });
  let x = b.conv('stem.0', 'input', sub(cs[0]), { relu: true });
  x = b.conv('stem.1', x, sub(cs[0]), { relu: true });
  const skips = [x];
  for (let s = 1; s <= 4; s++) {
    x = b.conv(`enc${s}.down`, x, { type: 'conv', kernelSize: 2, stride: 2, outChannels: b.channelsOf(x) }, { relu: true });
    x = b.residual(`enc${s}.res0`, x, cs[s]);
    x = b.residual(`enc${s}.res1`, x, cs[s]);
    skips.push(x);
  }
  for (let s = 1; s <= 4; s++) {
    const skip = skips[4 - s];
    const up = b.conv(`dec${s}.up`, x, { type: 'transposed', kernelSize: 2, stride: 2, outChannels: cs[4 + s] }, { relu: true, outputCoordsOf: skip });
    x = b.concat(`dec${s}.cat`, up, skip);
    x = b.residual(`dec${s}.res0`, x, cs[4 + s]);
    x = b.residual(`dec${s}.res1`, x, cs[4 + s]);
  }
  const head = b.conv('head', x, { type: 'submanifold', kernelSize: 1, stride: 1, outChannels: o.classes }, { relu: false, requant: false });
  return b.build(`minkunet-w${o.width}`, [head]);
}
