// The linear-model cost: one blocked pass over X per evaluation.
#include "descend/cost.hpp"
#include "descend/interrupt.hpp"
#include "designs.hpp"
#include "kernels.hpp"

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

std::string Cost::singular_note() const {
    return "the Hessian at x is singular, so this minimiser is not unique (duplicate or collinear features, or more "
           "parameters than samples); add an L2 penalty (l2 > 0) for a unique one";
}

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

using detail::Accumulator;
using detail::Want;

const Vector* shift_of(const LinearModelOptions& options) {
    return options.shift.size() != 0 ? &options.shift : nullptr;
}

void require(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument(message);
}

/// Calls f(design) with the design (designs.hpp) of the layout X holds (the constructor's checks;
/// the passes have their own, compiled per level).
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
    if (options.loss == LossKind::Multinomial) {
        const auto largest = static_cast<Index>(y_.maxCoeff());
        require(options.n_classes >= 0, "n_classes must be >= 2, got " + std::to_string(options.n_classes));
        classes_ = options.n_classes != 0 ? options.n_classes : largest + 1;
        require(largest < classes_, "y must hold class labels below n_classes = " + std::to_string(classes_) +
                                        ": got the label " + std::to_string(largest));
        require(classes_ >= 2, "the multinomial loss needs at least 2 classes: y holds only the label 0 (pass "
                               "n_classes to say how many there are)");
    } else {
        require(options.n_classes == 0, std::string("n_classes is for the multinomial loss only, not ") +
                                            loss_name(options.loss) + ": got " + std::to_string(options.n_classes));
    }
    require(std::isfinite(options.l2) && options.l2 >= 0.0, "l2 must be a finite number >= 0, got " +
                                                                 std::to_string(options.l2));
    if (options.shift.size() != 0) {
        require(X_.index() < 4, "shift needs dense X: subtracting it would fill sparse X in");
        require(options.shift.size() == d_, "shift must have one entry per column of X: got " +
                                                std::to_string(options.shift.size()) + " entries for " +
                                                std::to_string(d_) + " columns");
        require(options.shift.allFinite(), "shift must contain only finite values (no NaN or inf)");
    }
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

    if (classes_ > 1 && options.fit_intercept) {
        // A class without weight pushes its intercept (never penalised) to −∞: no minimum.
        Vector totals = Vector::Zero(classes_);
        for (Index i = 0; i < n_; ++i) totals[static_cast<Index>(y_[i])] += s_.size() != 0 ? s_[i] : 1.0;
        for (Index k = 0; k < classes_; ++k)
            if (!(totals[k] > 0.0)) {
                no_minimum_ = "class " + std::to_string(k) + " of n_classes = " + std::to_string(classes_) +
                              " has no samples (or only zero weights), so the cost keeps decreasing as its intercept "
                              "goes to -infinity: drop the class (n_classes), or fit without an intercept and with "
                              "l2 > 0";
                break;
            }
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

// The one place that dispatches on loss and memory layout and applies 1/S and λ.
struct Evaluator {
    const Design& X;
    const Vector& y;
    const Vector& s;
    const LinearModelOptions& options;
    Index features;
    Index classes;
    double divisor;  // what the kernel's sums are divided by
    int threads;

    Evaluation operator()(const Vector& w, const Want& want) const {
        const Index p = classes * (features + (options.fit_intercept ? 1 : 0));
        const Index d = classes * features;  // the penalised parameters come first
        if (w.size() != p)
            throw std::invalid_argument("w must have length " + std::to_string(p) + " (dim), got " +
                                        std::to_string(w.size()));
        Accumulator acc = detail::active_kernels().accumulate(
            detail::PassInput{&X, options.loss, &y, &s, options.fit_intercept, threads, shift_of(options), classes},
            w, want);
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
    return Evaluator{X_, y_, s_, options_, d_, classes_, divisor_, threads_}(w, want).value;
}

double LinearModelCost::value_gradient(const Vector& w, Vector& g) const {
    Want want;
    want.value = want.gradient = true;
    Evaluation e = Evaluator{X_, y_, s_, options_, d_, classes_, divisor_, threads_}(w, want);
    g = std::move(e.gradient);
    return e.value;
}

void LinearModelCost::hessian(const Vector& w, Matrix& H) const {
    Want want;
    want.hessian = true;
    H = std::move(Evaluator{X_, y_, s_, options_, d_, classes_, divisor_, threads_}(w, want).hessian);
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
    const Evaluator evaluate{X_, y_, s_, options_, d_, classes_, divisor_, threads_};
    if (kept && kept->w.size() == w.size() && kept->w == w) {
        want.gram = &kept->d2;  // the same numbers the pass would form: the same bits
        return std::move(evaluate(w, want).product);
    }
    auto fresh = std::make_shared<Curvature>();
    fresh->w = w;
    fresh->d2.resize(n_ * classes_);
    want.keep_curvature = &fresh->d2;
    Vector out = std::move(evaluate(w, want).product);
    std::lock_guard<std::mutex> lock(curvature_mutex_);
    curvature_ = std::move(fresh);
    return out;
}

double LinearModelCost::value_gradient_hessian(const Vector& w, Vector& g, Matrix& H) const {
    Want want;
    want.value = want.gradient = want.hessian = true;
    Evaluation e = Evaluator{X_, y_, s_, options_, d_, classes_, divisor_, threads_}(w, want);
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
    const Vector w = Vector::Zero(d_ + (options_.fit_intercept ? 1 : 0));
    Accumulator acc = detail::active_kernels().accumulate(
        detail::PassInput{&X_, LossKind::SquaredError, &y_, &s_, options_.fit_intercept, threads_, shift_of(options_)}, w, want);
    G = acc.hessian.selfadjointView<Eigen::Lower>();
}

void LinearModelCost::score_gram(const Vector& w, Matrix& G) const {
    if (w.size() != dim())
        throw std::invalid_argument("w must have length " + std::to_string(dim()) + " (dim), got " +
                                    std::to_string(w.size()));
    Want want;
    want.hessian = true;
    want.scores = true;
    Accumulator acc = detail::active_kernels().accumulate(
        detail::PassInput{&X_, options_.loss, &y_, &s_, options_.fit_intercept, threads_, shift_of(options_), classes_},
        w, want);
    G = acc.hessian.selfadjointView<Eigen::Lower>();
    // Weights with the mean are stored as s/S (the constructor): undo that here, where the raw
    // weights are meant; unit weights and the sum are stored as given.
    if (options_.reduction == Reduction::Mean && s_.size() != 0) G *= normaliser_ * normaliser_;
}

Vector LinearModelCost::decision_function(const Vector& w) const {
    if (w.size() != dim())
        throw std::invalid_argument("w must have length " + std::to_string(dim()) + " (dim), got " +
                                    std::to_string(w.size()));
    Vector out(n_ * classes_);
    detail::active_kernels().decision(
        detail::PassInput{&X_, options_.loss, &y_, &s_, options_.fit_intercept, threads_, shift_of(options_), classes_},
        w, out);
    return out;
}

std::string LinearModelCost::no_minimum_reason() const { return no_minimum_; }

std::string LinearModelCost::singular_note() const {
    if (classes_ == 1) return Cost::singular_note();
    return std::string("the Hessian at x is singular, so this minimiser is not unique: the softmax is unchanged by "
                       "adding one number to every class's intercept") +
           (options_.l2 > 0.0 ? "" : ", and one vector to every class's coefficients (no L2 penalty)") +
           " (descend's estimators report intercepts, and without a penalty coefficients, summing to zero over "
           "the classes); duplicate or collinear features add more such directions";
}

// ---------------------------------------------------------------------------
// RowBatches: a batch's rows gathered into a buffer of its own, read by the same kernels.

struct RowBatches::Gatherer {
    virtual ~Gatherer() = default;
    /// The rows rows[0 … count) of X as a design of their own (valid until the next call).
    virtual Design gather(const Index* rows, Index count) = 0;
};

namespace {

template <class Scalar, int Order>
struct DenseGatherer final : RowBatches::Gatherer {
    MatrixView<Scalar, Order> X;
    Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> buffer;

    explicit DenseGatherer(const MatrixView<Scalar, Order>& view) : X(view) {}
    Design gather(const Index* rows, Index count) override {
        if (buffer.rows() < count) buffer.resize(count, X.cols());
        // The rows are scattered over X: ask for a row's cache lines a few rows ahead of its copy,
        // so that the memory's latency overlaps the copies (one row at a time is latency-bound).
        constexpr Index ahead = 16;
        const Index line = 64 / static_cast<Index>(sizeof(Scalar));
        auto prefetch = [&](Index row) {
#if defined(__GNUC__) || defined(__clang__)
            if constexpr (Order == Eigen::RowMajor) {
                const Scalar* start = X.data() + row * X.outerStride();
                for (Index j = 0; j < X.cols(); j += line) __builtin_prefetch(start + j);
            }
#else
            (void)row;
            (void)line;
#endif
        };
        for (Index r = 0; r < std::min(ahead, count); ++r) prefetch(rows[r]);
        for (Index r = 0; r < count; ++r) {
            if (r + ahead < count) prefetch(rows[r + ahead]);
            buffer.row(r) = X.row(rows[r]);
        }
        return MatrixView<Scalar, Eigen::RowMajor>(buffer.data(), count, X.cols(),
                                                   Eigen::OuterStride<>(std::max<Index>(1, X.cols())));
    }
};

template <class Scalar, class StorageIndex>
struct CsrGatherer final : RowBatches::Gatherer {
    SparseView<Scalar, Eigen::RowMajor, StorageIndex> X;
    std::vector<Scalar> values;
    std::vector<StorageIndex> inner, outer;

    explicit CsrGatherer(const SparseView<Scalar, Eigen::RowMajor, StorageIndex>& view) : X(view) {}
    Design gather(const Index* rows, Index count) override {
        const StorageIndex* starts = X.outerIndexPtr();
        values.clear();
        inner.clear();
        outer.assign(static_cast<std::size_t>(count) + 1, StorageIndex(0));
        for (Index r = 0; r < count; ++r) {
            const StorageIndex begin = starts[rows[r]], end = starts[rows[r] + 1];
            values.insert(values.end(), X.valuePtr() + begin, X.valuePtr() + end);
            inner.insert(inner.end(), X.innerIndexPtr() + begin, X.innerIndexPtr() + end);
            outer[static_cast<std::size_t>(r) + 1] = static_cast<StorageIndex>(values.size());
        }
        return SparseView<Scalar, Eigen::RowMajor, StorageIndex>(count, X.cols(), static_cast<Index>(values.size()),
                                                                 outer.data(), inner.data(), values.data());
    }
};

// CSC rows are scattered over every column: turned into CSR once.
template <class Scalar, class StorageIndex>
struct CscGatherer final : RowBatches::Gatherer {
    Eigen::SparseMatrix<Scalar, Eigen::RowMajor, StorageIndex> csr;
    CsrGatherer<Scalar, StorageIndex> rows_of;

    explicit CscGatherer(const SparseView<Scalar, Eigen::ColMajor, StorageIndex>& view)
        : csr(view),
          rows_of(SparseView<Scalar, Eigen::RowMajor, StorageIndex>(csr.rows(), csr.cols(), csr.nonZeros(),
                                                                    csr.outerIndexPtr(), csr.innerIndexPtr(),
                                                                    csr.valuePtr())) {}
    Design gather(const Index* rows, Index count) override { return rows_of.gather(rows, count); }
};

template <class Scalar, int Order>
std::unique_ptr<RowBatches::Gatherer> make_gatherer(const MatrixView<Scalar, Order>& X) {
    return std::make_unique<DenseGatherer<Scalar, Order>>(X);
}
template <class Scalar, class StorageIndex>
std::unique_ptr<RowBatches::Gatherer> make_gatherer(const SparseView<Scalar, Eigen::RowMajor, StorageIndex>& X) {
    return std::make_unique<CsrGatherer<Scalar, StorageIndex>>(X);
}
template <class Scalar, class StorageIndex>
std::unique_ptr<RowBatches::Gatherer> make_gatherer(const SparseView<Scalar, Eigen::ColMajor, StorageIndex>& X) {
    return std::make_unique<CscGatherer<Scalar, StorageIndex>>(X);
}

}  // namespace

RowBatches::RowBatches(const LinearModelCost& cost)
    : cost_(cost), gather_(std::visit([](const auto& X) { return make_gatherer(X); }, cost.X_)) {
    if (cost.options_.reduction == Reduction::Sum)
        total_ = cost.s_.size() != 0 ? cost.s_.sum() : static_cast<double>(cost.n_);
}

RowBatches::~RowBatches() = default;

void RowBatches::gradient(const Vector& w, const Index* rows, Index count, Vector& g) {
    const LinearModelCost& c = cost_;
    if (w.size() != c.dim())
        throw std::invalid_argument("w must have length " + std::to_string(c.dim()) + " (dim), got " +
                                    std::to_string(w.size()));
    const Design batch = gather_->gather(rows, count);
    y_.resize(count);
    for (Index r = 0; r < count; ++r) y_[r] = c.y_[rows[r]];
    double weight = static_cast<double>(count);
    if (c.s_.size() != 0) {
        s_.resize(count);
        for (Index r = 0; r < count; ++r) s_[r] = c.s_[rows[r]];
        weight = s_.sum();
    }
    Want want;
    want.gradient = true;
    const LinearModelOptions& o = c.options_;
    Accumulator acc = detail::active_kernels().accumulate(
        detail::PassInput{&batch, o.loss, &y_, &s_, o.fit_intercept, 1, shift_of(o), c.classes_}, w, want);
    const double scale = weight > 0.0 ? (o.reduction == Reduction::Sum ? total_ : 1.0) / weight : 0.0;
    g = std::move(acc.gradient);
    g *= scale;
    const Index d = c.classes_ * c.d_;
    g.head(d) += o.l2 * w.head(d);
}

}  // namespace descend
