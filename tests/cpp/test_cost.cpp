// The linear-model cost against the shared vectors (written by the NumPy
// reference), finite differences, and exact values at extreme logits.
#include "testing.hpp"

#include <descend/check.hpp>
#include <descend/config.hpp>
#include <descend/cost.hpp>
#include <descend/losses.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <random>
#include <string>

using descend::Index;
using descend::LinearModelCost;
using descend::LinearModelOptions;
using descend::Matrix;
using descend::Vector;

namespace {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

LinearModelOptions options_of(const testing::Vectors& v, int threads = 1) {
    LinearModelOptions options;
    options.loss = descend::parse_loss(v.text("loss"));
    options.fit_intercept = v.integer("fit_intercept") != 0;
    options.l2 = v.number("l2");
    options.reduction = descend::parse_reduction(v.text("reduction"));
    options.n_threads = threads;
    if (v.has("n_classes")) options.n_classes = v.integer("n_classes");
    return options;
}

// Every vector file, in both memory orders, as CSR (int32 indices) and CSC (int64), with 1 and 3 threads.
int check_vectors() {
    int files = 0;
    for (const auto& v : testing::Vectors::all()) {
        ++files;
        const Index n = v.integer("n");
        const Index d = v.integer("d");
        const Matrix X = v.matrix("X", n, d);
        const RowMatrix Xr = X;
        Eigen::SparseMatrix<double, Eigen::RowMajor, std::int32_t> csr = X.sparseView();
        Eigen::SparseMatrix<double, Eigen::ColMajor, std::int64_t> csc = X.sparseView();
        csr.makeCompressed();
        csc.makeCompressed();
        const Vector y = v.vector("y");
        const Vector s = v.has("sample_weight") ? v.vector("sample_weight") : Vector();
        const Vector w = v.vector("w");
        const Vector dir = v.vector("v");
        const Index p = w.size();
        const Matrix H_expected = v.matrix("hessian", p, p);
        for (int threads : {1, 3}) {
            for (const descend::Design& data :
                 {descend::view(X), descend::view(Xr), descend::view(csr), descend::view(csc)}) {
                const LinearModelCost cost(data, y, options_of(v, threads), s);
                Vector g, hv;
                Matrix H, H1;
                VERIFY(cost.dim() == p);
                VERIFY_CLOSE(cost.value(w), v.number("value"), 1e-12);
                VERIFY_CLOSE(cost.value_gradient(w, g), v.number("value"), 1e-12);
                VERIFY_CLOSE(g, v.vector("gradient"), 1e-12);
                cost.hessian(w, H);
                VERIFY_CLOSE(H, H_expected, 1e-12);
                cost.hessian_product(w, dir, hv);
                VERIFY_CLOSE(hv, v.vector("hessian_product"), 1e-12);
                VERIFY_CLOSE(cost.value_gradient_hessian(w, g, H1), v.number("value"), 1e-12);
                VERIFY_CLOSE(H1, H_expected, 1e-12);
                VERIFY(g.allFinite() && H.allFinite());
            }
        }
    }
    std::cout << "checked " << files << " vector files\n";
    return files;
}

Matrix random_matrix(Index n, Index d, std::mt19937& rng, double scale = 1.0) {
    std::normal_distribution<double> normal(0.0, scale);
    Matrix X(n, d);
    for (Index j = 0; j < d; ++j)
        for (Index i = 0; i < n; ++i) X(i, j) = normal(rng);
    return X;
}

// Gradient and Hessian against central differences; Hessian symmetric; the
// Hessian-vector product equals H·v; thread counts agree; float32 is close.
void check_finite_differences() {
    std::mt19937 rng(42);
    for (auto loss : {descend::LossKind::LogLoss, descend::LossKind::SquaredError, descend::LossKind::Poisson}) {
        for (bool intercept : {true, false}) {
            const Index n = 3000, d = 7;  // several blocks and threads
            const Matrix X = random_matrix(n, d, rng);
            std::uniform_real_distribution<double> uniform(0.0, 1.0);
            std::poisson_distribution<int> counts(2.0);
            Vector y(n), s(n);
            for (Index i = 0; i < n; ++i) {
                y[i] = loss == descend::LossKind::Poisson ? counts(rng) : (uniform(rng) < 0.5 ? 0.0 : 1.0);
                s[i] = uniform(rng) * 2.0;
            }
            LinearModelOptions options;
            options.loss = loss;
            options.fit_intercept = intercept;
            options.l2 = 0.3;
            options.n_threads = 1;
            const LinearModelCost cost(descend::view(X), y, options, s);
            const Vector w = 0.3 * random_matrix(cost.dim(), 1, rng).col(0);
            VERIFY(descend::check_gradient(cost, w, 1e-7).ok);
            VERIFY(descend::check_hessian(cost, w, 1e-6).ok);
            Matrix H;
            cost.hessian(w, H);
            VERIFY((H - H.transpose()).cwiseAbs().maxCoeff() == 0.0);
            const Vector v = random_matrix(cost.dim(), 1, rng).col(0);
            Vector hv;
            cost.hessian_product(w, v, hv);
            VERIFY_CLOSE(hv, H * v, 1e-12);

            options.n_threads = 4;
            const LinearModelCost threaded(descend::view(X), y, options, s);
            VERIFY(threaded.threads() >= 1);
            Vector g1, g4;
            VERIFY_CLOSE(threaded.value_gradient(w, g4), cost.value_gradient(w, g1), 1e-13);
            VERIFY_CLOSE(g4, g1, 1e-13);
            Vector g4_again;
            threaded.value_gradient(w, g4_again);
            VERIFY((g4 - g4_again).cwiseAbs().maxCoeff() == 0.0);  // same threads, same bits

            const Eigen::MatrixXf Xf = X.cast<float>();
            const Matrix Xf_widened = Xf.cast<double>();
            const LinearModelCost single(descend::view(Xf), y, options, s);
            const LinearModelCost widened(descend::view(Xf_widened), y, options, s);
            Vector gf, gw;
            VERIFY_CLOSE(single.value_gradient(w, gf), widened.value_gradient(w, gw), 1e-12);
            VERIFY_CLOSE(gf, gw, 1e-12);
        }
    }
}

// Logits of ±800 and beyond: the loss is exact (|z| or 0), derivatives finite and exact.
void check_extremes() {
    using descend::LogLoss;
    for (double z : {800.0, 1e4, 1e300}) {
        VERIFY(LogLoss::value(z, 0.0) == z);
        VERIFY(LogLoss::value(-z, 1.0) == z);
        VERIFY(LogLoss::value(z, 1.0) == 0.0);
        VERIFY(LogLoss::value(-z, 0.0) == 0.0);
        VERIFY(LogLoss::derivative(z, 0.0) == 1.0);
        VERIFY(LogLoss::derivative(-z, 1.0) == -1.0);
        VERIFY(LogLoss::derivative(z, 1.0) == 0.0);
        VERIFY(LogLoss::second_derivative(z, 0.0) == 0.0);
    }
    // Moderate tails keep full relative precision (no 1 − σ cancellation).
    VERIFY_CLOSE(LogLoss::value(40.0, 1.0) / std::exp(-40.0), 1.0, 1e-15);
    VERIFY_CLOSE(LogLoss::derivative(40.0, 1.0) / -std::exp(-40.0), 1.0, 1e-15);
    VERIFY_CLOSE(LogLoss::second_derivative(-40.0, 1.0) / std::exp(-40.0), 1.0, 1e-15);
    VERIFY(descend::log1pexp(800.0) == 800.0);
    VERIFY(descend::log1pexp(-800.0) == 0.0);
    VERIFY(descend::sigmoid(-800.0) == 0.0 && descend::sigmoid(800.0) == 1.0);

    // The blocked kernel agrees with the scalar formulas at the extremes.
    Matrix X(4, 1);
    X << 800.0, -800.0, 1000.0, -1000.0;
    Vector y(4);
    y << 0.0, 1.0, 1.0, 0.0;
    LinearModelOptions options;
    options.fit_intercept = false;
    options.reduction = descend::Reduction::Sum;
    const LinearModelCost cost(descend::view(X), y, options);
    Vector w(1), g;
    w << 1.0;
    VERIFY(cost.value_gradient(w, g) == 1600.0);
    VERIFY(g[0] == 1600.0);
    Matrix H;
    cost.hessian(w, H);
    VERIFY(H(0, 0) == 0.0);

    // In the underflow range the blocked kernels equal the scalar formulas (std::exp)
    // exactly, whatever instruction set Eigen's packet exp was compiled for: e is
    // subnormal for 708 < |z| < 745.2 and exactly 0 beyond.
    Eigen::ArrayXd z(10), labels(10), loss(10), d1(10), d2(10);
    z << 700.5, -709.5, 720.0, -740.0, 745.0, -745.1, 745.2, -750.0, 800.0, -1e4;
    labels << 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0;
    LogLoss::block(z, labels, loss, d1);
    LogLoss::block_second(z, d2);
    for (Eigen::Index i = 0; i < z.size(); ++i) {
        VERIFY(loss[i] == LogLoss::value(z[i], labels[i]));
        VERIFY(d1[i] == LogLoss::derivative(z[i], labels[i]));
        VERIFY(d2[i] == LogLoss::second_derivative(z[i], labels[i]));
        if (std::abs(z[i]) >= 745.2) VERIFY(d2[i] == 0.0);
        else VERIFY(d2[i] > 0.0);
    }
}

// Sparse X (CSR and CSC; float64 and float32; int32 and int64 indices) against the same cost on
// the dense matrix: every loss, weights, λ, with and without an intercept, 1 and 3 threads.
// Then the sparse arrays' checks: indices out of range, unsorted CSC, NaN values.
void check_sparse() {
    std::mt19937 rng(11);
    std::normal_distribution<double> normal;
    std::uniform_real_distribution<double> uniform;
    const Index n = 700, d = 9;
    Matrix X = Matrix::Zero(n, d);
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < d; ++j)
            if (uniform(rng) < 0.3) X(i, j) = normal(rng);
    const Eigen::MatrixXf Xf = X.cast<float>();
    const Matrix Xf_widened = Xf.cast<double>();
    Vector labels(n), counts(n), weights(n), w(d + 1), dir(d + 1);
    for (Index i = 0; i < n; ++i) {
        labels[i] = uniform(rng) < 0.4 ? 1.0 : 0.0;
        counts[i] = std::floor(3.0 * uniform(rng));
        weights[i] = 0.5 + uniform(rng);
    }
    for (Index j = 0; j <= d; ++j) {
        w[j] = 0.3 * normal(rng);
        dir[j] = normal(rng);
    }
    Eigen::SparseMatrix<double, Eigen::RowMajor, std::int32_t> csr = X.sparseView();
    Eigen::SparseMatrix<double, Eigen::ColMajor, std::int64_t> csc = X.sparseView();
    Eigen::SparseMatrix<float, Eigen::RowMajor, std::int64_t> csr_f = Xf.sparseView();
    Eigen::SparseMatrix<float, Eigen::ColMajor, std::int32_t> csc_f = Xf.sparseView();
    csr.makeCompressed();
    csc.makeCompressed();
    csr_f.makeCompressed();
    csc_f.makeCompressed();
    for (auto loss : {descend::LossKind::SquaredError, descend::LossKind::LogLoss, descend::LossKind::Poisson}) {
        const Vector& y = loss == descend::LossKind::SquaredError ? counts : loss == descend::LossKind::LogLoss ? labels : counts;
        for (bool intercept : {true, false}) {
            LinearModelOptions options;
            options.loss = loss;
            options.fit_intercept = intercept;
            options.l2 = 0.25;
            const Index p = d + (intercept ? 1 : 0);
            const Vector wp = w.head(p), vp = dir.head(p);
            for (int threads : {1, 3}) {
                options.n_threads = threads;
                const LinearModelCost dense(descend::view(X), y, options, weights);
                const LinearModelCost widened(descend::view(Xf_widened), y, options, weights);
                Vector g0, hv0;
                Matrix H0;
                const double f0 = dense.value_gradient_hessian(wp, g0, H0);
                dense.hessian_product(wp, vp, hv0);
                Vector gf, hvf;
                Matrix Hf;
                const double ff = widened.value_gradient_hessian(wp, gf, Hf);
                widened.hessian_product(wp, vp, hvf);
                for (const descend::Design& data : {descend::view(csr), descend::view(csc)}) {
                    const LinearModelCost cost(data, y, options, weights);
                    Vector g, hv;
                    Matrix H;
                    VERIFY_CLOSE(cost.value_gradient_hessian(wp, g, H), f0, 1e-13);
                    VERIFY_CLOSE(g, g0, 1e-13);
                    VERIFY_CLOSE(H, H0, 1e-13);
                    cost.hessian_product(wp, vp, hv);
                    VERIFY_CLOSE(hv, hv0, 1e-13);
                    VERIFY_CLOSE(cost.decision_function(wp), dense.decision_function(wp), 1e-13);
                    Vector diagonal, dense_diagonal;
                    VERIFY(cost.hessian_diagonal(wp, diagonal) && dense.hessian_diagonal(wp, dense_diagonal));
                    VERIFY_CLOSE(diagonal, Vector(H0.diagonal()), 1e-13);
                    VERIFY_CLOSE(dense_diagonal, Vector(H0.diagonal()), 1e-13);
                    cost.hessian_product(wp, vp, hv);  // after the diagonal, from its kept curvature
                    VERIFY_CLOSE(hv, hv0, 1e-13);
                }
                for (const descend::Design& data : {descend::view(csr_f), descend::view(csc_f)}) {
                    const LinearModelCost cost(data, y, options, weights);
                    Vector g, hv;
                    Matrix H;
                    VERIFY_CLOSE(cost.value_gradient_hessian(wp, g, H), ff, 1e-13);
                    VERIFY_CLOSE(g, gf, 1e-13);
                    VERIFY_CLOSE(H, Hf, 1e-13);
                    cost.hessian_product(wp, vp, hv);
                    VERIFY_CLOSE(hv, hvf, 1e-13);
                }
            }
        }
    }
    VERIFY(std::string(descend::layout_name(descend::view(csc_f))) == "float32, CSC, int32 indices");

