// The passes over X, compiled once per instruction-set level (kernels.hpp says how and why).
//
// Everything here has internal linkage but the entry point descend_kernels_<level>(), and the
// build localises the rest (Eigen's and the standard library's templates included), so each
// level's copy calls only its own code.
#include "descend/interrupt.hpp"
#include "designs.hpp"
#include "kernels.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#ifndef DESCEND_LEVEL_NAME
#error "kernels.cpp is compiled once per level, with -DDESCEND_LEVEL_NAME=<level> (CMakeLists.txt)"
#endif
#define DESCEND_STRING2(x) #x
#define DESCEND_STRING(x) DESCEND_STRING2(x)
#define DESCEND_PASTE2(a, b) a##b
#define DESCEND_PASTE(a, b) DESCEND_PASTE2(a, b)

namespace descend::detail {
namespace {

// Calls poll_interrupt() from the starting thread at most every 20 ms.
class InterruptPoller {
public:
    explicit InterruptPoller(std::atomic<bool>& stop) : stop_(stop), last_(Clock::now()) {}
    void tick() {
        const auto now = Clock::now();
        if (now - last_ < std::chrono::milliseconds(20)) return;
        last_ = now;
        try {
            poll_interrupt();
        } catch (...) {
            stop_.store(true);
            throw;
        }
    }

private:
    using Clock = std::chrono::steady_clock;
    std::atomic<bool>& stop_;
    Clock::time_point last_;
};

// Calls f(r0, X_b) for the blocks of rows [begin, end) of X, with the shift c subtracted from every
// row of a dense block first (into a buffer the size of the block): (x − c)ᵀw is then formed
// from the differences, never as xᵀw − cᵀw, which would cancel for data far from the origin.
template <class D, class F>
void for_each_block(const D& X, const Vector* shift, Index begin, Index end, bool hessian, F&& f) {
    using RowBlock = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using ColBlock = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
    RowBlock shifted_rows;
    ColBlock shifted_cols;
    X.for_each_block(begin, end, hessian, [&](Index r0, const auto& Xb) {
        using B = std::decay_t<decltype(Xb)>;
        if constexpr (std::is_base_of_v<Eigen::MatrixBase<B>, B>) {
            if (shift != nullptr) {
                auto& shifted = [&]() -> auto& {
                    if constexpr (B::IsRowMajor) return shifted_rows;
                    else return shifted_cols;
                }();
                shifted.noalias() = Xb.rowwise() - shift->transpose();
                return f(r0, shifted);
            }
        }
        return f(r0, Xb);
    });
}

// One pass of a loss over a design: for each block of rows, z = X_b·w + b, the loss and its
// derivatives, then whatever `want` asks for, accumulated into one thread's share.
template <class LossT, class D>
class Pass {
public:
    Pass(const D& X, const Vector& y, const Vector& s, bool intercept, const Vector* shift = nullptr)
        : X_(X), y_(y), s_(s), intercept_(intercept), shift_(shift) {}

    // Accumulates rows [begin, end) into acc; unnormalised (no 1/S, no λ).
    void run(Index begin, Index end, const Vector& w, const Want& want, Accumulator& acc,
             std::atomic<bool>& stop, InterruptPoller* poller) const {
        const Index d = X_.cols();
        const double b = intercept_ ? w[d] : 0.0;
        const auto w_head = w.head(d);
        detail::Array z, loss, d1, d2, u;  // per-block buffers, reused
        detail::SandwichScratch scratch;

        for_each_block(X_, shift_, begin, end, want.hessian, [&](Index r0, const auto& Xb) {
            if (stop.load(std::memory_order_relaxed)) return false;
            if (poller) poller->tick();
            const Index m = Xb.rows();
            if (want.gram) {
                d2 = want.gram->segment(r0, m).array();
            } else {
                detail::matvec(Xb, w_head, z);
                z += b;
            }
            const auto yb = y_.segment(r0, m).array();
            if (want.value || want.gradient) {
                loss.resize(m);
                d1.resize(m);
                LossT::block(z, yb, loss, d1);
                if (s_.size() != 0) {
                    const auto sb = s_.segment(r0, m).array();
                    loss *= sb;
                    d1 *= sb;
                }
                acc.value += loss.sum();
                if (want.gradient) {
                    detail::add_transpose(Xb, d1, acc.gradient.head(d));
                    if (intercept_) acc.gradient[d] += d1.sum();
                }
            }
            if (want.scores) {
                loss.resize(m);
                d2.resize(m);
                LossT::block(z, yb, loss, d2);
                if (s_.size() != 0) d2 *= s_.segment(r0, m).array();
                d2 = d2.square();
            } else if ((want.hessian || want.direction || want.diagonal) && !want.gram) {
                d2.resize(m);
                LossT::block_second(z, d2);
                if (s_.size() != 0) d2 *= s_.segment(r0, m).array();
                if (want.keep_curvature) want.keep_curvature->segment(r0, m) = d2.matrix();
            }
            if (want.hessian) detail::add_sandwich(Xb, d2, intercept_, acc.hessian, scratch);
            if (want.diagonal) {
                detail::add_squares(Xb, d2, acc.product.head(d));
                if (intercept_) acc.product[d] += d2.sum();
            }
            if (want.direction) {
                const Vector& v = *want.direction;
                detail::matvec(Xb, v.head(d), u);
                u += intercept_ ? v[d] : 0.0;
                u *= d2;
                detail::add_transpose(Xb, u, acc.product.head(d));
                if (intercept_) acc.product[d] += u.sum();
            }
            return true;
        });
    }

