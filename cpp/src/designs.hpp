// The designs' kernels: each layout of X (design.hpp) iterates its rows in blocks and offers,
// on a block X_b of m rows, the three operations every linear-model cost is made of:
//
//   matvec(B, v, z)                  z = X_b·v                 (v: the first d parameters)
//   add_transpose(B, r, g)           g += X_bᵀ·r
//   add_sandwich(B, c, i, H, s)      H += X̃_bᵀ·diag(c)·X̃_b     (lower triangle; X̃ = [X, 1] if i)
//
// and add_squares(B, c, g), g += (X_b∘X_b)ᵀ·c, the sandwich's diagonal alone. For a loss with K
// outputs per row (the multinomial): matmat(B, C, Z), Z = X_b·W + 1bᵀ (m×K), add_transpose_multi(B, R, G),
// G += X_bᵀ·R (d×K), and add_signed_gram, the sandwich for weights of either sign into a block of a
// larger matrix (K(K+1)/2 of them make the multinomial Hessian).
//
// (glum reaches its matrices through the same three: matvec, transpose_matvec, sandwich.)
// Apart from the sandwich, where it shares the dense kernel's one rank update, the intercept
// is the pass's business, not the design's. Dense blocks are Eigen
// matrices (float32 widened to float64 once per block); sparse blocks are rows in CSR form,
// CSC X being turned into CSR one block at a time, so every layout is read once per pass.
#pragma once

#include "descend/design.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace descend::detail {

using Index = Eigen::Index;
using Vector = Eigen::VectorXd;
using Matrix = Eigen::MatrixXd;
using Array = Eigen::ArrayXd;

/// Per-thread buffers of the dense sandwich (√c·X_b), reused from block to block.
struct SandwichScratch {
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor> scaled;
    Array root;
};

// ---------------------------------------------------------------------------
// Dense blocks: any Eigen matrix expression of float64.

// z = X_b·v. For row-major rows shorter than a few hundred entries a dot
// product per row (lazyProduct) is faster than Eigen's GEMV kernel, whose
// per-row overhead (a horizontal sum) dominates on short rows.
template <class D, class V>
void matvec(const Eigen::MatrixBase<D>& Xb, const V& v, Array& z) {
    z.resize(Xb.rows());
    if (D::IsRowMajor && Xb.cols() < 256)
        z.matrix().noalias() = Xb.lazyProduct(v);
    else
        z.matrix().noalias() = Xb * v;
}

template <class D, class G>
void add_transpose(const Eigen::MatrixBase<D>& Xb, const Array& r, G&& g) {
    g.noalias() += Xb.transpose() * r.matrix();
}

// g += (X_b∘X_b)ᵀ·c: the weighted column sums of squares (the Hessian's diagonal).
template <class D, class G>
void add_squares(const Eigen::MatrixBase<D>& Xb, const Array& c, G&& g) {
    g.noalias() += Xb.array().square().matrix().transpose() * c.matrix();
}

// A rank-m update of H with √c·X̃_b (Eigen's blocked SYRK).
template <class D>
void add_sandwich(const Eigen::MatrixBase<D>& Xb, const Array& c, bool intercept, Matrix& H, SandwichScratch& s) {
    const Index d = Xb.cols();
    // std::sqrt, not Eigen's packet sqrt, which flushes subnormal weights to zero.
    s.root = c.unaryExpr([](double t) { return std::sqrt(t); });
    s.scaled.resize(Xb.rows(), d + (intercept ? 1 : 0));
    s.scaled.leftCols(d).noalias() = s.root.matrix().asDiagonal() * Xb;
    if (intercept) s.scaled.col(d) = s.root.matrix();
    H.template selfadjointView<Eigen::Lower>().rankUpdate(s.scaled.transpose());
}

// The same sums for weights c of any sign (the multinomial Hessian's blocks off the class
// diagonal have cᵢ = −sᵢpᵢₖpᵢₗ), into the lower triangle of H, which may be a block of a larger
// matrix: H += X̃_bᵀ·diag(c)·X̃_b as a product to a triangle (Eigen's GEMM kernel, the same as
// the rank update's), no square roots.
template <class D, class HB>
void add_signed_gram(const Eigen::MatrixBase<D>& Xb, const Array& c, bool intercept, HB&& H, SandwichScratch& s) {
    const Index d = Xb.cols();
    s.scaled.resize(Xb.rows(), d);
    s.scaled.noalias() = c.matrix().asDiagonal() * Xb;
    H.topLeftCorner(d, d).template triangularView<Eigen::Lower>() += s.scaled.transpose() * Xb;
    if (intercept) {
        H.row(d).head(d) += s.scaled.colwise().sum();
        H(d, d) += c.sum();
    }
}