    // A 2 × 3 CSR matrix with a duplicate entry (row 0, column 1: 1 + 2) sums it, as scipy does.
    const std::int32_t outer[] = {0, 3, 4}, inner[] = {1, 1, 0, 2}, bad_inner[] = {1, 3, 0, 2};
    const double values[] = {1.0, 2.0, 5.0, -1.0}, nan_values[] = {1.0, NAN, 5.0, -1.0};
    using Csr = descend::SparseView<double, Eigen::RowMajor, std::int32_t>;
    using Csc = descend::SparseView<double, Eigen::ColMajor, std::int32_t>;
    Matrix small(2, 3);
    small << 5.0, 3.0, 0.0, 0.0, 0.0, -1.0;
    const Vector y2 = Vector::Ones(2), w2 = Vector::Constant(4, 0.5);
    LinearModelOptions squared;
    squared.loss = descend::LossKind::SquaredError;
    const LinearModelCost with_duplicate(Csr(2, 3, 4, outer, inner, values), y2, squared);
    const LinearModelCost expected(descend::view(small), y2, squared);
    Matrix H, H_expected;
    with_duplicate.hessian(w2, H);
    expected.hessian(w2, H_expected);
    VERIFY_CLOSE(H, H_expected, 1e-15);
    VERIFY_CLOSE(with_duplicate.value(w2), expected.value(w2), 1e-15);
    VERIFY_THROWS(LinearModelCost(Csr(2, 3, 4, outer, bad_inner, values), y2), std::invalid_argument);
    VERIFY_THROWS(LinearModelCost(Csr(2, 3, 4, outer, inner, nan_values), y2), std::invalid_argument);
    // As CSC (3 columns, outer = column pointers): rows 1 then 0 in column 0 are unsorted.
    const std::int32_t csc_outer[] = {0, 2, 3, 4}, unsorted[] = {1, 0, 0, 1};
    VERIFY_THROWS(LinearModelCost(Csc(2, 3, 4, csc_outer, unsorted, values), y2), std::invalid_argument);
}

