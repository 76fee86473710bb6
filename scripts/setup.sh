#!/usr/bin/env bash
# Installs what sparseforge needs on a fresh Debian machine: the HDL tools from Debian's
# packages and the npm dependencies from the lockfile. Used by the README quick start and CI.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo=''
[ "$(id -u)" -eq 0 ] || sudo='sudo'
need=()
for tool in verilator yosys iverilog ccache parallel nextpnr-ice40 icepack; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq verilator yosys iverilog ccache parallel g++ make nextpnr-ice40 fpga-icestorm >/dev/null
fi
echo "setup: $(verilator --version | head -1); $(yosys -V | head -1)"
echo "setup: npm ci"
npm ci --no-audit --no-fund --loglevel=error
