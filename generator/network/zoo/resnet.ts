// An encoder-only sparse ResNet in the style of TorchSparse's SparseResNet21D
// (torchsparse/backbones/resnet.py): stages of (blocks, channels, kernel, stride) =
// (3, 16, 3, 1), (3, 32, 3, 2), (3, 64, 3, 2), (3, 128, 3, 2); each stage opens with a conv block
// (conv + ReLU; submanifold at stride 1, a k=3 s=2 strided conv otherwise) followed by residual
// blocks. SparseResNet21D's last stage, an anisotropic (1, 3, 1) kernel, has no counterpart in
// DESIGN.md's cubic kernels and is left out. A 1×1 head maps the last stage to `classes` channels
// (raw accumulators), so that `--classes` means the same for every architecture.
import { FloatNetworkBuilder, scaleChannels, type FloatNetwork } from './float-network.ts';
import type { ZooShape } from './minkunet.ts';

export const RESNET_STAGES = [
  { blocks: 3, channels: 16, stride: 1 },
  { blocks: 3, channels: 32, stride: 2 },
  { blocks: 3, channels: 64, stride: 2 },
  { blocks: 3, channels: 128, stride: 2 },
] as const;

export function resnet(o: ZooShape): FloatNetwork {
  const cs = scaleChannels(RESNET_STAGES.map((s) => s.channels), o.width);
  const b = new FloatNetworkBuilder(o.inChannels, o.seed);
  let x = 'input';
  RESNET_STAGES.forEach((st, s) => {
    const layer = st.stride === 1
      ? { type: 'submanifold' as const, kernelSize: 3, stride: 1, outChannels: cs[s] }
      : { type: 'conv' as const, kernelSize: 3, stride: st.stride, outChannels: cs[s] };
    x = b.conv(`stage${s}.conv`, x, layer, { relu: true });
    for (let k = 1; k < st.blocks; k++) x = b.residual(`stage${s}.res${k}`, x, cs[s]);
  });
  const head = b.conv('head', x, { type: 'submanifold', kernelSize: 1, stride: 1, outChannels: o.classes }, { relu: false, requant: false });
  return b.build(`resnet-w${o.width}`, [head]);
}