// K outputs per row (a multiclass loss). The coefficients are prepared once per pass as rows:
// W (d×K) row-major with each row padded with zeros to Kp, K rounded up to the SIMD width of
// the level being compiled, and the intercepts b padded likewise. Then Z = X_b·W + 1bᵀ and
// G += X_bᵀ·R, with Z and R m×K column-major (a class's column contiguous: the softmax is then
// vectorised over rows) and G d×K, column-major for the dense row-major kernel below, row-major
// for the others (multi_gradient_t says which).
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // packet types as template arguments, as in Eigen
#endif
struct MultiCoefficients {
    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> W;  // d × Kp
    Eigen::RowVectorXd b;                                                      // Kp
    Index K = 0;

    static constexpr Index width = Eigen::internal::unpacket_traits<Eigen::internal::packet_traits<double>::type>::size;
    /// From the parameters [vec(W), b] (W class by class) of d features and K classes.
    MultiCoefficients(const double* w, Index d, Index K_, bool intercept) : K(K_) {
        const Index Kp = (K + width - 1) / width * width;
        W.setZero(d, Kp);
        W.leftCols(K) = Eigen::Map<const Matrix>(w, d, K);
        b.setZero(Kp);
        if (intercept) b.head(K) = Eigen::Map<const Eigen::RowVectorXd>(w + d * K, K);
    }
};