// X̃ᵀ·diag(c)·X̃ against the explicit product, both memory orders, with and without an intercept.
void check_weighted_gram() {
    std::mt19937 rng(5);
    std::normal_distribution<double> normal;
    Matrix X(300, 4);
    for (Index i = 0; i < X.size(); ++i) X.data()[i] = normal(rng);
    const RowMatrix Xr = X;
    Vector y = Vector::Zero(300), c(300);
    for (Index i = 0; i < c.size(); ++i) c[i] = std::abs(normal(rng));
    for (bool intercept : {true, false}) {
        Matrix Xt(300, 4 + (intercept ? 1 : 0));
        Xt.leftCols(4) = X;
        if (intercept) Xt.col(4).setOnes();
        const Matrix expected = Xt.transpose() * c.asDiagonal() * Xt;
        LinearModelOptions options;
        options.fit_intercept = intercept;
        options.loss = descend::LossKind::SquaredError;
        options.n_threads = 2;
        Eigen::SparseMatrix<double, Eigen::RowMajor, std::int64_t> csr = X.sparseView();
        csr.makeCompressed();
        for (const descend::Design& data : {descend::view(X), descend::view(Xr), descend::view(csr)}) {
            const LinearModelCost cost(data, y, options);
            Matrix G;
            cost.weighted_gram(c, G);
            VERIFY_CLOSE(G, expected, 1e-12);
        }
    }
    // score_gram: Σ (sᵢL′ᵢ)² x̃ᵢx̃ᵢᵀ with the weights as given, whatever the reduction.
    Vector labels(300), w(5);
    for (Index i = 0; i < labels.size(); ++i) labels[i] = normal(rng) > 0 ? 1.0 : 0.0;
    w << 0.3, -0.2, 0.1, 0.5, -0.4;
    Matrix Xt(300, 5);
    Xt.leftCols(4) = X;
    Xt.col(4).setOnes();
    for (auto reduction : {descend::Reduction::Mean, descend::Reduction::Sum}) {
        LinearModelOptions options;
        options.reduction = reduction;
        const LinearModelCost cost(descend::view(Xr), labels, options, c);
        Vector scores(300);
        const Vector z = Xt * w;
        for (Index i = 0; i < 300; ++i) scores[i] = c[i] * descend::LogLoss::derivative(z[i], labels[i]);
        const Matrix expected = Xt.transpose() * scores.array().square().matrix().asDiagonal() * Xt;
        Matrix G;
        cost.score_gram(w, G);
        VERIFY_CLOSE(G, expected, 1e-12);
    }
    const LinearModelCost cost(descend::view(X), y);
    Matrix G;
    VERIFY_THROWS(cost.weighted_gram(Vector::Ones(3), G), std::invalid_argument);
    VERIFY_THROWS(cost.weighted_gram(-Vector::Ones(300), G), std::invalid_argument);
}

