// Solvers: Rosenbrock and quadratics (closed forms), the logistic cost, the
// fixed-step iteration written out by hand, status and message on divergence,
// a too-small rate and separable data, callbacks, interrupts, validation, and
// the shared test vectors.
#include "descend/cost.hpp"
#include "descend/interrupt.hpp"
#include "descend/solvers.hpp"
#include "testing.hpp"

#include <descend/config.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <iostream>
#include <limits>
#include <random>
#include <string>

using namespace descend;

namespace {

// f(x, y) = (a − x)² + b·(y − x²)², minimum 0 at (a, a²).
class Rosenbrock final : public Cost {
public:
    Index dim() const override { return 2; }
    double value_gradient(const Vector& w, Vector& g) const override {
        const double x = w[0], y = w[1];
        g.resize(2);
        g[0] = -2.0 * (a - x) - 4.0 * b * x * (y - x * x);
        g[1] = 2.0 * b * (y - x * x);
        return (a - x) * (a - x) + b * (y - x * x) * (y - x * x);
    }
    void hessian(const Vector& w, Matrix& H) const override {
        const double x = w[0], y = w[1];
        H.resize(2, 2);
        H(0, 0) = 2.0 - 4.0 * b * (y - 3.0 * x * x);
        H(0, 1) = H(1, 0) = -4.0 * b * x;
        H(1, 1) = 2.0 * b;
    }
    double a = 1.0, b = 100.0;
};

// f(x) = ½xᵀAx − bᵀx, minimiser A⁻¹b.
class Quadratic final : public Cost {
public:
    Quadratic(Matrix A_, Vector b_) : A(std::move(A_)), b(std::move(b_)) {}
    Index dim() const override { return b.size(); }
    double value_gradient(const Vector& w, Vector& g) const override {
        g = A * w - b;
        return 0.5 * w.dot(A * w) - b.dot(w);
    }
    void hessian(const Vector&, Matrix& H) const override { H = A; }
    Matrix A;
    Vector b;
};

// A cost without second derivatives.
class NoHessian final : public Cost {
public:
    Index dim() const override { return 3; }
    double value_gradient(const Vector& w, Vector& g) const override {
        g = 2.0 * w;
        return w.squaredNorm();
    }
    bool has_hessian() const override { return false; }
};

Matrix random_matrix(Index n, Index d, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    Matrix X(n, d);
    for (Index i = 0; i < n; ++i)
        for (Index j = 0; j < d; ++j) X(i, j) = normal(rng);
    return X;
}

// Labels from a noisy linear rule: overlapping classes, so a finite minimiser.
Vector noisy_labels(const Matrix& X, unsigned seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal;
    Vector y(X.rows());
    for (Index i = 0; i < X.rows(); ++i) y[i] = (X(i, 0) - 0.5 * X(i, 1) + 0.3 + normal(rng) > 0.0) ? 1.0 : 0.0;
    return y;
}

bool finite_result(const Result& r) { return r.x.allFinite() && std::isfinite(r.fun) && r.jac.allFinite(); }

bool history_consistent(const Result& r) {
    const auto n = static_cast<std::size_t>(r.nit) + 1;
    return r.history.cost.size() == n && r.history.grad_norm.size() == n && r.history.step.size() == n &&
           std::isnan(r.history.step[0]) && r.history.cost.back() == r.fun && r.history.grad_norm.back() == r.grad_norm;
}

void rosenbrock() {
    const Rosenbrock f;
    const Vector x0 = (Vector(2) << -1.2, 1.0).finished();
    const Vector optimum = Vector::Ones(2);

    NewtonOptions newton_options;
    newton_options.tol = 1e-10;
    const Result n = newton(f, x0, newton_options);
    VERIFY(n.status == Status::Converged);
    VERIFY_CLOSE(n.x, optimum, 1e-8);
    VERIFY(n.grad_norm <= 1e-10);
    VERIFY(n.nit < 50);
    VERIFY(n.nhev >= n.nit + 1);
    VERIFY(history_consistent(n));
    // Monotone: every Newton step passed the line search.
    for (std::size_t i = 1; i < n.history.cost.size(); ++i) VERIFY(n.history.cost[i] <= n.history.cost[i - 1]);

    LbfgsOptions lbfgs_options;
    lbfgs_options.tol = 1e-10;
    const Result l = lbfgs(f, x0, lbfgs_options);
    VERIFY(l.status == Status::Converged);
    VERIFY_CLOSE(l.x, optimum, 1e-8);
    VERIFY(l.nit < 100);
    VERIFY(l.nhev == 0);
    VERIFY(history_consistent(l));

    for (StepRule rule : {StepRule::Backtracking, StepRule::Curvature}) {
        GradientDescentOptions options;
        options.step = rule;
        options.learning_rate = 1.0;
        options.max_iter = 100000;
        options.tol = 1e-6;
        const Result r = gradient_descent(f, x0, options);
        VERIFY(r.status == Status::Converged);
        VERIFY_CLOSE(r.x, optimum, 1e-4);
        VERIFY(history_consistent(r));
    }
    GradientDescentOptions fixed;
    fixed.learning_rate = 1e-3;  // stable: below 2/L along the valley
    fixed.max_iter = 100000;
    fixed.tol = 1e-6;
    const Result r = gradient_descent(f, x0, fixed);
    VERIFY(r.status == Status::Converged);
    VERIFY_CLOSE(r.x, optimum, 1e-4);
}

void quadratic() {
    Matrix A(3, 3);
    A << 4, 1, 0, 1, 3, 0.5, 0, 0.5, 2;
    const Vector b = (Vector(3) << 1, -2, 0.5).finished();
    const Quadratic f(A, b);
    const Vector optimum = A.ldlt().solve(b);
    const Vector x0 = Vector::Zero(3);

    // Newton: one step, the full step, one Hessian per point.
    const Result n = newton(f, x0);
    VERIFY(n.status == Status::Converged);
    VERIFY(n.nit == 1);
    VERIFY(n.history.step[1] == 1.0);
    VERIFY_CLOSE(n.x, optimum, 1e-14);
    VERIFY(n.nfev == 2 && n.njev == 2 && n.nhev == 2);

    // The curvature step is the exact line search: α = gᵀg / gᵀAg.
    GradientDescentOptions curvature;
    curvature.step = StepRule::Curvature;
    curvature.max_iter = 1;
    const Result c = gradient_descent(f, x0, curvature);
    const Vector g0 = A * x0 - b;
    const double alpha = g0.squaredNorm() / g0.dot(A * g0);
    VERIFY_CLOSE(c.history.step[1], alpha, 1e-15);
    VERIFY_CLOSE(c.x, (x0 - alpha * g0).eval(), 1e-15);
    VERIFY(c.status == Status::MaxIterations);
    // ... and the exact line search leaves the new gradient orthogonal to the old one.
    VERIFY(std::abs(c.jac.dot(g0)) <= 1e-14 * g0.squaredNorm());

    // Fixed step 1/L converges linearly; compare with the hand-written iteration.
    const double L = A.selfadjointView<Eigen::Lower>().eigenvalues().maxCoeff();
    GradientDescentOptions fixed;
    fixed.learning_rate = 1.0 / L;
    fixed.max_iter = 30;
    fixed.tol = 0.0;
    const Result r = gradient_descent(f, x0, fixed);
    Vector x = x0;
    for (int k = 0; k < 30; ++k) x -= (1.0 / L) * (A * x - b);
    VERIFY(r.status == Status::MaxIterations);
    VERIFY(r.nit == 30);
    VERIFY_CLOSE(r.x, x, 1e-15);
    VERIFY(r.nfev == 31 && r.njev == 31 && r.nhev == 0);

    LbfgsOptions lo;
    lo.tol = 1e-12;
    const Result l = lbfgs(f, x0, lo);
    VERIFY(l.status == Status::Converged);
    VERIFY_CLOSE(l.x, optimum, 1e-11);
    VERIFY(l.nit <= 10);

    // Too large a rate diverges (|1 − αλ| > 1) and returns a finite point; too small stops at max_iter.
    GradientDescentOptions large;
    large.learning_rate = 3.0 / L;
    const Result d = gradient_descent(f, x0, large);
    VERIFY(d.status == Status::Diverged);
    VERIFY(finite_result(d));
    VERIFY(d.message.find("too large") != std::string::npos);
    VERIFY(d.nit < 100);
    GradientDescentOptions huge;
    huge.learning_rate = 1e300;
    const Result h = gradient_descent(f, x0, huge);
    VERIFY(h.status == Status::Diverged);
    VERIFY(finite_result(h));
    GradientDescentOptions small;
    small.learning_rate = 1e-6;
    small.max_iter = 200;
    const Result s = gradient_descent(f, x0, small);
    VERIFY(s.status == Status::MaxIterations);
    VERIFY(s.message.find("too small") != std::string::npos);
    VERIFY(!s.success());

    // An indefinite quadratic: Newton damps H and still descends; the curvature
    // step falls back to backtracking along the negative curvature.
    Matrix indefinite = A;
    indefinite(2, 2) = -1.0;
    const Quadratic saddle(indefinite, b);
    NewtonOptions few;
    few.max_iter = 5;
    const Result ns = newton(saddle, x0, few);
    VERIFY(finite_result(ns));
    VERIFY(ns.fun < 0.0);
    for (std::size_t i = 1; i < ns.history.cost.size(); ++i) VERIFY(ns.history.cost[i] < ns.history.cost[i - 1]);
}

void logistic() {
    const Matrix X = random_matrix(400, 3, 1);
    const Vector y = noisy_labels(X, 2);
    LinearModelOptions options;
    options.l2 = 0.01;
    const LinearModelCost cost(view(X), y, options);
    const Vector x0 = Vector::Zero(cost.dim());

    NewtonOptions no;
    no.tol = 1e-12;
    const Result n = newton(cost, x0, no);
    VERIFY(n.status == Status::Converged);
    VERIFY(n.nit <= 10);
    LbfgsOptions lo;
    lo.tol = 1e-10;
    const Result l = lbfgs(cost, x0, lo);
    VERIFY(l.status == Status::Converged);
    VERIFY_CLOSE(l.x, n.x, 1e-8);
    GradientDescentOptions go;
    go.learning_rate = 1.0;
    go.max_iter = 20000;
    go.tol = 1e-9;
    const Result gd = gradient_descent(cost, x0, go);
    VERIFY(gd.status == Status::Converged);
    VERIFY_CLOSE(gd.x, n.x, 1e-7);
    go.step = StepRule::Curvature;
    const Result gc = gradient_descent(cost, x0, go);
    VERIFY(gc.status == Status::Converged);
    VERIFY_CLOSE(gc.x, n.x, 1e-7);
    VERIFY(gc.nhev == gc.nit);  // one Hessian-vector product per iteration

    // At the optimum the gradient vanishes: check it independently of the solver.
    Vector g;
    cost.value_gradient(n.x, g);
    VERIFY(g.lpNorm<Eigen::Infinity>() <= 1e-12);

    // Hand-written fixed-step iteration on the logistic cost: J = mean(log(1 + e^z) − y·z) + λ/2‖w‖².
    GradientDescentOptions fixed;
    fixed.learning_rate = 0.5;
    fixed.max_iter = 50;
    fixed.tol = 0.0;
    const Result r = gradient_descent(cost, x0, fixed);
    Vector w = x0;
    const auto n_samples = static_cast<double>(X.rows());
    for (int k = 0; k < 50; ++k) {
        const Vector z = (X * w.head(3)).array() + w[3];
        const Vector residual = (1.0 / (1.0 + (-z.array()).exp()) - y.array()).matrix();
        Vector grad(4);
        grad.head(3) = X.transpose() * residual / n_samples + options.l2 * w.head(3);
        grad[3] = residual.sum() / n_samples;
        w -= 0.5 * grad;
    }
    VERIFY_CLOSE(r.x, w, 1e-12);
}

void separable() {
    // Perfectly separable classes, no penalty: the infimum 0 lies at infinity.
    Matrix X(6, 1);
    X << -3, -2, -1, 1, 2, 3;
    const Vector y = (Vector(6) << 0, 0, 0, 1, 1, 1).finished();
    const LinearModelCost cost(view(X), y);
    const Vector x0 = Vector::Zero(2);
    const Result n = newton(cost, x0);
    VERIFY(finite_result(n));
    VERIFY(n.status == Status::NoMinimum);
    VERIFY(n.message.find("infinity") != std::string::npos);
    const Result l = lbfgs(cost, x0);
    VERIFY(finite_result(l));
    VERIFY(l.status == Status::NoMinimum || l.status == Status::MaxIterations);
    GradientDescentOptions go;
    go.max_iter = 2000;
    const Result g = gradient_descent(cost, x0, go);
    VERIFY(finite_result(g));
    VERIFY(g.status == Status::MaxIterations);
    VERIFY(g.message.find("no minimiser") != std::string::npos);

    // With a penalty the minimiser is finite and no such note appears.
    LinearModelOptions penalised;
    penalised.l2 = 0.1;
    const LinearModelCost cost2(view(X), y, penalised);
    const Result p = newton(cost2, x0);
    VERIFY(p.status == Status::Converged);
    VERIFY(p.message.find("infinity") == std::string::npos);
}

int polls = 0;
int polls_before_interrupt = 0;
bool interrupt_after_some_polls() { return ++polls > polls_before_interrupt; }

void control() {
    const Rosenbrock f;
    const Vector x0 = (Vector(2) << -1.2, 1.0).finished();
    GradientDescentOptions slow;  // stable on Rosenbrock
    slow.learning_rate = 1e-3;

    // Callback: sees iteration 0 first, then each iteration; false stops.
    int seen = 0;
    bool ordered = true;
    const Callback stop_at_3 = [&](const IterationInfo& info) {
        ordered = ordered && info.iteration == seen++;
        return info.iteration < 3;
    };
    for (int solver = 0; solver < 3; ++solver) {
        seen = 0;
        const Result r = solver == 0   ? newton(f, x0, {}, stop_at_3)
                         : solver == 1 ? lbfgs(f, x0, {}, stop_at_3)
                                       : gradient_descent(f, x0, slow, stop_at_3);
        VERIFY(r.status == Status::CallbackStopped);
        VERIFY(r.nit == 3);
        VERIFY(seen == 4);
        VERIFY(history_consistent(r));
    }
    VERIFY(ordered);

    // Interrupts propagate from every solver.
    set_interrupt_hook(&interrupt_after_some_polls);
    for (int solver = 0; solver < 3; ++solver) {
        polls = 0;
        polls_before_interrupt = 2;
        VERIFY_THROWS(solver == 0   ? newton(f, x0)
                      : solver == 1 ? lbfgs(f, x0)
                                    : gradient_descent(f, x0, slow),
                      Interrupted);
    }
    set_interrupt_hook(nullptr);

    // Validation names the field.
    auto names = [](auto options, const std::string& field) {
        try {
            options.validate();
        } catch (const std::invalid_argument& e) {
            return std::string(e.what()).rfind(field, 0) == 0;
        }
        return false;
    };
    GradientDescentOptions g;
    g.learning_rate = 0.0;
    VERIFY(names(g, "learning_rate"));
    g.learning_rate = std::numeric_limits<double>::infinity();
    VERIFY(names(g, "learning_rate"));
    g = {};
    g.tol = -1.0;
    VERIFY(names(g, "tol"));
    g = {};
    g.max_iter = -1;
    VERIFY(names(g, "max_iter"));
    LbfgsOptions l;
    l.memory = 0;
    VERIFY(names(l, "memory"));
    l = {};
    l.c2 = 1e-5;
    VERIFY(names(l, "c2"));
    NewtonOptions n;
    n.tol = std::nan("");
    VERIFY(names(n, "tol"));
    VERIFY_THROWS(parse_step_rule("steepest"), std::invalid_argument);
    VERIFY(parse_step_rule("curvature") == StepRule::Curvature);

    VERIFY_THROWS(newton(f, Vector::Zero(3)), std::invalid_argument);
    VERIFY_THROWS(lbfgs(f, (Vector(2) << 0.0, std::nan("")).finished()), std::invalid_argument);
    const NoHessian no_hessian;
    VERIFY_THROWS(newton(no_hessian, Vector::Ones(3)), std::invalid_argument);
    GradientDescentOptions curvature;
    curvature.step = StepRule::Curvature;
    VERIFY_THROWS(gradient_descent(no_hessian, Vector::Ones(3), curvature), std::invalid_argument);
    VERIFY(lbfgs(no_hessian, Vector::Ones(3)).status == Status::Converged);

    // max_iter = 0 evaluates the start only.
    GradientDescentOptions none;
    none.max_iter = 0;
    const Result r = gradient_descent(f, x0, none);
    VERIFY(r.nit == 0 && r.status == Status::MaxIterations && r.x == x0);
    VERIFY(std::string(to_string(Status::LineSearchFailed)) == "line_search_failed");
}

void vectors() {
    int gd_checked = 0, optimum_checked = 0;
    for (const auto& v : testing::Vectors::all()) {
        if (!v.has("X") || !v.has("y")) continue;
        const Index n = v.integer("n"), d = v.integer("d");
        const Matrix X = v.matrix("X", n, d);
        const Vector y = v.vector("y");
        LinearModelOptions options;
        options.loss = parse_loss(v.text("loss"));
        options.fit_intercept = v.integer("fit_intercept") != 0;
        options.l2 = v.number("l2");
        options.reduction = parse_reduction(v.text("reduction"));
        if (v.has("n_classes")) options.n_classes = v.integer("n_classes");
        const Vector weights = v.has("sample_weight") ? v.vector("sample_weight") : Vector();
        const LinearModelCost cost(view(X), y, options, weights);
        const Vector x0 = Vector::Zero(cost.dim());
        const std::string name = v.path().filename().string();
        if (v.has("gd_x")) {
            GradientDescentOptions go;
            go.learning_rate = v.number("gd_learning_rate");
            go.max_iter = static_cast<int>(v.integer("gd_iterations"));
            go.tol = 0.0;
            const Result r = gradient_descent(cost, x0, go);
            const double error = testing::relative_error(r.x, v.vector("gd_x"));
            if (error > 1e-10) std::cerr << name << ": gd_x relative error " << error << "\n";
            VERIFY(error <= 1e-10);
            // All the iterations ran, unless the gradient reached exactly zero first.
            if (r.nit != go.max_iter)
                std::cerr << name << ": " << r.nit << " iterations, " << r.message << "\n";
            VERIFY(r.nit == go.max_iter || (r.status == Status::Converged && r.grad_norm == 0.0));
            ++gd_checked;
        }
        if (v.has("optimum")) {
            const Vector optimum = v.vector("optimum");
            NewtonOptions no;
            no.tol = 1e-11;
            const Result rn = newton(cost, x0, no);
            LbfgsOptions lo;
            lo.tol = 1e-10;
            lo.max_iter = 10000;
            const Result rl = lbfgs(cost, x0, lo);
            for (const Result* r : {&rn, &rl}) {
                const double error = testing::relative_error(r->x, optimum);
                if (error > 1e-6)
                    std::cerr << name << ": " << (r == &rn ? "newton" : "lbfgs") << " optimum relative error "
                              << error << " (" << r->message << ")\n";
                VERIFY(error <= 1e-6);
                if (v.has("optimum_value")) VERIFY_CLOSE(r->fun, v.number("optimum_value"), 1e-10);
            }
            ++optimum_checked;
        }
    }
    std::cout << "test vectors: " << gd_checked << " fixed-step runs and " << optimum_checked
              << " optima checked\n";
}

// The softmax cost: the intercepts are never identified (the Newton message says so), and a class
// without samples sends its intercept to −∞ (every solver says no_minimum, whatever its gradient).
void multinomial() {
    const Index n = 300, d = 2;
    std::mt19937 rng(5);
    std::normal_distribution<double> normal;
    Matrix X(n, d);
    Vector y(n);
    for (Index i = 0; i < n; ++i) {
        X(i, 0) = normal(rng);
        X(i, 1) = normal(rng);
        const double score = X(i, 0) - 0.5 * X(i, 1) + normal(rng);
        y[i] = score < -0.5 ? 0.0 : (score < 0.5 ? 1.0 : 2.0);
    }
    LinearModelOptions options;
    options.loss = LossKind::Multinomial;
    options.l2 = 0.01;
    const LinearModelCost cost(view(X), y, options);
    VERIFY(cost.dim() == 9 && cost.classes() == 3);
    NewtonOptions no;
    no.tol = 1e-10;
    const Result r = newton(cost, Vector::Zero(cost.dim()), no);
    VERIFY(r.status == Status::Converged);
    VERIFY(r.message.find("every class's intercept") != std::string::npos);

    options.n_classes = 4;
    const LinearModelCost empty(view(X), y, options);
    VERIFY(empty.no_minimum_reason().find("class 3 of n_classes = 4") != std::string::npos);
    VERIFY(newton(empty, Vector::Zero(empty.dim())).status == Status::NoMinimum);
    VERIFY(lbfgs(empty, Vector::Zero(empty.dim())).status == Status::NoMinimum);
    options.fit_intercept = false;
    const LinearModelCost bounded(view(X), y, options);
    VERIFY(bounded.no_minimum_reason().empty());
    VERIFY(newton(bounded, Vector::Zero(bounded.dim())).status == Status::Converged);
}

// Mini-batch descent: a batch's gradient is the cost of those rows alone (dense, CSR, CSC, weights,
// the sum), full batches are fixed-step gradient descent, the heavy ball and Adam's first step are
// their formulas, and a seed gives the same path.
void stochastic() {
    const Index n = 57, d = 3;
    std::mt19937 rng(11);
    std::normal_distribution<double> normal;
    Matrix X(n, d);
    Vector y(n), s(n);
    for (Index i = 0; i < n; ++i) {
        for (Index j = 0; j < d; ++j) X(i, j) = (i * 7 + j) % 5 == 0 ? 0.0 : normal(rng);
        y[i] = X(i, 0) - X(i, 2) + normal(rng) > 0.0 ? 1.0 : 0.0;
        s[i] = 0.5 + static_cast<double>(i % 4);
    }
    const Vector w = (Vector(d + 1) << 0.3, -0.2, 0.5, 0.1).finished();
    const std::vector<Index> rows = {5, 2, 40, 2, 56};
    Matrix Xb(rows.size(), d);
    Vector yb(rows.size()), sb(rows.size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
        Xb.row(static_cast<Index>(r)) = X.row(rows[r]);
        yb[static_cast<Index>(r)] = y[rows[r]];
        sb[static_cast<Index>(r)] = s[rows[r]];
    }
    const Eigen::SparseMatrix<double, Eigen::RowMajor> csr = X.sparseView();
    const Eigen::SparseMatrix<double, Eigen::ColMajor> csc = X.sparseView();
    for (const Reduction reduction : {Reduction::Mean, Reduction::Sum}) {
        LinearModelOptions options;
        options.l2 = 0.3;
        options.reduction = reduction;
        LinearModelOptions batch_options = options;
        batch_options.reduction = Reduction::Mean;
        Vector expected;
        LinearModelCost(view(Xb), yb, batch_options, sb).value_gradient(w, expected);
        if (reduction == Reduction::Sum) {  // the batch mean times Σs, plus λw
            expected.head(d) -= options.l2 * w.head(d);
            expected *= s.sum();
            expected.head(d) += options.l2 * w.head(d);
        }
        for (const Design& design : {view(X), view(csr), view(csc)}) {
            const LinearModelCost cost(design, y, options, s);
            RowBatches batches(cost);
            Vector g;
            batches.gradient(w, rows.data(), static_cast<Index>(rows.size()), g);
            VERIFY(testing::relative_error(g, expected) <= 1e-13);
        }
    }

    const LinearModelCost cost(view(X), y, LinearModelOptions{});
    const Vector x0 = Vector::Zero(d + 1);
    GradientDescentOptions go;
    go.learning_rate = 0.7;
    go.max_iter = 25;
    go.tol = 0.0;
    go.store_path = true;
    const Result gd = gradient_descent(cost, x0, go);
    SgdOptions so;
    so.learning_rate = 0.7;
    so.batch_size = 0;
    so.epochs = 25;
    so.store_path = true;
    const Result full = sgd(cost, x0, so);
    VERIFY(full.status == Status::MaxIterations && full.nit == 25);
    VERIFY(gd.history.x.size() == 26 && full.history.x.size() == 26);
    for (std::size_t k = 0; k < 26; ++k) VERIFY((gd.history.x[k] - full.history.x[k]).lpNorm<Eigen::Infinity>() <= 1e-12);

    so.batch_size = 10;  // 6 steps per epoch, the last of 7 rows
    so.epochs = 3;
    so.seed = 42;
    const Result a = sgd(cost, x0, so), b = sgd(cost, x0, so);
    VERIFY(a.history.x.size() == 3 * 6 + 1 && a.history.cost.size() == 4);
    VERIFY(a.x == b.x);
    so.seed = 43;
    VERIFY(sgd(cost, x0, so).x != a.x);

    // The heavy ball on ½xᵀAx − bᵀx, written out by hand.
    const Quadratic quadratic((Matrix(2, 2) << 3.0, 1.0, 1.0, 2.0).finished(), Vector::Ones(2));
    SgdOptions ho;
    ho.learning_rate = 0.1;
    ho.momentum = 0.8;
    ho.epochs = 30;
    ho.store_path = true;
    const Result heavy = sgd(quadratic, Vector::Zero(2), ho);
    Vector x = Vector::Zero(2), v = Vector::Zero(2);
    for (int k = 1; k <= 30; ++k) {
        v = 0.8 * v + (quadratic.A * x - quadratic.b);
        x -= 0.1 * v;
        VERIFY((heavy.history.x[static_cast<std::size_t>(k)] - x).norm() <= 1e-14);
    }
    // Adam's first step moves every coordinate by α (m̂/√v̂ = sign g).
    AdamOptions ao;
    ao.learning_rate = 0.01;
    ao.epochs = 1;
    ao.batch_size = 0;
    const Result first = adam(cost, x0, ao);
    VERIFY(((first.x - x0).cwiseAbs().array() - 0.01).abs().maxCoeff() <= 1e-8);

    SgdOptions bad;
    bad.momentum = 1.0;
    VERIFY_THROWS(sgd(cost, x0, bad), std::invalid_argument);
    bad.momentum = 0.0;
    bad.nesterov = true;
    VERIFY_THROWS(sgd(cost, x0, bad), std::invalid_argument);
    AdamOptions bad_adam;
    bad_adam.eps = 0.0;
    VERIFY_THROWS(adam(cost, x0, bad_adam), std::invalid_argument);
}

}  // namespace

int main() {
    rosenbrock();
    quadratic();
    control();
    // The fits that evaluate the linear-model cost, at every level this CPU runs.
    for (const std::string& level : descend::kernel_config().supported) {
        descend::set_kernel_level(level);
        std::printf("test_solvers: the %s kernels\n", level.c_str());
        logistic();
        separable();
        multinomial();
        stochastic();
        vectors();
    }
    descend::set_kernel_level("best");
    return testing::finish("test_solvers");
}