// The dense row-major kernels, register-blocked with Eigen's packets (the level's SIMD width),
// since Eigen's GEMM packs X_b once per product: on blocks of a few dozen rows and K ≈ 10 the
// packing alone took a third of the pass (measured, 100 000 × 100, K = 10).
//
// Logits: a tile of R rows × N packets of classes lives in registers; for each feature j, the
// padded row j of W is loaded once and multiplied by each row's x_ij (broadcast). The padding
// wastes (Kp − K)/Kp of the arithmetic (K = 10 with AVX-512: 6 of 16 lanes) but needs no
// horizontal sums, which on rows of ~100 features cost about as much.
namespace simd {
// The tiles' loops over their fixed sizes must be unrolled, or the tile does not stay in registers.
#if defined(__GNUC__)
#define DESCEND_UNROLL _Pragma("GCC unroll 16")
#else
#define DESCEND_UNROLL
#endif
namespace ei = Eigen::internal;
using Packet = ei::packet_traits<double>::type;
constexpr Index kWidth = ei::unpacket_traits<Packet>::size;

template <int R, int N>
inline void logits_tile(const double* x, Index ldx, Index d, const double* w, Index ldw, const double* b,
                        double* z, Index ldz, Index cols) {  // z column-major: entry (i, l) at z[l·ldz + i]
    Packet acc[R][N];
    DESCEND_UNROLL for (int n = 0; n < N; ++n) {
        const Packet bn = ei::ploadu<Packet>(b + n * kWidth);
        DESCEND_UNROLL for (int r = 0; r < R; ++r) acc[r][n] = bn;
    }
    for (Index j = 0; j < d; ++j) {
#if defined(__GNUC__)
        // The next tile's rows, a cache line at a time: this kernel is the pass's first read of X.
        if ((j & 7) == 0) {
            DESCEND_UNROLL for (int r = 0; r < R; ++r) __builtin_prefetch(x + (R + r) * ldx + j);
        }
#endif
        Packet wj[N];
        DESCEND_UNROLL for (int n = 0; n < N; ++n) wj[n] = ei::ploadu<Packet>(w + j * ldw + n * kWidth);
        DESCEND_UNROLL for (int r = 0; r < R; ++r) {
            const Packet xr = ei::pset1<Packet>(x[r * ldx + j]);
            DESCEND_UNROLL for (int n = 0; n < N; ++n) acc[r][n] = ei::pmadd(xr, wj[n], acc[r][n]);
        }
    }
    DESCEND_UNROLL for (int r = 0; r < R; ++r)
        DESCEND_UNROLL for (int n = 0; n < N; ++n) {
            const Index c = n * kWidth;
            if (c < cols) {
                double lanes[kWidth];
                ei::pstoreu(lanes, acc[r][n]);
                for (Index l = c; l < std::min<Index>(cols, c + kWidth); ++l) z[l * ldz + r] = lanes[l - c];
            }
        }
}

// Z (m×K, column-major) = X_b·W + 1bᵀ, X_b row-major with outer stride ldx.
inline void logits(const double* x, Index ldx, Index m, Index d, const MultiCoefficients& C, double* z) {
    constexpr int R = kWidth >= 8 ? 8 : 4;
    const Index K = C.K, ldw = C.W.cols();
    for (Index c0 = 0; c0 < K; c0 += 2 * kWidth) {
        const Index cols = std::min<Index>(K - c0, 2 * kWidth);
        const double* w = C.W.data() + c0;
        const double* b = C.b.data() + c0;
        Index i = 0;
        if (cols > kWidth) {
            for (; i + R <= m; i += R) logits_tile<R, 2>(x + i * ldx, ldx, d, w, ldw, b, z + c0 * m + i, m, cols);
            for (; i < m; ++i) logits_tile<1, 2>(x + i * ldx, ldx, d, w, ldw, b, z + c0 * m + i, m, cols);
        } else {
            for (; i + R <= m; i += R) logits_tile<R, 1>(x + i * ldx, ldx, d, w, ldw, b, z + c0 * m + i, m, cols);
            for (; i < m; ++i) logits_tile<1, 1>(x + i * ldx, ldx, d, w, ldw, b, z + c0 * m + i, m, cols);
        }
    }
}

// The gradient: a tile of C classes × J packets of features of G (column-major) lives in
// registers over all m rows of the block; each row's J packets of x are loaded once and
// multiplied by its C residuals (broadcast). No padding: the features that do not fill a packet
// are done with half packets, then quarter packets, then one by one.
template <class Pk, int J, int C>
inline void transpose_tile(const double* x, Index ldx, Index m, const double* r, Index ldr, double* g,
                           Index ldg) {
    constexpr Index W = ei::unpacket_traits<Pk>::size;
    Pk acc[C][J];
    DESCEND_UNROLL for (int c = 0; c < C; ++c)
        DESCEND_UNROLL for (int j = 0; j < J; ++j) acc[c][j] = ei::ploadu<Pk>(g + c * ldg + j * W);
    for (Index i = 0; i < m; ++i) {
        Pk xi[J];
        DESCEND_UNROLL for (int j = 0; j < J; ++j) xi[j] = ei::ploadu<Pk>(x + i * ldx + j * W);
        DESCEND_UNROLL for (int c = 0; c < C; ++c) {
            const Pk rc = ei::pset1<Pk>(r[c * ldr + i]);
            DESCEND_UNROLL for (int j = 0; j < J; ++j) acc[c][j] = ei::pmadd(xi[j], rc, acc[c][j]);
        }
    }
    DESCEND_UNROLL for (int c = 0; c < C; ++c)
        DESCEND_UNROLL for (int j = 0; j < J; ++j) ei::pstoreu(g + c * ldg + j * W, acc[c][j]);
}

template <class Pk, int C>
inline void transpose_columns(Index j, Index d, const double* x, Index ldx, Index m, const double* r, Index ldr,
                              double* g, Index ldg) {
    constexpr Index W = ei::unpacket_traits<Pk>::size;
    constexpr int J = W >= 8 ? 4 : 2;
    for (; j + J * W <= d; j += J * W) transpose_tile<Pk, J, C>(x + j, ldx, m, r, ldr, g + j, ldg);
    for (; j + W <= d; j += W) transpose_tile<Pk, 1, C>(x + j, ldx, m, r, ldr, g + j, ldg);
    if constexpr (W > 1) {
        using Half = typename ei::unpacket_traits<Pk>::half;
        using Next = std::conditional_t<(ei::unpacket_traits<Half>::size < W), Half, double>;
        if (j < d) transpose_columns<Next, C>(j, d, x, ldx, m, r, ldr, g, ldg);
    }
}

// G (d×K, column-major, leading dimension d) += X_bᵀ·R, X_b row-major (outer stride ldx), R m×K column-major.
inline void add_transpose(const double* x, Index ldx, Index m, Index d, const double* r, Index K, double* g) {
    constexpr int C = 5;
    for (Index k = 0; k < K; k += C) {
        const double* rk = r + k * m;
        double* gk = g + k * d;
        switch (std::min<Index>(C, K - k)) {
            case 5: transpose_columns<Packet, 5>(0, d, x, ldx, m, rk, m, gk, d); break;
            case 4: transpose_columns<Packet, 4>(0, d, x, ldx, m, rk, m, gk, d); break;
            case 3: transpose_columns<Packet, 3>(0, d, x, ldx, m, rk, m, gk, d); break;
            case 2: transpose_columns<Packet, 2>(0, d, x, ldx, m, rk, m, gk, d); break;
            default: transpose_columns<Packet, 1>(0, d, x, ldx, m, rk, m, gk, d); break;
        }
    }
}
#undef DESCEND_UNROLL
}  // namespace simd
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/// The gradient's layout that add_transpose_multi takes for blocks of design D: column-major
/// for dense row-major blocks (the kernel above), row-major otherwise.
template <class D>
struct multi_gradient {
    using type = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
};

