// Speed builds (benchmarks, long runs): X states folded to constants, full optimisation.
-O3
--x-assign fast
--x-initial fast
-MAKEFLAGS OPT_FAST=-O2
-MAKEFLAGS OPT_SLOW=-O1
