// Test builds: X state randomised at start-up (reset bugs show up), seeded at run time with
// +verilator+seed+N +verilator+rand+reset+2 (the run logs the seed). The model is compiled at -O0:
// tests simulate thousands of cycles, so compile time dominates (fpga preset: ~11 s at -O0,
// ~15 s at -O1, ~25 s at Verilator's default -Os on this machine).
--x-assign unique
--x-initial unique
-MAKEFLAGS OPT_FAST=-O0
-MAKEFLAGS OPT_SLOW=-O0