template <class D, class Zs>
void matmat(const Eigen::MatrixBase<D>& Xb, const MultiCoefficients& C, Zs& Z) {
    Z.resize(Xb.rows(), C.K);
    if constexpr (D::IsRowMajor && bool(D::Flags & Eigen::DirectAccessBit)) {
        simd::logits(Xb.derived().data(), Xb.derived().outerStride(), Xb.rows(), Xb.cols(), C, Z.data());
    } else {
        Z.matrix().noalias() = Xb * C.W.leftCols(C.K);
        Z.rowwise() += C.b.head(C.K).array();
    }
}

template <class D, class Rs, class G>
void add_transpose_multi(const Eigen::MatrixBase<D>& Xb, const Rs& R, G& Gm) {
    if constexpr (D::IsRowMajor && bool(D::Flags & Eigen::DirectAccessBit) && !G::IsRowMajor) {
        simd::add_transpose(Xb.derived().data(), Xb.derived().outerStride(), Xb.rows(), Xb.cols(), R.data(),
                            R.cols(), Gm.data());
    } else {
        Gm.noalias() += Xb.transpose() * R.matrix();
    }
}

// ---------------------------------------------------------------------------
// Sparse blocks: m rows in CSR form. Row i's entries are k in [outer[i], outer[i+1]),
// at column inner[k] with value values[k]; duplicates are summed.

template <class Scalar, class StorageIndex>
struct CsrRows {
    const StorageIndex* outer;  // m + 1 offsets into inner and values
    const StorageIndex* inner;
    const Scalar* values;
    Index m;
    Index rows() const { return m; }
};

template <class Scalar, class StorageIndex, class V>
void matvec(const CsrRows<Scalar, StorageIndex>& B, const V& v, Array& z) {
    z.resize(B.m);
    const double* w = v.data();
    // Four partial sums: a row's products do not wait on one another (a fixed order: same bits).
    for (Index i = 0; i < B.m; ++i) {
        double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
        auto k = B.outer[i];
        const auto end = B.outer[i + 1];
        for (; k + 4 <= end; k += 4) {
            s0 += static_cast<double>(B.values[k]) * w[B.inner[k]];
            s1 += static_cast<double>(B.values[k + 1]) * w[B.inner[k + 1]];
            s2 += static_cast<double>(B.values[k + 2]) * w[B.inner[k + 2]];
            s3 += static_cast<double>(B.values[k + 3]) * w[B.inner[k + 3]];
        }
        for (; k < end; ++k) s0 += static_cast<double>(B.values[k]) * w[B.inner[k]];
        z[i] = (s0 + s1) + (s2 + s3);
    }
}

template <class Scalar, class StorageIndex, class G>
void add_transpose(const CsrRows<Scalar, StorageIndex>& B, const Array& r, G&& g) {
    double* out = g.data();
    for (Index i = 0; i < B.m; ++i) {
        const double ri = r[i];
        if (ri == 0.0) continue;
        for (auto k = B.outer[i]; k < B.outer[i + 1]; ++k) out[B.inner[k]] += ri * static_cast<double>(B.values[k]);
    }
}

template <class Scalar, class StorageIndex, class G>
void add_squares(const CsrRows<Scalar, StorageIndex>& B, const Array& c, G&& g) {
    double* out = g.data();
    for (Index i = 0; i < B.m; ++i) {
        const double ci = c[i];
        if (ci == 0.0) continue;
        for (auto k = B.outer[i]; k < B.outer[i + 1]; ++k) {
            const double v = static_cast<double>(B.values[k]);
            out[B.inner[k]] += ci * v * v;
        }
    }
}

