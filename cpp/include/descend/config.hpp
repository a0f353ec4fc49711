// Which kernels run: the instruction-set levels this build of descend holds, and the one in use.
//
// The passes over X are compiled once per level (baseline x86-64, AVX+FMA, AVX2+FMA, AVX-512),
// and the best level the CPU runs is chosen at the first evaluation. The environment variable
// DESCEND_LEVEL (baseline, avx, avx2 or avx512) asks for a lower one, for reproducibility across
// machines; a level the CPU lacks is never used (the best one below it is, and the reason says so).
// A build with DESCEND_NATIVE=ON holds one level, "native", made for the building CPU.
#pragma once

#include <string>
#include <vector>

namespace descend {

struct KernelConfig {
    std::string level;                   ///< the level in use
    std::string reason;                  ///< why it is the one in use
    std::vector<std::string> compiled;   ///< the levels this build holds, lowest first
    std::vector<std::string> supported;  ///< those of them this CPU runs
};

/// The levels and the one in use (choosing it now if no evaluation has yet). Throws
/// std::invalid_argument naming DESCEND_LEVEL when it holds a name that is not a level.
KernelConfig kernel_config();

/// Uses `level` ("baseline", "avx", "avx2", "avx512", "native"; "best": the best this CPU runs)
/// for every evaluation from now on; not while one runs. Throws std::invalid_argument naming
/// `level` when this build does not hold it or this CPU cannot run it.
void set_kernel_level(const std::string& level);

/// The configuration in words: descend's version, the level in use and why, the levels compiled
/// and supported, the compiler and the threads.
std::string config_report();

}  // namespace descend
