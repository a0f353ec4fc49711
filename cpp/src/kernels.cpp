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

// One pass of a loss over a design: for each block of rows, z = X_b·w + b, the loss and its
// derivatives, then whatever `want` asks for, accumulated into one thread's share.
template <class LossT, class D>
class Pass {
public:
    Pass(const D& X, const Vector& y, const Vector& s, bool intercept, const Vector* shift = nullptr)
        : X_(X), y_(y), s_(s), intercept_(intercept), shift_(shift) {}

    // Calls f(r0, X_b) for the blocks of rows [begin, end), with the shift c subtracted from every
    // row of a dense block first (into a buffer the size of the block): (x − c)ᵀw is then formed
    // from the differences, never as xᵀw − cᵀw, which would cancel for data far from the origin.
    template <class F>
    void blocks(Index begin, Index end, bool hessian, F&& f) const {
        RowBlock shifted_rows;
        ColBlock shifted_cols;
        X_.for_each_block(begin, end, hessian, [&](Index r0, const auto& Xb) {
            using B = std::decay_t<decltype(Xb)>;
            if constexpr (std::is_base_of_v<Eigen::MatrixBase<B>, B>) {
                if (shift_ != nullptr) {
                    auto& shifted = [&]() -> auto& {
                        if constexpr (B::IsRowMajor) return shifted_rows;
                        else return shifted_cols;
                    }();
                    shifted.noalias() = Xb.rowwise() - shift_->transpose();
                    return f(r0, shifted);
                }
            }
            return f(r0, Xb);
        });
    }

    // Accumulates rows [begin, end) into acc; unnormalised (no 1/S, no λ).
    void run(Index begin, Index end, const Vector& w, const Want& want, Accumulator& acc,
             std::atomic<bool>& stop, InterruptPoller* poller) const {
        const Index d = X_.cols();
        const double b = intercept_ ? w[d] : 0.0;
        const auto w_head = w.head(d);
        detail::Array z, loss, d1, d2, u;  // per-block buffers, reused
        detail::SandwichScratch scratch;

        blocks(begin, end, want.hessian, [&](Index r0, const auto& Xb) {
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
        blocks(begin, end, false, [&](Index r0, const auto& Xb) {
            detail::matvec(Xb, w.head(d), z);
            out.segment(r0, z.size()) = (z + b).matrix();
            return true;
        });
    }

private:
    using RowBlock = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using ColBlock = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
    const D& X_;
    const Vector& y_;
    const Vector& s_;
    bool intercept_;
    const Vector* shift_;  // null: none
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


Accumulator accumulate_any(const PassInput& in, const Vector& w, const Want& want) {
    return with_loss(in.loss, [&](auto loss) {
        return with_design(*in.X, [&](const auto& design) {
            return accumulate<decltype(loss)>(design, *in.y, *in.s, in.intercept, in.shift, in.threads, w, want);
        });
    });
}

void decision_any(const PassInput& in, const Vector& w, Vector& out) {
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