// Σᵢ cᵢ·x̃ᵢx̃ᵢᵀ over the rows' pairs of non-zeros: O(nnz(row)²) a row, into the lower triangle.
// Two entries of one row in the same column (a duplicate) meet in both orders on the diagonal.
// Any sign of c; H may be a block of a larger matrix (its (d+1)-th row is the intercept's).
template <class Scalar, class StorageIndex, class HB>
void add_sandwich(const CsrRows<Scalar, StorageIndex>& B, const Array& c, bool intercept, HB&& H,
                  SandwichScratch&) {
    double* h = H.data();
    const Index ld = H.outerStride();
    const Index last = H.rows() - 1;  // the intercept's row
    for (Index i = 0; i < B.m; ++i) {
        const double ci = c[i];
        if (ci == 0.0) continue;
        const auto begin = B.outer[i], end = B.outer[i + 1];
        for (auto k = begin; k < end; ++k) {
            const double a = ci * static_cast<double>(B.values[k]);
            const Index jk = B.inner[k];
            for (auto l = begin; l < k; ++l) {
                const Index jl = B.inner[l];
                const double v = a * static_cast<double>(B.values[l]);
                if (jk > jl) h[jk + jl * ld] += v;
                else if (jk < jl) h[jl + jk * ld] += v;
                else h[jk + jk * ld] += 2.0 * v;
            }
            h[jk + jk * ld] += a * static_cast<double>(B.values[k]);
            if (intercept) h[last + jk * ld] += a;
        }
        if (intercept) h[last + last * ld] += ci;
    }
}

template <class Scalar, class StorageIndex, class HB>
void add_signed_gram(const CsrRows<Scalar, StorageIndex>& B, const Array& c, bool intercept, HB&& H,
                     SandwichScratch& scratch) {
    add_sandwich(B, c, intercept, H, scratch);
}

template <class Scalar, class StorageIndex, class Zs>
void matmat(const CsrRows<Scalar, StorageIndex>& B, const MultiCoefficients& C, Zs& Z) {
    const Index K = C.K, ldw = C.W.cols();
    Z.resize(B.m, K);
    Z.rowwise() = C.b.head(K).array();
    for (Index i = 0; i < B.m; ++i) {
        for (auto k = B.outer[i]; k < B.outer[i + 1]; ++k) {
            const double v = static_cast<double>(B.values[k]);
            const double* w = C.W.data() + static_cast<Index>(B.inner[k]) * ldw;
            for (Index l = 0; l < K; ++l) Z(i, l) += v * w[l];
        }
    }
}

template <class Scalar, class StorageIndex, class Rs, class G>
void add_transpose_multi(const CsrRows<Scalar, StorageIndex>& B, const Rs& R, G& Gm) {
    const Index K = Gm.cols();
    for (Index i = 0; i < B.m; ++i) {
        for (auto k = B.outer[i]; k < B.outer[i + 1]; ++k) {
            const double v = static_cast<double>(B.values[k]);
            double* g = Gm.data() + static_cast<Index>(B.inner[k]) * K;
            for (Index l = 0; l < K; ++l) g[l] += v * R(i, l);
        }
    }
}

// Rows [r0, r0 + m) of CSC X: column j's entries in them are k in [first[j], last[j]).

template <class Scalar, class StorageIndex>
struct CscRows {
    const StorageIndex* first;
    const StorageIndex* last;
    const StorageIndex* inner;  // row indices (absolute)
    const Scalar* values;
    Index r0, m, d;
    Index rows() const { return m; }
};

template <class Scalar, class StorageIndex, class V>
void matvec(const CscRows<Scalar, StorageIndex>& B, const V& v, Array& z) {
    z.setZero(B.m);
    const double* w = v.data();
    double* out = z.data() - B.r0;
    for (Index j = 0; j < B.d; ++j) {
        const double wj = w[j];
        if (wj == 0.0) continue;
        for (auto k = B.first[j]; k < B.last[j]; ++k) out[B.inner[k]] += wj * static_cast<double>(B.values[k]);
    }
}

template <class Scalar, class StorageIndex, class G>
void add_transpose(const CscRows<Scalar, StorageIndex>& B, const Array& r, G&& g) {
    double* out = g.data();
    const double* rb = r.data() - B.r0;
    for (Index j = 0; j < B.d; ++j) {
        double sum = 0.0;
        for (auto k = B.first[j]; k < B.last[j]; ++k) sum += static_cast<double>(B.values[k]) * rb[B.inner[k]];
        out[j] += sum;
    }
}