    // Writes X·w + b for rows [begin, end) into out.
    void decision(Index begin, Index end, const Vector& w, Vector& out) const {
        const Index d = X_.cols();
        const double b = intercept_ ? w[d] : 0.0;
        detail::Array z;
        for_each_block(X_, shift_, begin, end, false, [&](Index r0, const auto& Xb) {
            detail::matvec(Xb, w.head(d), z);
            out.segment(r0, z.size()) = (z + b).matrix();
            return true;
        });
    }

private:
    const D& X_;
    const Vector& y_;
    const Vector& s_;
    bool intercept_;
    const Vector* shift_;  // null: none
};

// The softmax cross-entropy's pass (losses.hpp: Multinomial): K logits per row, Z_b = X_b·W + 1bᵀ.
// The parameters are [vec(W), b]: W (d×K) class by class (column k is class k's coefficients),
// then the K intercepts. Per block, with R = s∘(P − Y) and, for the curvature, the K(K+1)/2
// weight vectors cₖₗ = s∘pₖ(1 − pₖ) (k = l) or −s∘pₖpₗ (k ≠ l):
//   gradient        G_W += X_bᵀR,               g_b += 1ᵀR
//   Hessian         H[k, l] += X̃_bᵀ diag(cₖₗ) X̃_b   (a (d+1)-square block per pair of classes)
//   H·v             U = X̃_b·V, tᵢ = sᵢ(diag pᵢ − pᵢpᵢᵀ)uᵢ, i.e. tᵢₖ = sᵢpᵢₖ Σₗ pᵢₗ(uᵢₖ − uᵢₗ)
//                   (no 1 − p rounded, as in the Hessian's weights), then X̃_bᵀT
// The Hessian is accumulated with each class's intercept after its coefficients (blocks of d + 1)
// and put into the parameters' order once, after the reduction (assemble).
template <class D>
class MultinomialPass {
public:
    MultinomialPass(const D& X, const Vector& y, const Vector& s, bool intercept, const Vector* shift, Index K)
        : X_(X), y_(y), s_(s), intercept_(intercept), shift_(shift), K_(K) {}

