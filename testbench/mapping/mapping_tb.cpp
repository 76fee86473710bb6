// Verilator harness of <prefix>mapping_top (built with --prefix Vtop). Standalone and small on
// purpose: one AXI4-Lite master, one AXI4-Stream source and one sink with seeded random stalls,
// STATUS polling and a watchdog. Driven by generator/sim/mapping/driver.ts.
//
//   Vtb STIMULUS RESULT
//
// STIMULUS (text, one directive per line):
//   seed N | stall_in PERMILLE | stall_out PERMILLE | max_cycles N | status_addr ADDR
//   write ADDR VALUE     AXI-Lite write, in order, before the stream starts (the last one is START)
//   beat HEX LAST        one slave beat (HEX = tdata, most significant digit first)
//   read ADDR            registers read after the run, in order
// RESULT:
//   out HEX LAST         every master beat, in order
//   status VALUE         the STATUS register that ended the run
//   reg ADDR VALUE       the requested reads
//   cycles N             clock cycles simulated
//   timeout              only if the watchdog fired (exit code 3)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "Vtop.h"
#include "verilated.h"

namespace {

using Words = std::vector<uint32_t>;

// Port access for every Verilator port type.
void put(CData& p, const Words& w) { p = static_cast<CData>(w.empty() ? 0 : w[0]); }
void put(SData& p, const Words& w) { p = static_cast<SData>(w.empty() ? 0 : w[0]); }
void put(IData& p, const Words& w) { p = w.empty() ? 0 : w[0]; }
void put(QData& p, const Words& w) {
  p = (w.size() > 0 ? static_cast<QData>(w[0]) : 0) | (w.size() > 1 ? static_cast<QData>(w[1]) << 32 : 0);
}
template <std::size_t N>
void put(VlWide<N>& p, const Words& w) {
  for (std::size_t i = 0; i < N; i++) p[i] = i < w.size() ? w[i] : 0;
}
Words get(CData p) { return {p}; }
Words get(SData p) { return {p}; }
Words get(IData p) { return {p}; }
Words get(QData p) { return {static_cast<uint32_t>(p), static_cast<uint32_t>(p >> 32)}; }
template <std::size_t N>
Words get(const VlWide<N>& p) {
  Words w(N);
  for (std::size_t i = 0; i < N; i++) w[i] = p[i];
  return w;
}

Words parseHex(const std::string& s) {
  Words w;
  int bits = 0;
  uint32_t cur = 0;
  for (auto it = s.rbegin(); it != s.rend(); ++it) {
    const char c = *it;
    uint32_t v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;
    cur |= v << bits;
    bits += 4;
    if (bits == 32) {
      w.push_back(cur);
      cur = 0;
      bits = 0;
    }
  }
  if (bits > 0) w.push_back(cur);
  return w;
}

std::string toHex(const Words& w, int width) {
  const int digits = (width + 3) / 4;
  std::string s;
  for (int d = digits - 1; d >= 0; d--) {
    const int word = d / 8, shift = (d % 8) * 4;
    const uint32_t v = word < static_cast<int>(w.size()) ? (w[word] >> shift) & 0xF : 0;
    s.push_back("0123456789abcdef"[v]);
  }
  return s;
}

// xorshift64*: the stall pattern is a function of the seed only.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 0x1234567ull) {
    if (s == 0) s = 1;
  }
  uint32_t next() {
    s ^= s >> 12;
    s ^= s << 25;
    s ^= s >> 27;
    return static_cast<uint32_t>((s * 0x2545F4914F6CDD1Dull) >> 32);
  }
  bool chance(int permille) { return static_cast<int>(next() % 1000) < permille; }
};

struct Beat {
  Words data;
  bool last;
};

