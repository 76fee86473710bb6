// Verilator flags of every co-simulation build (read with -f; part of the build-cache key).
-Wall
--cc
--exe
--build
--prefix Vdut
-o Vdut
--no-timing
