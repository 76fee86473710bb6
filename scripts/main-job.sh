#!/usr/bin/env bash
# The README's main job: generate the fpga accelerator into rtl-out/, build a submanifold layer
# case from the Stanford bunny, print its workload, and co-simulate the whole accelerator on it
# against the golden model (cycles, utilisation, match); then a quarter-width MinkUNet on the bunny
# through the same RTL, every conv node on the accelerator, bit-exact at every node, with the
# per-node report (cycles, utilisation, stream bytes, map reuse).
set -euo pipefail
cd "$(dirname "$0")/.."
sf=bin/sparseforge
mkdir -p .cache/main-job
case_file=.cache/main-job/bunny-submanifold.json
$sf generate --preset fpga
$sf case --bunny --voxel 0.25 --layer submanifold --kernel 3 --stride 1 --cin 16 --cout 16 \
  --requant --relu --seed 1 -o "$case_file"
$sf stats "$case_file"
$sf sim "$case_file" --preset fpga -o .cache/main-job/bunny-submanifold.rtl.json \
  --stats .cache/main-job/bunny-submanifold.stats.json
net_file=.cache/main-job/minkunet-w0.25.json
$sf net init minkunet --width 0.25 --in-channels 4 --classes 19 --seed 1 --bunny --voxel 0.25 -q -o "$net_file"
$sf net sim "$net_file" --bunny --voxel 0.25 --seed 1 --preset fpga \
  -o .cache/main-job/minkunet-w0.25.rtl.json --stats .cache/main-job/minkunet-w0.25.report.json