struct AxilOp {
  bool write;
  uint32_t addr;
  uint64_t data;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s STIMULUS RESULT\n", argv[0]);
    return 2;
  }
  std::ifstream in(argv[1]);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  uint64_t seed = 1;
  int stallIn = 0, stallOut = 0;
  uint64_t maxCycles = 10000000;
  long statusAddr = -1;
  std::deque<AxilOp> setup;
  std::vector<Beat> beats;
  std::vector<uint32_t> finalReads;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ls(line);
    std::string key;
    if (!(ls >> key)) continue;
    if (key == "seed") ls >> seed;
    else if (key == "stall_in") ls >> stallIn;
    else if (key == "stall_out") ls >> stallOut;
    else if (key == "max_cycles") ls >> maxCycles;
    else if (key == "status_addr") ls >> statusAddr;
    else if (key == "write") {
      AxilOp op{true, 0, 0};
      ls >> op.addr >> op.data;
      setup.push_back(op);
    } else if (key == "beat") {
      std::string hex;
      int last = 0;
      ls >> hex >> last;
      beats.push_back({parseHex(hex), last != 0});
    } else if (key == "read") {
      uint32_t a;
      ls >> a;
      finalReads.push_back(a);
    } else {
      std::fprintf(stderr, "unknown directive: %s\n", key.c_str());
      return 2;
    }
  }

  auto* ctx = new VerilatedContext;
  ctx->commandArgs(argc, argv);
  auto* top = new Vtop{ctx};
  Rng rngIn(seed), rngOut(seed ^ 0xABCDEFull);

  std::ofstream out(argv[2]);
  std::ostringstream outBeats;
  uint64_t cycle = 0;

  // Reset.
  top->rst_i = 1;
  top->clk_i = 0;
  top->s_axil_awvalid_i = 0;
  top->s_axil_wvalid_i = 0;
  top->s_axil_bready_i = 0;
  top->s_axil_arvalid_i = 0;
  top->s_axil_rready_i = 0;
  top->s_axis_tvalid_i = 0;
  top->s_axis_tlast_i = 0;
  top->m_axis_tready_i = 0;
  for (int i = 0; i < 4; i++) {
    top->clk_i = 0;
    top->eval();
    top->clk_i = 1;
    top->eval();
  }
  top->rst_i = 0;

  // AXI-Lite master state.
  std::deque<AxilOp> ops = setup;
  bool opActive = false, awDone = false, wDone = false, arDone = false;
  AxilOp cur{};
  uint64_t lastRead = 0;
  bool readDone = false;

  // Phases: 0 setup writes, 1 run (stream + poll), 2 final reads, 3 end.
  int phase = 0;
  std::size_t nextBeat = 0;
  bool srcValid = false;
  std::size_t finalIdx = 0;
  uint32_t finalStatus = 0;
  std::vector<std::pair<uint32_t, uint64_t>> results;
  bool timeout = false;
  uint64_t lastPoll = 0;

  while (phase != 3) {
    if (cycle >= maxCycles) {
      timeout = true;
      break;
    }
    // Schedule AXI-Lite operations.
    if (!opActive) {
      if (phase == 0) {
        if (!ops.empty()) {
          cur = ops.front();
          ops.pop_front();
          opActive = true;
        } else {
          phase = 1;
        }
      }
      if (phase == 1 && !opActive && cycle - lastPoll >= 16 && statusAddr >= 0) {
        cur = {false, static_cast<uint32_t>(statusAddr), 0};
        opActive = true;
        lastPoll = cycle;
      }
      if (phase == 2 && !opActive) {
        if (finalIdx < finalReads.size()) {
          cur = {false, finalReads[finalIdx], 0};
          opActive = true;
        } else {
          phase = 3;
          break;
        }
      }
      awDone = wDone = arDone = false;
      readDone = false;
    }
    // Drive AXI-Lite.
    top->s_axil_awvalid_i = opActive && cur.write && !awDone;
    top->s_axil_wvalid_i = opActive && cur.write && !wDone;
    top->s_axil_awaddr_i = cur.addr;
    put(top->s_axil_wdata_i, Words{static_cast<uint32_t>(cur.data), static_cast<uint32_t>(cur.data >> 32)});
    top->s_axil_bready_i = opActive && cur.write && awDone && wDone;
    top->s_axil_arvalid_i = opActive && !cur.write && !arDone;
    top->s_axil_araddr_i = cur.addr;
    top->s_axil_rready_i = opActive && !cur.write && arDone;
    // Drive AXI-Stream source (only after setup) and sink.
    if (phase >= 1 && !srcValid && nextBeat < beats.size() && !rngIn.chance(stallIn)) srcValid = true;
    top->s_axis_tvalid_i = srcValid;
    if (nextBeat < beats.size()) {
      put(top->s_axis_tdata_i, beats[nextBeat].data);
      top->s_axis_tlast_i = beats[nextBeat].last;
    }
    top->m_axis_tready_i = !rngOut.chance(stallOut);

    top->clk_i = 0;
    top->eval();
    // Sample handshakes before the edge.
    const bool inFire = top->s_axis_tvalid_i && top->s_axis_tready_o;
    const bool outFire = top->m_axis_tvalid_o && top->m_axis_tready_i;
    Words outData;
    bool outLast = false;
    if (outFire) {
      outData = get(top->m_axis_tdata_o);
      outLast = top->m_axis_tlast_o;
    }
    const bool awFire = top->s_axil_awvalid_i && top->s_axil_awready_o;
    const bool wFire = top->s_axil_wvalid_i && top->s_axil_wready_o;
    const bool bFire = top->s_axil_bready_i && top->s_axil_bvalid_o;
    const bool arFire = top->s_axil_arvalid_i && top->s_axil_arready_o;
    const bool rFire = top->s_axil_rready_i && top->s_axil_rvalid_o;
    uint64_t rdata = 0;
    if (rFire) {
      const Words w = get(top->s_axil_rdata_o);
      rdata = (w.size() > 0 ? w[0] : 0) | (w.size() > 1 ? static_cast<uint64_t>(w[1]) << 32 : 0);
    }
    top->clk_i = 1;
    top->eval();
    cycle++;

    if (inFire) {
      nextBeat++;
      srcValid = false;
    }
    if (outFire) outBeats << "out " << toHex(outData, static_cast<int>(outData.size() * 32)) << ' ' << (outLast ? 1 : 0) << '\n';
    if (awFire) awDone = true;
    if (wFire) wDone = true;
    if (arFire) arDone = true;
    if (bFire) opActive = false;
    if (rFire) {
      opActive = false;
      readDone = true;
      lastRead = rdata;
    }
    if (readDone) {
      readDone = false;
      if (phase == 1) {
        // STATUS: bit0 busy, bit1 done, bit2 error.
        if ((lastRead & 1) == 0 && (lastRead & 6) != 0) {
          finalStatus = static_cast<uint32_t>(lastRead);
          phase = 2;
        }
      } else if (phase == 2) {
        results.emplace_back(finalReads[finalIdx], lastRead);
        finalIdx++;
      }
    }
  }

  out << outBeats.str();
  out << "status " << finalStatus << '\n';
  for (const auto& r : results) out << "reg " << r.first << ' ' << r.second << '\n';
  out << "cycles " << cycle << '\n';
  if (timeout) out << "timeout\n";
  out.close();
  top->final();
  delete top;
  delete ctx;
  return timeout ? 3 : 0;
}
