#!/usr/bin/env bash
# The README's main job: build a layer case from the Stanford bunny, print its statistics and
# run the golden model on it.
set -euo pipefail
cd "$(dirname "$0")/.."
sf=bin/sparseforge
mkdir -p .cache/main-job
case_file=.cache/main-job/bunny-submanifold.json
$sf case --bunny --voxel 0.25 --layer submanifold --kernel 3 --stride 1 --cin 16 --cout 16 \
  --requant --relu --seed 1 -o "$case_file"
$sf stats "$case_file"
$sf golden "$case_file" -o .cache/main-job/bunny-submanifold.result.json
$sf sim-map "$case_file" --preset fpga