template <class Scalar, class StorageIndex, class G>
void add_squares(const CscRows<Scalar, StorageIndex>& B, const Array& c, G&& g) {
    double* out = g.data();
    const double* cb = c.data() - B.r0;
    for (Index j = 0; j < B.d; ++j) {
        double sum = 0.0;
        for (auto k = B.first[j]; k < B.last[j]; ++k) {
            const double v = static_cast<double>(B.values[k]);
            sum += v * v * cb[B.inner[k]];
        }
        out[j] += sum;
    }
}

// The block's rows gathered into CSR form (a counting sort), then the CSR sandwich.
template <class Scalar, class StorageIndex, class Zs>
void matmat(const CscRows<Scalar, StorageIndex>& B, const MultiCoefficients& C, Zs& Z) {
    const Index K = C.K;
    Z.resize(B.m, K);
    Z.rowwise() = C.b.head(K).array();
    for (Index j = 0; j < B.d; ++j) {
        const double* w = C.W.data() + j * C.W.cols();
        for (auto k = B.first[j]; k < B.last[j]; ++k) {
            const double v = static_cast<double>(B.values[k]);
            const Index i = static_cast<Index>(B.inner[k]) - B.r0;
            for (Index l = 0; l < K; ++l) Z(i, l) += v * w[l];
        }
    }
}

template <class Scalar, class StorageIndex, class Rs, class G>
void add_transpose_multi(const CscRows<Scalar, StorageIndex>& B, const Rs& R, G& Gm) {
    const Index K = Gm.cols();
    for (Index j = 0; j < B.d; ++j) {
        double* g = Gm.data() + j * K;
        for (auto k = B.first[j]; k < B.last[j]; ++k) {
            const double v = static_cast<double>(B.values[k]);
            const Index i = static_cast<Index>(B.inner[k]) - B.r0;
            for (Index l = 0; l < K; ++l) g[l] += v * R(i, l);
        }
    }
}

template <class Scalar, class StorageIndex, class HB>
void add_signed_gram(const CscRows<Scalar, StorageIndex>& B, const Array& c, bool intercept, HB&& H,
                     SandwichScratch& scratch) {
    add_sandwich(B, c, intercept, H, scratch);
}

template <class Scalar, class StorageIndex, class HB>
void add_sandwich(const CscRows<Scalar, StorageIndex>& B, const Array& c, bool intercept, HB&& H,
                  SandwichScratch& scratch) {
    std::vector<StorageIndex> outer(static_cast<std::size_t>(B.m + 1), 0);
    for (Index j = 0; j < B.d; ++j)
        for (auto k = B.first[j]; k < B.last[j]; ++k) ++outer[B.inner[k] - B.r0 + 1];
    for (Index i = 0; i < B.m; ++i) outer[i + 1] += outer[i];
    std::vector<StorageIndex> next(outer.begin(), outer.end() - 1), inner(static_cast<std::size_t>(outer[B.m]));
    std::vector<Scalar> values(inner.size());
    for (Index j = 0; j < B.d; ++j)
        for (auto k = B.first[j]; k < B.last[j]; ++k) {
            const auto slot = next[B.inner[k] - B.r0]++;
            inner[slot] = static_cast<StorageIndex>(j);
            values[slot] = B.values[k];
        }
    add_sandwich(CsrRows<Scalar, StorageIndex>{outer.data(), inner.data(), values.data(), B.m}, c, intercept, H, scratch);
}

// ---------------------------------------------------------------------------
// Designs: the layouts, each iterating rows [begin, end) in blocks and calling
// f(r0, block) until f returns false.

// Rows per dense block: a block of X stays in cache between the pass that forms
// z = X_b·w and the one that forms X_bᵀ·r, so X is read from memory once.
// Measured (500k×100 … 4M×5, both orders, both dtypes): blocks of about 32 KB
// of float64 (L1-sized; float32 is widened into such a block) are fastest, but
// a column-major block is d separate runs of memory, and the hardware
// prefetcher follows them well only when each is long: at least 256 rows.
// The Hessian's rank-k updates want k ≥ 256 to amortise their packing.
inline Index dense_block_rows(Index d, bool row_major, bool hessian) {
    const Index rows = (32 * 1024) / (std::max<Index>(d, 1) * static_cast<Index>(sizeof(double)));
    const Index at_least = hessian || !row_major ? 256 : 32;
    return std::clamp<Index>(rows, at_least, 8192);
}

