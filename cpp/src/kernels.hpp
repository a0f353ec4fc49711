// The kernels' interface: what one pass over X computes, and the table of entry points that
// every instruction-set level fills.
//
// kernels.cpp holds the passes (Pass, the threads, the designs' block operations). The build
// compiles it once per level (baseline, avx, avx2, avx512: see CMakeLists.txt), each copy with
// its own flags, in its own namespace, and then makes every symbol of that copy local except
// its one entry point, extern "C" descend_kernels_<level>(). So Eigen's and the standard
// library's inline templates, instantiated once per level with that level's instructions, can
// never be merged by the linker into one copy that the other levels would call (the ODR trap
// that SIGILLs on an older CPU). dispatch.cpp picks the table at run time.
//
// Only dynamic-size Eigen objects cross between the levels and the rest of the library: their
// layout does not depend on the instruction set, and their heap alignment is fixed for everyone
// by EIGEN_MAX_ALIGN_BYTES=64 (CMakeLists.txt).
#pragma once

#include "descend/cost.hpp"

#include <Eigen/Core>

namespace descend::detail {

/// What one pass computes.
struct Want {
    bool value = false;
    bool gradient = false;
    bool hessian = false;
    const Vector* direction = nullptr;  // for the Hessian-vector product
    const Vector* gram = nullptr;       // Gram weights in place of s∘L″ (weighted_gram, a kept curvature): no z
    Vector* keep_curvature = nullptr;   // where to write s∘L″ per row (multinomial: p, n×K), as it is formed
    bool diagonal = false;              // diag of the Hessian (the sandwich's diagonal), into product
    bool scores = false;                // (s∘L′)² in place of s∘L″ (score_gram)
};

/// One thread's share of a pass, and after the reduction the pass's unnormalised sums (no 1/S, no λ).
struct Accumulator {
    double value = 0.0;
    Vector gradient;  // length d (+1 for the intercept)
    Matrix hessian;   // lower triangle, (d+1)²
    Vector product;   // H·v, or diag H

    void init(const Want& want, Index p) {
        if (want.gradient) gradient.setZero(p);
        if (want.hessian) hessian.setZero(p, p);
        if (want.direction || want.diagonal) product.setZero(p);
    }
    void add(const Accumulator& other, const Want& want) {
        value += other.value;
        if (want.gradient) gradient += other.gradient;
        if (want.hessian) hessian += other.hessian;
        if (want.direction || want.diagonal) product += other.product;
    }
};

/// The data of a pass: X, the loss, y, the stored weights (empty: unit), the intercept, the threads,
/// the shift c subtracted from every row of dense X as it is read (null: none), and the classes.
/// A multiclass loss's pass writes its decision function as n×K logits, row by row.
struct PassInput {
    const Design* X;
    LossKind loss;
    const Vector* y;
    const Vector* s;
    bool intercept;
    int threads;
    const Vector* shift = nullptr;
    Index classes = 1;  // K, the outputs per row (a multiclass loss), else 1
};

/// One level's entry points.
struct Kernels {
    const char* level;  // "baseline", "avx", "avx2", "avx512" or "native"
    /// The pass's sums over all rows at w, split over in.threads threads, reduced in a fixed order.
    Accumulator (*accumulate)(const PassInput& in, const Vector& w, const Want& want);
    /// X·w + b for every row into out (sized n).
    void (*decision)(const PassInput& in, const Vector& w, Vector& out);
};

/// The level in use (dispatch.cpp): the best the CPU runs, or the one DESCEND_LEVEL or
/// set_kernel_level() asked for.
const Kernels& active_kernels();

}  // namespace descend::detail

// One entry point per compiled level, defined by kernels.cpp built with -DDESCEND_LEVEL=<level>.
#define DESCEND_DECLARE_KERNELS(level) extern "C" const descend::detail::Kernels* descend_kernels_##level();
