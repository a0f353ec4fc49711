// The linear-model cost: one blocked pass over X per evaluation.
#include "descend/cost.hpp"
#include "descend/interrupt.hpp"
#include "designs.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace descend {

// ---------------------------------------------------------------------------
// Defaults of the Cost interface.

double Cost::value(const Vector& w) const {
    Vector g;
    return value_gradient(w, g);
}

bool Cost::hessian_diagonal(const Vector&, Vector&) const { return false; }

void Cost::hessian(const Vector&, Matrix&) const {
    throw std::logic_error("this cost has no hessian()");
}

void Cost::hessian_product(const Vector& w, const Vector& v, Vector& out) const {
    Matrix H;
    hessian(w, H);
    out.noalias() = H * v;
}

double Cost::value_gradient_hessian(const Vector& w, Vector& g, Matrix& H) const {
    const double f = value_gradient(w, g);
    hessian(w, H);
    return f;
}

Reduction parse_reduction(const std::string& name) {
    if (name == "mean") return Reduction::Mean;
    if (name == "sum") return Reduction::Sum;
    throw std::invalid_argument("reduction must be 'mean' or 'sum', got '" + name + "'");
}

namespace {

// ---------------------------------------------------------------------------
// What one pass computes, and one thread's share of it.

struct Want {
    bool value = false;
    bool gradient = false;
    bool hessian = false;
    const Vector* direction = nullptr;  // for the Hessian-vector product
    const Vector* gram = nullptr;       // Gram weights in place of s∘L″ (weighted_gram, a kept curvature): no z
    Vector* keep_curvature = nullptr;   // where to write s∘L″ per row, as it is formed
    bool diagonal = false;              // diag of the Hessian (the sandwich's diagonal), into product
    bool scores = false;                // (s∘L′)² in place of s∘L″ (score_gram)
};

struct Accumulator {
    double value = 0.0;
    Vector gradient;  // length d (+1 for the intercept)
    Matrix hessian;   // lower triangle, (d+1)²
    Vector product;   // H·v

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
    Pass(const D& X, const Vector& y, const Vector& s, bool intercept) : X_(X), y_(y), s_(s), intercept_(intercept) {}