template <class View>
class DenseDesign {
public:
    using Scalar = typename View::Scalar;
    static constexpr bool row_major = View::IsRowMajor;
    using Block = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, row_major ? Eigen::RowMajor : Eigen::ColMajor>;

    explicit DenseDesign(const View& X) : X_(X) {}
    Index rows() const { return X_.rows(); }
    Index cols() const { return X_.cols(); }
    /// The work of one pass, in entries read (to decide how many threads are worth it).
    Index work() const { return X_.rows() * std::max<Index>(X_.cols(), 1); }
    /// The first row of thread t's share: equal row counts.
    Index boundary(int t, int threads) const { return X_.rows() * t / threads; }

    template <class F>
    void for_each_block(Index begin, Index end, bool hessian, F&& f) const {
        const Index rows = dense_block_rows(X_.cols(), row_major, hessian);
        Block converted;
        for (Index r0 = begin; r0 < end; r0 += rows) {
            const Index m = std::min(rows, end - r0);
            if constexpr (std::is_same_v<Scalar, double>) {
                if (!f(r0, X_.middleRows(r0, m))) return;
            } else {
                widen(r0, m, converted);
                if (!f(r0, converted)) return;
            }
        }
    }

    void validate() const {
        if (!X_.allFinite()) throw std::invalid_argument("X must contain only finite values (no NaN or inf)");
    }

private:
    // Rows [r0, r0 + m) of float32 X, widened to float64.
    void widen(Index r0, Index m, Block& out) const {
        using Floats = Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>>;
        using Doubles = Eigen::Map<Eigen::ArrayXd>;
        const Index d = X_.cols();
        out.resize(m, d);
        if (row_major && X_.outerStride() == d) {
            // The block is one contiguous run: widen it flat (row by row is slow for short rows).
            Doubles(out.data(), m * d) = Floats(X_.data() + r0 * d, m * d).template cast<double>();
        } else if (row_major) {
            for (Index i = 0; i < m; ++i)
                Doubles(out.data() + i * d, d) = Floats(X_.data() + (r0 + i) * X_.outerStride(), d).template cast<double>();
        } else {
            for (Index j = 0; j < d; ++j)
                Doubles(out.data() + j * m, m) = Floats(X_.data() + j * X_.outerStride() + r0, m).template cast<double>();
        }
    }

    const View& X_;
};

// Checks the compressed arrays: outer pointers from 0 to nnz, non-decreasing; inner indices
// in range (and, where asked, increasing within each outer slice); finite values.
template <class View>
void validate_sparse(const View& X, bool sorted, const char* inner_name, const char* outer_name) {
    using StorageIndex = typename View::StorageIndex;
    const Index outer_size = X.outerSize(), inner_size = X.innerSize();
    const StorageIndex* outer = X.outerIndexPtr();
    const StorageIndex* inner = X.innerIndexPtr();
    const std::string what = std::string("X (") + (View::IsRowMajor ? "CSR" : "CSC") + ") ";
    if (outer[0] != 0 || outer[outer_size] != X.nonZeros())
        throw std::invalid_argument(what + "must have " + outer_name + " pointers from 0 to the number of non-zeros");
    for (Index o = 0; o < outer_size; ++o) {
        if (outer[o + 1] < outer[o])
            throw std::invalid_argument(what + "must have non-decreasing " + outer_name + " pointers (indptr)");
        for (auto k = outer[o]; k < outer[o + 1]; ++k) {
            if (inner[k] < 0 || inner[k] >= inner_size)
                throw std::invalid_argument(what + "has a " + inner_name + " index out of range (indices)");
            if (sorted && k > outer[o] && inner[k] < inner[k - 1])
                throw std::invalid_argument(what + "must have sorted " + inner_name +
                                            " indices in each column: call X.sort_indices()");
        }
    }
    const Eigen::Map<const Eigen::Array<typename View::Scalar, Eigen::Dynamic, 1>> values(X.valuePtr(), X.nonZeros());
    if (!values.allFinite()) throw std::invalid_argument("X must contain only finite values (no NaN or inf)");
}

// Rows per sparse block: about 4 096 non-zeros (z, r and the block's entries stay in cache).
inline Index sparse_block_rows(Index n, Index nnz) {
    const Index per_row = std::max<Index>(1, nnz / std::max<Index>(n, 1));
    return std::clamp<Index>(4096 / per_row, 16, 8192);
}

template <class View>
class CsrDesign {
public:
    using Scalar = typename View::Scalar;
    using StorageIndex = typename View::StorageIndex;