void check_bad_arguments() {
    const Matrix X = Matrix::Ones(3, 2);
    Vector y(3);
    y << 0.0, 1.0, 0.0;
    VERIFY_THROWS(LinearModelCost(descend::view(X), Vector::Zero(2)), std::invalid_argument);
    Vector bad = y;
    bad[1] = 2.0;
    VERIFY_THROWS(LinearModelCost(descend::view(X), bad), std::invalid_argument);
    bad[1] = NAN;
    VERIFY_THROWS(LinearModelCost(descend::view(X), bad), std::invalid_argument);
    LinearModelOptions options;
    options.l2 = -1.0;
    VERIFY_THROWS(LinearModelCost(descend::view(X), y, options), std::invalid_argument);
    VERIFY_THROWS(LinearModelCost(descend::view(X), y, {}, Vector::Zero(3)), std::invalid_argument);
    VERIFY_THROWS(LinearModelCost(descend::view(X), y, {}, -Vector::Ones(3)), std::invalid_argument);
    Matrix Xnan = X;
    Xnan(1, 1) = INFINITY;
    VERIFY_THROWS(LinearModelCost(descend::view(Xnan), y), std::invalid_argument);
    VERIFY_THROWS(descend::parse_loss("hinge"), std::invalid_argument);
    VERIFY(descend::parse_loss("poisson") == descend::LossKind::Poisson);
    VERIFY(std::string(descend::loss_name(descend::LossKind::Poisson)) == "poisson");
    LinearModelOptions poisson;
    poisson.loss = descend::LossKind::Poisson;
    VERIFY_THROWS(LinearModelCost(descend::view(X), -y, poisson), std::invalid_argument);  // counts are >= 0
    VERIFY_THROWS(descend::parse_reduction("median"), std::invalid_argument);
    const LinearModelCost cost(descend::view(X), y);
    Vector g;
    VERIFY_THROWS(cost.value_gradient(Vector::Zero(2), g), std::invalid_argument);
    try {
        LinearModelCost(descend::view(X), Vector::Zero(2));
    } catch (const std::invalid_argument& error) {
        VERIFY(std::string(error.what()).rfind("y ", 0) == 0);  // the message names the argument
    }
}

}  // namespace