    void run(Index begin, Index end, const Vector& w, const Want& want, Accumulator& acc, std::atomic<bool>& stop,
             InterruptPoller* poller) const {
        const Index d = X_.cols(), K = K_, q = d + (intercept_ ? 1 : 0);
        const MultiCoefficients W(w.data(), d, K, intercept_);
        const MultiCoefficients V = want.direction ? MultiCoefficients(want.direction->data(), d, K, intercept_)
                                                   : MultiCoefficients(nullptr, 0, 0, false);
        ColArray Z, P, Q, R, U, T;
        Array loss, c, top, rest;
        multi_gradient_t<D> G, HV;
        if (want.gradient) G.setZero(d, K);
        if (want.direction) HV.setZero(d, K);
        SandwichScratch scratch;
        const bool curvature = want.hessian || want.diagonal;

        for_each_block(X_, shift_, begin, end, want.hessian, [&](Index r0, const auto& Xb) {
            if (stop.load(std::memory_order_relaxed)) return false;
            if (poller) poller->tick();
            const Index m = Xb.rows();
            if (want.gram) {
                P = Eigen::Map<const RowArray>(want.gram->data() + r0 * K, m, K);
                // The kept p's top class (the first largest p, as block's largest logit) and 1 − p_top summed.
                const Array best = P.rowwise().maxCoeff();
                top.setConstant(m, static_cast<double>(K));
                for (Index l = K - 1; l >= 0; --l) top = (P.col(l) == best).select(static_cast<double>(l), top);
                rest.setZero(m);
                for (Index l = 0; l < K; ++l) rest += (top == static_cast<double>(l)).select(0.0, P.col(l));
            } else {
                matmat(Xb, W, Z);
                Multinomial::block(Z, y_.segment(r0, m), loss, P, top, rest);
                if (want.keep_curvature)
                    Eigen::Map<RowArray>(want.keep_curvature->data() + r0 * K, m, K) = P;
            }
            const bool weighted = s_.size() != 0;
            if (want.value) acc.value += weighted ? (loss * s_.segment(r0, m).array()).sum() : loss.sum();
            if (want.gradient || want.scores) {
                R = P;
                for (Index i = 0; i < m; ++i) {  // p_y − 1: −(1 − p_top) as summed where y is the top class
                    const auto label = static_cast<Index>(y_[r0 + i]);
                    R(i, label) = static_cast<double>(label) == top[i] ? -rest[i] : P(i, label) - 1.0;
                }
                if (weighted) R.colwise() *= s_.segment(r0, m).array();
                if (want.gradient) {
                    add_transpose_multi(Xb, R, G);
                    if (intercept_) acc.gradient.tail(K) += R.colwise().sum().transpose().matrix();
                }
            }
            if (curvature && !want.scores) Multinomial::complement(P, top, rest, Q);
            auto weights = [&](Index k, Index l) {
                if (want.scores) c = R.col(k) * R.col(l);
                else if (k == l) c = P.col(k) * Q.col(k);
                else c = -(P.col(k) * P.col(l));
                if (weighted && !want.scores) c *= s_.segment(r0, m).array();
            };
            if (want.hessian)
                for (Index k = 0; k < K; ++k)
                    for (Index l = 0; l <= k; ++l) {
                        weights(k, l);
                        add_signed_gram(Xb, c, intercept_, acc.hessian.block(k * q, l * q, q, q), scratch);
                    }
            if (want.diagonal)
                for (Index k = 0; k < K; ++k) {
                    weights(k, k);
                    add_squares(Xb, c, acc.product.segment(k * d, d));
                    if (intercept_) acc.product[K * d + k] += c.sum();
                }
            if (want.direction) {
                matmat(Xb, V, U);
                T.resize(m, K);
                for (Index k = 0; k < K; ++k) {
                    c.setZero(m);
                    for (Index l = 0; l < K; ++l) c += P.col(l) * (U.col(k) - U.col(l));
                    T.col(k) = P.col(k) * c;
                    if (weighted) T.col(k) *= s_.segment(r0, m).array();
                }
                add_transpose_multi(Xb, T, HV);
                if (intercept_) acc.product.tail(K) += T.colwise().sum().transpose().matrix();
            }
            return true;
        });
        if (want.gradient) Eigen::Map<Matrix>(acc.gradient.data(), d, K) += G;
        if (want.direction) Eigen::Map<Matrix>(acc.product.data(), d, K) += HV;
    }

    // Writes the n×K logits, row by row, into out (n·K entries).
    void decision(Index begin, Index end, const Vector& w, Vector& out) const {
        const Index d = X_.cols(), K = K_;
        const MultiCoefficients W(w.data(), d, K, intercept_);
        ColArray Z;
        for_each_block(X_, shift_, begin, end, false, [&](Index r0, const auto& Xb) {
            matmat(Xb, W, Z);
            Eigen::Map<RowArray>(out.data() + r0 * K, Z.rows(), K) = Z;
            return true;
        });
    }

    // The Hessian accumulated in blocks of d + 1 per class (lower triangles of the blocks k ≥ l),
    // in the parameters' order [vec(W), b] and both triangles.
    Matrix assemble(const Matrix& blocks) const {
        const Index d = X_.cols(), K = K_, q = d + (intercept_ ? 1 : 0), p = K * q;
        auto index = [&](Index k, Index j) { return j < d ? k * d + j : K * d + k; };
        Matrix H(p, p);
        for (Index k = 0; k < K; ++k)
            for (Index l = 0; l <= k; ++l)
                for (Index j = 0; j < q; ++j)
                    for (Index i = k == l ? j : 0; i < q; ++i) {
                        const double h = i >= j ? blocks(k * q + i, l * q + j) : blocks(k * q + j, l * q + i);
                        H(index(k, i), index(l, j)) = H(index(l, j), index(k, i)) = h;
                    }
        return H;
    }

private:
    using RowArray = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using ColArray = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