    explicit CsrDesign(const View& X) : X_(X) {}
    Index rows() const { return X_.rows(); }
    Index cols() const { return X_.cols(); }
    Index work() const { return X_.nonZeros() + X_.rows(); }
    /// The first row of thread t's share: equal numbers of non-zeros.
    Index boundary(int t, int threads) const {
        if (t == 0) return 0;
        if (t == threads) return X_.rows();
        const StorageIndex* outer = X_.outerIndexPtr();
        const auto target = static_cast<StorageIndex>(static_cast<double>(X_.nonZeros()) * t / threads);
        return std::lower_bound(outer, outer + X_.rows() + 1, target) - outer;
    }

    template <class F>
    void for_each_block(Index begin, Index end, bool, F&& f) const {
        const Index rows = sparse_block_rows(X_.rows(), X_.nonZeros());
        for (Index r0 = begin; r0 < end; r0 += rows) {
            const Index m = std::min(rows, end - r0);
            const CsrRows<Scalar, StorageIndex> block{X_.outerIndexPtr() + r0, X_.innerIndexPtr(), X_.valuePtr(), m};
            if (!f(r0, block)) return;
        }
    }

    void validate() const { validate_sparse(X_, false, "column", "row"); }

private:
    const View& X_;
};

// Entries per column a CSC block holds at least, on average (measured: 8 is slower, 128 no faster).
constexpr Index kCscEntriesPerColumn = 32;

template <class View>
class CscDesign {
public:
    using Scalar = typename View::Scalar;
    using StorageIndex = typename View::StorageIndex;

    explicit CscDesign(const View& X) : X_(X) {}
    Index rows() const { return X_.rows(); }
    Index cols() const { return X_.cols(); }
    Index work() const { return X_.nonZeros() + X_.rows() + X_.cols(); }
    Index boundary(int t, int threads) const { return X_.rows() * t / threads; }

    // A block is rows [r0, r0 + m) of every column: with a cursor per column that only moves
    // forward (row indices are sorted in each column), column j's entries in the block are
    // [begin[j], end[j]). A block costs O(d) for the cursors besides its entries, so blocks hold
    // at least kCscEntriesPerColumn entries per column on average.
    template <class F>
    void for_each_block(Index begin, Index end, bool, F&& f) const {
        const Index n = X_.rows(), d = X_.cols();
        const StorageIndex* outer = X_.outerIndexPtr();
        const StorageIndex* inner = X_.innerIndexPtr();
        const Index per_row = std::max<Index>(1, X_.nonZeros() / std::max<Index>(n, 1));
        const Index rows = std::max(sparse_block_rows(n, X_.nonZeros()), kCscEntriesPerColumn * d / per_row + 1);
        std::vector<StorageIndex> first(static_cast<std::size_t>(d)), last(static_cast<std::size_t>(d));
        for (Index j = 0; j < d; ++j)
            last[j] = static_cast<StorageIndex>(
                std::lower_bound(inner + outer[j], inner + outer[j + 1], static_cast<StorageIndex>(begin)) - inner);
        for (Index r0 = begin; r0 < end; r0 += rows) {
            const Index m = std::min(rows, end - r0);
            const auto stop = static_cast<StorageIndex>(r0 + m);
            for (Index j = 0; j < d; ++j) {
                auto k = first[j] = last[j];
                const auto column_end = outer[j + 1];
                while (k < column_end && inner[k] < stop) ++k;
                last[j] = k;
            }
            const CscRows<Scalar, StorageIndex> block{first.data(), last.data(), inner, X_.valuePtr(), r0, m, d};
            if (!f(r0, block)) return;
        }
    }

    void validate() const { validate_sparse(X_, true, "row", "column"); }

private:
    const View& X_;
};

template <class View>
struct multi_gradient<DenseDesign<View>> {
    using type = std::conditional_t<DenseDesign<View>::row_major, Matrix,
                                    Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>;
};
template <class D>
using multi_gradient_t = typename multi_gradient<D>::type;

/// The design of a view: DenseDesign, CsrDesign or CscDesign.
template <class View>
auto design_of(const View& X) {
    if constexpr (std::is_base_of_v<Eigen::SparseMatrixBase<View>, View>) {
        if constexpr (View::IsRowMajor) return CsrDesign<View>(X);
        else return CscDesign<View>(X);
    } else {
        return DenseDesign<View>(X);
    }
}

}  // namespace descend::detail