// Whether f throws std::invalid_argument with `words` in its message.
template <class F>
bool throws_naming(F&& f, const std::string& words) {
    try {
        f();
    } catch (const std::invalid_argument& error) {
        return std::string(error.what()).find(words) != std::string::npos;
    }
    return false;
}

// The levels: the best is chosen by default; every level this CPU runs can be asked for, and
// reports itself; one it cannot run, or one this build lacks, is refused by name.
void check_levels() {
    const descend::KernelConfig config = descend::kernel_config();
    VERIFY(!config.compiled.empty() && !config.supported.empty());
    VERIFY(config.level == config.supported.back());
    for (const std::string& level : config.supported) {
        descend::set_kernel_level(level);
        VERIFY(descend::kernel_config().level == level);
    }
    for (const std::string& level : config.compiled)
        if (std::find(config.supported.begin(), config.supported.end(), level) == config.supported.end())
            VERIFY(throws_naming([&] { descend::set_kernel_level(level); }, "CPU lacks"));
    VERIFY(throws_naming([] { descend::set_kernel_level("sse9"); }, "level must be one of"));
    descend::set_kernel_level("best");
    VERIFY(descend::kernel_config().level == config.level);
    VERIFY(descend::config_report().find("kernels:   " + config.level) != std::string::npos);
}

int main() {
    check_levels();
    // Everything, at every level this CPU runs, against the same vectors and finite differences.
    for (const std::string& level : descend::kernel_config().supported) {
        descend::set_kernel_level(level);
        std::printf("test_cost: the %s kernels\n", level.c_str());
        const int files = check_vectors();
        VERIFY(files >= 1);
        check_finite_differences();
        check_extremes();
        check_sparse();
        check_weighted_gram();
        check_bad_arguments();
    }
    descend::set_kernel_level("best");
    return testing::finish("test_cost");
}