    // Accumulates rows [begin, end) into acc; unnormalised (no 1/S, no λ).
    void run(Index begin, Index end, const Vector& w, const Want& want, Accumulator& acc,
             std::atomic<bool>& stop, InterruptPoller* poller) const {
        const Index d = X_.cols();
        const double b = intercept_ ? w[d] : 0.0;
        const auto w_head = w.head(d);
        detail::Array z, loss, d1, d2, u;  // per-block buffers, reused
        detail::SandwichScratch scratch;

        X_.for_each_block(begin, end, want.hessian, [&](Index r0, const auto& Xb) {
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
        X_.for_each_block(begin, end, false, [&](Index r0, const auto& Xb) {
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

void require(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument(message);
}

/// Calls f(design) with the design (designs.hpp) of the layout X holds; the one place that
/// turns a Design into a type, as with_loss does for a LossKind.
template <class F>
decltype(auto) with_design(const Design& X, F&& f) {
    return std::visit([&](const auto& view) { return f(detail::design_of(view)); }, X);
}

}  // namespace

const char* layout_name(const Design& X) {
    static const char* const names[] = {
        "float64, row-major", "float64, column-major", "float32, row-major", "float32, column-major",
        "float64, CSR, int32 indices", "float64, CSR, int64 indices", "float32, CSR, int32 indices",
        "float32, CSR, int64 indices", "float64, CSC, int32 indices", "float64, CSC, int64 indices",
        "float32, CSC, int32 indices", "float32, CSC, int64 indices"};
    static_assert(sizeof(names) / sizeof(names[0]) == std::variant_size_v<Design>, "a name for every layout");
    return names[X.index()];
}

// ---------------------------------------------------------------------------
// LinearModelCost

LinearModelCost::LinearModelCost(Design X, const Eigen::Ref<const Vector>& y, const LinearModelOptions& options,
                                 const Eigen::Ref<const Vector>& sample_weight)
    : X_(X), y_(y), s_(sample_weight), options_(options) {
    Index work = 0;
    with_design(X_, [&](const auto& design) {
        n_ = design.rows();
        d_ = design.cols();
        require(n_ >= 1, "X must have at least one row (sample)");
        require(d_ >= 1 || options.fit_intercept, "X must have at least one column (feature) without an intercept");
        design.validate();
        work = design.work();
    });
    require(y_.size() == n_, "y must have one entry per row of X: got " + std::to_string(y_.size()) +
                                 " entries for " + std::to_string(n_) + " rows");
    require(y_.allFinite(), "y must contain only finite values (no NaN or inf)");
    with_loss(options.loss, [&](auto loss) {
        using Loss = decltype(loss);
        const bool ok = y_.unaryExpr([](double t) { return Loss::in_domain(t); }).all();
        require(ok, std::string("y must ") + Loss::domain + " for " + Loss::name + Loss::hint);
    });
    require(std::isfinite(options.l2) && options.l2 >= 0.0, "l2 must be a finite number >= 0, got " +
                                                                 std::to_string(options.l2));
    require(options.n_threads >= 0, "n_threads must be >= 0 (0 means all cores), got " +
                                        std::to_string(options.n_threads));
    if (s_.size() != 0) {
        require(s_.size() == n_, "sample_weight must have one entry per row of X: got " +
                                     std::to_string(s_.size()) + " entries for " + std::to_string(n_) + " rows");
        require(s_.allFinite() && (s_.array() >= 0.0).all(), "sample_weight must be finite and >= 0");
        require(s_.sum() > 0.0, "sample_weight must have a positive sum");
    }
    if (options.reduction == Reduction::Sum) {
        normaliser_ = divisor_ = 1.0;
    } else if (s_.size() == 0) {
        normaliser_ = divisor_ = static_cast<double>(n_);
    } else {
        // Weights are stored divided by S = Σ s, so that tiny or huge weights
        // (1e-308, 1e308) neither underflow in s·L″·x² nor overflow in S.
        const double largest = s_.maxCoeff();
        const double relative_sum = (s_ / largest).sum();
        normaliser_ = largest * relative_sum;
        s_ = (s_ / largest) / relative_sum;
        divisor_ = 1.0;
    }

    int threads = options.n_threads;
    if (threads == 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    // Small problems are not worth a thread: each one costs tens of microseconds to start.
    const Index min_work_per_thread = 1 << 16;
    threads_ = static_cast<int>(std::clamp<Index>(work / min_work_per_thread, 1, threads));
}

namespace {

struct Evaluation {
    double value = 0.0;
    Vector gradient;
    Matrix hessian;
    Vector product;
};

}  // namespace

namespace {

template <class LossT, class D>
Accumulator accumulate(const D& X, const Vector& y, const Vector& s, bool intercept, int threads,
                       const Vector& w, const Want& want) {
    const Pass<LossT, D> pass(X, y, s, intercept);
    const Index p = X.cols() + (intercept ? 1 : 0);
    return parallel_accumulate(X, threads, want, p,
                               [&](Index begin, Index end, Accumulator& acc, std::atomic<bool>& stop,
                                   InterruptPoller* poller) { pass.run(begin, end, w, want, acc, stop, poller); });
}

}  // namespace

namespace {

// The one place that dispatches on loss and memory layout and applies 1/S and λ.
struct Evaluator {
    const Design& X;
    const Vector& y;
    const Vector& s;
    const LinearModelOptions& options;
    Index d;
    double divisor;  // what the kernel's sums are divided by
    int threads;

    Evaluation operator()(const Vector& w, const Want& want) const {
        const Index p = d + (options.fit_intercept ? 1 : 0);
        if (w.size() != p)
            throw std::invalid_argument("w must have length " + std::to_string(p) + " (dim), got " +
                                        std::to_string(w.size()));
        Accumulator acc = with_loss(options.loss, [&](auto loss) {
            return with_design(X, [&](const auto& design) {
                return accumulate<decltype(loss)>(design, y, s, options.fit_intercept, threads, w, want);
            });
        });
        const double inv = 1.0 / divisor;
        const double l2 = options.l2;
        Evaluation out;
        out.value = acc.value * inv + 0.5 * l2 * w.head(d).squaredNorm();
        if (want.gradient) {
            out.gradient = std::move(acc.gradient);
            out.gradient *= inv;
            out.gradient.head(d) += l2 * w.head(d);
        }
        if (want.hessian) {
            out.hessian = acc.hessian.selfadjointView<Eigen::Lower>();
            out.hessian *= inv;
            out.hessian.diagonal().head(d).array() += l2;
        }
        if (want.direction) {
            out.product = std::move(acc.product);
            out.product *= inv;
            out.product.head(d) += l2 * want.direction->head(d);
        }
        if (want.diagonal) {
            out.product = std::move(acc.product);
            out.product *= inv;
            out.product.head(d).array() += l2;
        }
        return out;
    }
};

}  // namespace

double LinearModelCost::value(const Vector& w) const {
    Want want;
    want.value = true;
    return Evaluator{X_, y_, s_, options_, d_, divisor_, threads_}(w, want).value;
}

double LinearModelCost::value_gradient(const Vector& w, Vector& g) const {
    Want want;
    want.value = want.gradient = true;
    Evaluation e = Evaluator{X_, y_, s_, options_, d_, divisor_, threads_}(w, want);
    g = std::move(e.gradient);
    return e.value;
}

void LinearModelCost::hessian(const Vector& w, Matrix& H) const {
    Want want;
    want.hessian = true;
    H = std::move(Evaluator{X_, y_, s_, options_, d_, divisor_, threads_}(w, want).hessian);
}

void LinearModelCost::hessian_product(const Vector& w, const Vector& v, Vector& out) const {
    if (v.size() != dim())
        throw std::invalid_argument("v must have length " + std::to_string(dim()) + " (dim), got " +
                                    std::to_string(v.size()));
    out = curvature_pass(w, &v);
}

bool LinearModelCost::hessian_diagonal(const Vector& w, Vector& out) const {
    out = curvature_pass(w, nullptr);
    return true;
}

Vector LinearModelCost::curvature_pass(const Vector& w, const Vector* direction) const {
    std::shared_ptr<const Curvature> kept;
    {
        std::lock_guard<std::mutex> lock(curvature_mutex_);
        kept = curvature_;
    }
    Want want;
    want.direction = direction;
    want.diagonal = direction == nullptr;
    const Evaluator evaluate{X_, y_, s_, options_, d_, divisor_, threads_};
    if (kept && kept->w.size() == w.size() && kept->w == w) {
        want.gram = &kept->d2;  // the same numbers the pass would form: the same bits
        return std::move(evaluate(w, want).product);
    }
    auto fresh = std::make_shared<Curvature>();
    fresh->w = w;
    fresh->d2.resize(n_);
    want.keep_curvature = &fresh->d2;
    Vector out = std::move(evaluate(w, want).product);
    std::lock_guard<std::mutex> lock(curvature_mutex_);
    curvature_ = std::move(fresh);
    return out;
}

double LinearModelCost::value_gradient_hessian(const Vector& w, Vector& g, Matrix& H) const {
    Want want;
    want.value = want.gradient = want.hessian = true;
    Evaluation e = Evaluator{X_, y_, s_, options_, d_, divisor_, threads_}(w, want);
    g = std::move(e.gradient);
    H = std::move(e.hessian);
    return e.value;
}

void LinearModelCost::weighted_gram(const Eigen::Ref<const Vector>& c, Matrix& G) const {
    if (c.size() != n_)
        throw std::invalid_argument("weights must have one entry per row of X: got " + std::to_string(c.size()) +
                                    " entries for " + std::to_string(n_) + " rows");
    if (!c.allFinite() || !(c.array() >= 0.0).all())
        throw std::invalid_argument("weights must be finite and >= 0");
    const Vector weights = c;
    Want want;
    want.hessian = true;
    want.gram = &weights;
    const Vector w = Vector::Zero(dim());
    Accumulator acc = with_design(X_, [&](const auto& design) {
        return accumulate<SquaredError>(design, y_, s_, options_.fit_intercept, threads_, w, want);
    });
    G = acc.hessian.selfadjointView<Eigen::Lower>();
}

void LinearModelCost::score_gram(const Vector& w, Matrix& G) const {
    if (w.size() != dim())
        throw std::invalid_argument("w must have length " + std::to_string(dim()) + " (dim), got " +
                                    std::to_string(w.size()));
    Want want;
    want.hessian = true;
    want.scores = true;
    Accumulator acc = with_loss(options_.loss, [&](auto loss) {
        return with_design(X_, [&](const auto& design) {
            return accumulate<decltype(loss)>(design, y_, s_, options_.fit_intercept, threads_, w, want);
        });
    });
    G = acc.hessian.selfadjointView<Eigen::Lower>();
    // Weights with the mean are stored as s/S (the constructor): undo that here, where the raw
    // weights are meant; unit weights and the sum are stored as given.
    if (options_.reduction == Reduction::Mean && s_.size() != 0) G *= normaliser_ * normaliser_;
}

Vector LinearModelCost::decision_function(const Vector& w) const {
    if (w.size() != dim())
        throw std::invalid_argument("w must have length " + std::to_string(dim()) + " (dim), got " +
                                    std::to_string(w.size()));
    Vector out(n_);
    with_design(X_, [&](const auto& design) {
        const Pass<SquaredError, std::decay_t<decltype(design)>> pass(design, y_, s_, options_.fit_intercept);
        Want none;
        parallel_accumulate(design, threads_, none, 0,
                            [&](Index begin, Index end, Accumulator&, std::atomic<bool>&, InterruptPoller*) {
                                pass.decision(begin, end, w, out);
                            });
    });
    return out;
}

}  // namespace descend