    const D& X_;
    const Vector& y_;
    const Vector& s_;
    bool intercept_;
    const Vector* shift_;
    Index K_;
};

// Splits the rows into `threads` contiguous ranges at the design's boundaries, runs one per
// thread (the first on the calling thread, which also polls for interrupts), and reduces
// the accumulators in thread order: the same n_threads gives the same bits.
template <class D, class Work>
Accumulator parallel_accumulate(const D& design, int threads, const Want& want, Index p, Work&& work) {
    std::vector<Accumulator> parts(static_cast<std::size_t>(threads));
    for (auto& part : parts) part.init(want, p);
    std::atomic<bool> stop{false};
    std::vector<std::exception_ptr> errors(parts.size());
    auto range = [&](int t) { return std::make_pair(design.boundary(t, threads), design.boundary(t + 1, threads)); };
    std::vector<std::thread> pool;
    pool.reserve(parts.size());
    for (int t = 1; t < threads; ++t) {
        pool.emplace_back([&, t] {
            try {
                const auto [begin, end] = range(t);
                work(begin, end, parts[static_cast<std::size_t>(t)], stop, nullptr);
            } catch (...) {
                errors[static_cast<std::size_t>(t)] = std::current_exception();
                stop.store(true);
            }
        });
    }
    InterruptPoller poller(stop);
    try {
        const auto [begin, end] = range(0);
        work(begin, end, parts[0], stop, &poller);
    } catch (...) {
        errors[0] = std::current_exception();
        stop.store(true);
    }
    for (auto& thread : pool) thread.join();
    for (auto& error : errors)
        if (error) std::rethrow_exception(error);
    for (std::size_t t = 1; t < parts.size(); ++t) parts[0].add(parts[t], want);
    return std::move(parts[0]);
}

/// Calls f(design) with the design (designs.hpp) of the layout X holds; the one place that
/// turns a Design into a type, as with_loss does for a LossKind.
template <class F>
decltype(auto) with_design(const Design& X, F&& f) {
    return std::visit([&](const auto& view) { return f(detail::design_of(view)); }, X);
}

template <class LossT, class D>
Accumulator accumulate(const D& X, const Vector& y, const Vector& s, bool intercept, const Vector* shift,
                       int threads, const Vector& w, const Want& want) {
    const Pass<LossT, D> pass(X, y, s, intercept, shift);
    const Index p = X.cols() + (intercept ? 1 : 0);
    return parallel_accumulate(X, threads, want, p,
                               [&](Index begin, Index end, Accumulator& acc, std::atomic<bool>& stop,
                                   InterruptPoller* poller) { pass.run(begin, end, w, want, acc, stop, poller); });
}


template <class D>
Accumulator accumulate_multinomial(const D& X, const PassInput& in, const Vector& w, const Want& want) {
    const MultinomialPass<D> pass(X, *in.y, *in.s, in.intercept, in.shift, in.classes);
    const Index p = in.classes * (X.cols() + (in.intercept ? 1 : 0));
    Accumulator acc = parallel_accumulate(
        X, in.threads, want, p, [&](Index begin, Index end, Accumulator& part, std::atomic<bool>& stop,
                                    InterruptPoller* poller) { pass.run(begin, end, w, want, part, stop, poller); });
    if (want.hessian) acc.hessian = pass.assemble(acc.hessian);
    return acc;
}

Accumulator accumulate_any(const PassInput& in, const Vector& w, const Want& want) {
    return with_loss(in.loss, [&](auto loss) {
        using Loss = decltype(loss);
        return with_design(*in.X, [&](const auto& design) {
            if constexpr (is_multiclass<Loss>()) return accumulate_multinomial(design, in, w, want);
            else return accumulate<Loss>(design, *in.y, *in.s, in.intercept, in.shift, in.threads, w, want);
        });
    });
}

void decision_any(const PassInput& in, const Vector& w, Vector& out) {
    if (in.loss == LossKind::Multinomial) {
        with_design(*in.X, [&](const auto& design) {
            const MultinomialPass<std::decay_t<decltype(design)>> pass(design, *in.y, *in.s, in.intercept, in.shift,
                                                                       in.classes);
            parallel_accumulate(design, in.threads, Want{}, 0,
                                [&](Index begin, Index end, Accumulator&, std::atomic<bool>&, InterruptPoller*) {
                                    pass.decision(begin, end, w, out);
                                });
        });
        return;
    }
    with_design(*in.X, [&](const auto& design) {
        const Pass<SquaredError, std::decay_t<decltype(design)>> pass(design, *in.y, *in.s, in.intercept, in.shift);
        Want none;
        parallel_accumulate(design, in.threads, none, 0,
                            [&](Index begin, Index end, Accumulator&, std::atomic<bool>&, InterruptPoller*) {
                                pass.decision(begin, end, w, out);
                            });
    });
}

const Kernels kernels{DESCEND_STRING(DESCEND_LEVEL_NAME), &accumulate_any, &decision_any};

}  // namespace
}  // namespace descend::detail

extern "C" __attribute__((visibility("default"))) const descend::detail::Kernels*
DESCEND_PASTE(descend_kernels_, DESCEND_LEVEL_NAME)() {
    return &descend::detail::kernels;
}
