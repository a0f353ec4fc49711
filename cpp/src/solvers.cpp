// Gradient descent, Newton and L-BFGS over any Cost (formulas: solvers.hpp).
#include "descend/solvers.hpp"

#include "descend/interrupt.hpp"

#include <Eigen/Cholesky>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace descend {

const char* to_string(Status status) {
    switch (status) {
        case Status::Converged: return "converged";
        case Status::MaxIterations: return "max_iterations";
        case Status::Diverged: return "diverged";
        case Status::LineSearchFailed: return "line_search_failed";
        case Status::NonFinite: return "non_finite";
        case Status::CallbackStopped: return "callback_stopped";
        case Status::NoMinimum: return "no_minimum";
    }
    return "unknown";
}

StepRule parse_step_rule(const std::string& name) {
    if (name == "fixed") return StepRule::Fixed;
    if (name == "backtracking") return StepRule::Backtracking;
    if (name == "curvature") return StepRule::Curvature;
    throw std::invalid_argument("step must be 'fixed', 'backtracking' or 'curvature', got '" + name + "'");
}

const char* to_string(StepRule rule) {
    switch (rule) {
        case StepRule::Fixed: return "fixed";
        case StepRule::Backtracking: return "backtracking";
        case StepRule::Curvature: return "curvature";
    }
    return "unknown";
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEps = std::numeric_limits<double>::epsilon();
constexpr double kPi = 3.14159265358979323846;
// Relative level of rounding in a cost value: below it, decreases are noise.
constexpr double kRoundingLevel = 1e-12;
// A Cholesky factor whose reciprocal condition estimate is below this is
// treated as singular, and the Hessian is damped.
constexpr double kMinRcond = 1e-14;

std::string num(double x) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.6g", x);
    return buffer;
}

void require(bool ok, const std::string& message) {
    if (!ok) throw std::invalid_argument(message);
}

void require_tol(double tol) {
    require(std::isfinite(tol) && tol >= 0.0, "tol must be a finite number >= 0, got " + num(tol));
}
void require_max_iter(int max_iter) {
    require(max_iter >= 0, "max_iter must be >= 0, got " + std::to_string(max_iter));
}
void require_c1(double c1) {
    require(c1 > 0.0 && c1 < 1.0, "c1 must lie in (0, 1), got " + num(c1));
}

double max_norm(const Vector& v) { return v.size() == 0 ? 0.0 : v.lpNorm<Eigen::Infinity>(); }

bool all_finite(double f, const Vector& g) { return std::isfinite(f) && g.allFinite(); }

// Bookkeeping shared by the solvers: counted evaluations, the history, the
// callback, and the record of how x moved (to spot a minimum at infinity).
class Run {
public:
    Run(const Cost& cost, const Vector& x0, const Callback& callback, bool store_path)
        : cost_(cost), callback_(callback), store_path_(store_path) {
        const Index dim = cost.dim();
        require(x0.size() == dim, "x0 must have length " + std::to_string(dim) + " (the cost's dim), got " +
                                      std::to_string(x0.size()));
        require(x0.allFinite(), "x0 must contain only finite values (no NaN or inf)");
        result.x = x0;
    }

    double value(const Vector& x) {
        ++result.nfev;
        return cost_.value(x);
    }
    double value_gradient(const Vector& x, Vector& g) {
        ++result.nfev;
        ++result.njev;
        const double f = cost_.value_gradient(x, g);
        check_gradient(x, g);
        return f;
    }
    double value_gradient_hessian(const Vector& x, Vector& g, Matrix& H) {
        ++result.nfev;
        ++result.njev;
        ++result.nhev;
        const double f = cost_.value_gradient_hessian(x, g, H);
        check_gradient(x, g);
        if (H.rows() != x.size() || H.cols() != x.size())
            throw std::invalid_argument("the cost's Hessian is " + std::to_string(H.rows()) + "x" +
                                        std::to_string(H.cols()) + ", expected " + std::to_string(x.size()) +
                                        "x" + std::to_string(x.size()) + " (dim x dim)");
        return f;
    }
    bool hessian_diagonal(const Vector& x, Vector& out) {
        if (!cost_.hessian_diagonal(x, out)) return false;
        ++result.nhev;
        if (out.size() != x.size() || !out.allFinite()) return false;  // unusable: no preconditioner
        return true;
    }
    void hessian_product(const Vector& x, const Vector& v, Vector& out) {
        ++result.nhev;
        cost_.hessian_product(x, v, out);
        if (out.size() != x.size())
            throw std::invalid_argument("the cost's Hessian-vector product has length " + std::to_string(out.size()) +
                                        ", expected " + std::to_string(x.size()) + " (dim)");
    }

    /// Makes (x, f, g) the current point of iteration k, reached with step size
    /// `step`; returns false when the callback asks to stop.
    bool accept(int k, Vector& x, double f, Vector& g, double step) {
        if (k > 0) {
            const double moved = (x - result.x).norm();
            step_norms_.push_back(moved);
        }
        x_norms_.push_back(x.norm());
        result.x.swap(x);
        result.jac.swap(g);
        result.fun = f;
        result.grad_norm = max_norm(result.jac);
        result.nit = k;
        result.history.cost.push_back(f);
        result.history.grad_norm.push_back(result.grad_norm);
        result.history.step.push_back(step);
        if (store_path_) result.history.x.push_back(result.x);
        if (!callback_) return true;
        const IterationInfo info{k, f, result.grad_norm, step, result.x, result.jac};
        return callback_(info);
    }

    /// The start point: evaluates it, records it. Returns false when the run
    /// is over already (non-finite start, or the callback stopped it).
    bool start(bool with_hessian, Matrix* H) {
        Vector x = result.x;
        Vector g;
        const double f = with_hessian ? value_gradient_hessian(x, g, *H) : value_gradient(x, g);
        if (!all_finite(f, g)) {
            result.fun = f;
            result.jac = g;
            result.grad_norm = max_norm(g);
            result.history.cost.push_back(f);
            result.history.grad_norm.push_back(result.grad_norm);
            result.history.step.push_back(kNaN);
            if (store_path_) result.history.x.push_back(result.x);
            finish(Status::NonFinite, std::string("the cost or its gradient is not finite (NaN or inf) at x0 (cost = ") +
                                          num(f) + "): start from another x0, or check the cost and the data");
            return false;
        }
        if (!accept(0, x, f, g, kNaN)) {
            stopped();
            return false;
        }
        return true;
    }

    void finish(Status status, std::string message) {
        result.status = status;
        result.message = std::move(message);
        if (status == Status::NonFinite || status == Status::CallbackStopped || status == Status::Diverged) return;
        if (const std::string reason = cost_.no_minimum_reason(); !reason.empty()) {
            result.status = Status::NoMinimum;
            result.message = "no minimum: " + reason + " (" + result.message + ")";
            return;
        }
        const std::string note = escape_note();
        if (note.empty()) return;
        // A small gradient on the way to infinity is not convergence: say so in the status.
        result.status = Status::NoMinimum;
        result.message = "no minimum: " + result.message + note;
    }
    void stopped() {
        finish(Status::CallbackStopped, "stopped by the callback at iteration " + std::to_string(result.nit));
    }
    void converged(double tol) {
        finish(Status::Converged, "converged: max|gradient| = " + num(result.grad_norm) + " <= tol = " + num(tol) +
                                      " after " + std::to_string(result.nit) + " iterations");
    }
    std::string gradient_vs_tol(double tol) const {
        return "max|gradient| = " + num(result.grad_norm) + " > tol = " + num(tol);
    }

    Result result;

private:
    void check_gradient(const Vector& x, const Vector& g) const {
        if (g.size() != x.size())
            throw std::invalid_argument("the cost's gradient has length " + std::to_string(g.size()) + ", expected " +
                                        std::to_string(x.size()) + " (dim)");
    }

    // The hallmark of a cost whose infimum lies at infinity (e.g. the logistic
    // cost of separable classes): over the last iterations x moved outward by
    // steps that hardly shrink, while the decrease of the cost shrank much faster
    // than the squared step (near a minimiser with curvature the two shrink alike).
    std::string escape_note() const {
        constexpr std::size_t window = 4;  // steps compared: the first and last of window + 1
        const std::size_t steps = step_norms_.size();
        if (steps < window + 1) return "";
        const auto& cost = result.history.cost;
        for (std::size_t i = steps - window - 1; i < steps; ++i) {
            // step i leads from x_i to x_{i+1}
            if (!(step_norms_[i] > 0.0) || x_norms_[i + 1] - x_norms_[i] < 0.5 * step_norms_[i]) return "";
            if (!(cost[i + 1] < cost[i])) return "";
        }
        const std::size_t first = steps - window - 1, last = steps - 1;
        const double step_ratio = step_norms_[last] / step_norms_[first];
        const double decrease_ratio = (cost[last] - cost[last + 1]) / (cost[first] - cost[first + 1]);
        if (step_ratio < 0.5 || !(decrease_ratio < 0.25 * step_ratio * step_ratio)) return "";
        return ". Note: x keeps moving outward by steps that do not shrink (|x| = " + num(x_norms_.back()) +
               ") while the cost decreases ever more slowly: the cost may have no minimiser, its infimum lying at "
               "infinity (e.g. perfectly separable classes without a penalty); add an L2 penalty (l2 > 0) for a "
               "finite optimum";
    }

    const Cost& cost_;
    const Callback& callback_;
    bool store_path_;
    std::vector<double> x_norms_;
    std::vector<double> step_norms_;
};

// The trial f_new (with gradient max-norm gn_new, or NaN when not evaluated)
// at step t along a direction of slope ∇Jᵀd < 0 is good enough: Armijo, or the
// change is at rounding level and the gradient shrank.
bool sufficient_decrease(double f, double gn, double f_new, double gn_new, double t_slope, double c1) {
    if (!std::isfinite(f_new)) return false;
    if (f_new <= f + c1 * t_slope) return true;
    const double level = kRoundingLevel * std::abs(f);
    return -t_slope <= level && f_new <= f + level && gn_new < gn;
}

// Halves t from t0 until x − t·g passes sufficient_decrease; evaluates value
// and gradient at each trial. Returns the accepted t, or 0.
double backtrack_gradient(Run& run, const Vector& x, double f, const Vector& g, double gn, double t0, double c1,
                          int max_backtracks, Vector& x_new, double& f_new, Vector& g_new) {
    const double slope = -g.squaredNorm();
    double t = t0;
    for (int i = 0; i <= max_backtracks; ++i, t *= 0.5) {
        if (i > 0) poll_interrupt();
        x_new = x - t * g;
        if (x_new == x) return 0.0;
        f_new = run.value_gradient(x_new, g_new);
        const double gn_new = g_new.allFinite() ? max_norm(g_new) : kNaN;
        if (std::isfinite(gn_new) && sufficient_decrease(f, gn, f_new, gn_new, t * slope, c1)) return t;
    }
    return 0.0;
}

}  // namespace

// ---------------------------------------------------------------------------
// Options

void GradientDescentOptions::validate() const {
    require(step == StepRule::Fixed || step == StepRule::Backtracking || step == StepRule::Curvature,
            "step must be StepRule::Fixed, Backtracking or Curvature");
    require(std::isfinite(learning_rate) && learning_rate > 0.0,
            "learning_rate must be a finite number > 0, got " + num(learning_rate));
    require_max_iter(max_iter);
    require_tol(tol);
    require_c1(c1);
    require(max_backtracks >= 1, "max_backtracks must be >= 1, got " + std::to_string(max_backtracks));
    require(divergence_factor > 1.0, "divergence_factor must be > 1, got " + num(divergence_factor));
    require(divergence_patience >= 1, "divergence_patience must be >= 1, got " + std::to_string(divergence_patience));
}

void NewtonOptions::validate() const {
    require_max_iter(max_iter);
    require_tol(tol);
    require_c1(c1);
    require(max_backtracks >= 1, "max_backtracks must be >= 1, got " + std::to_string(max_backtracks));
}

void LbfgsOptions::validate() const {
    require(memory >= 1, "memory must be >= 1, got " + std::to_string(memory));
    require_max_iter(max_iter);
    require_tol(tol);
    require_c1(c1);
    require(c2 > c1 && c2 < 1.0, "c2 must lie in (c1, 1), got " + num(c2));
    require(max_linesearch >= 1, "max_linesearch must be >= 1, got " + std::to_string(max_linesearch));
}

void NewtonCgOptions::validate() const {
    require_max_iter(max_iter);
    require_tol(tol);
    require(std::isfinite(initial_radius) && initial_radius >= 0.0,
            "initial_radius must be a finite number >= 0 (0: the first step's length), got " + num(initial_radius));
    require(std::isfinite(max_radius) && max_radius >= initial_radius,
            "max_radius must be finite and >= initial_radius, got " + num(max_radius));
    require(eta >= 0.0 && eta < 0.25, "eta must lie in [0, 0.25), got " + num(eta));
    require(max_cg >= 0, "max_cg must be >= 0 (0 means 2·dim), got " + std::to_string(max_cg));
}

// ---------------------------------------------------------------------------
// Gradient descent

Result gradient_descent(const Cost& cost, const Vector& x0, const GradientDescentOptions& options,
                        const Callback& callback) {
    options.validate();
    if (options.step == StepRule::Curvature && !cost.has_hessian())
        throw std::invalid_argument(
            "step 'curvature' needs Hessian-vector products, and this cost has no Hessian (has_hessian() is "
            "false): use step 'backtracking' or 'fixed', or lbfgs");
    Run run(cost, x0, callback, options.store_path);
    if (!run.start(false, nullptr)) return std::move(run.result);
    Result& r = run.result;

    const double alpha = options.learning_rate;
    const double f0 = r.fun;
    int rising = 0;
    double gn_before_rise = r.grad_norm;
    Vector x_new, g_new, hg;
    for (int k = 1;; ++k) {
        if (r.grad_norm <= options.tol) {
            run.converged(options.tol);
            break;
        }
        if (k > options.max_iter) {
            if (options.step == StepRule::Fixed && r.fun > f0) {
                // A stable fixed step never ends above its start: it oscillated outward.
                run.finish(Status::Diverged,
                           "diverged: after max_iter = " + std::to_string(options.max_iter) +
                               " iterations the cost is " + num(r.fun) + ", above its start " + num(f0) +
                               ": the fixed learning rate " + num(alpha) + " is too large: lower it (try " +
                               num(alpha / 10) + "), or use step 'backtracking' or 'curvature'");
                break;
            }
            std::string advice;
            // A rate below 2/L decreases the cost at every step; rises mean it oscillates.
            const auto& costs = r.history.cost;
            const std::size_t recent = std::max<std::size_t>(1, costs.size() / 5);
            std::size_t rises = 0;
            for (std::size_t i = costs.size() - recent; i < costs.size(); ++i)
                if (i > 0 && costs[i] > costs[i - 1]) ++rises;
            if (options.step == StepRule::Fixed && rises > 0)
                advice = ": the cost rose in " + std::to_string(rises) + " of the last " + std::to_string(recent) +
                         " iterations, so the learning rate " + num(alpha) +
                         " is too large for this cost (it oscillates): lower it (try " + num(alpha / 4) +
                         "), or use step 'backtracking' or 'curvature'";
            else if (options.step == StepRule::Fixed)
                advice = ": the learning rate " + num(alpha) +
                         " may be too small (try a larger one, or step 'backtracking' or 'curvature'), or raise "
                         "max_iter; newton and lbfgs need far fewer iterations";
            else
                advice = ": raise max_iter, or use newton or lbfgs, which need far fewer iterations";
            advice += ". If x keeps growing, the cost may have no minimiser (e.g. separable classes without a "
                      "penalty: add l2 > 0)";
            run.finish(Status::MaxIterations, "gradient descent stopped after max_iter = " +
                                                  std::to_string(options.max_iter) + " iterations with " +
                                                  run.gradient_vs_tol(options.tol) + advice);
            break;
        }
        poll_interrupt();
        const Vector& x = r.x;
        const Vector& g = r.jac;
        double f_new = kNaN;
        double t = alpha;
        if (options.step == StepRule::Fixed) {
            x_new = x - alpha * g;
            f_new = run.value_gradient(x_new, g_new);
            if (!all_finite(f_new, g_new)) {
                run.finish(Status::Diverged,
                           "diverged at iteration " + std::to_string(k) + ": the cost became " + num(f_new) +
                               " with the fixed learning rate " + num(alpha) +
                               ", which is too large: lower it (try " + num(alpha / 10) +
                               "), or use step 'backtracking' or 'curvature'. x is the last finite point (iteration " +
                               std::to_string(k - 1) + ")");
                break;
            }
        } else {
            double t0 = alpha;
            if (options.step == StepRule::Curvature) {
                run.hessian_product(x, g, hg);
                const double curvature = g.dot(hg);
                const double ideal = g.squaredNorm() / curvature;
                if (curvature > 0.0 && std::isfinite(ideal) && ideal > 0.0) t0 = ideal;
            }
            t = backtrack_gradient(run, x, r.fun, g, r.grad_norm, t0, options.c1, options.max_backtracks, x_new,
                                   f_new, g_new);
            if (t == 0.0) {
                run.finish(Status::LineSearchFailed,
                           "the line search found no step that decreases the cost at iteration " + std::to_string(k) +
                               " (" + run.gradient_vs_tol(options.tol) + ", step sizes " + num(t0) +
                               "·2^-j tried for j <= " + std::to_string(options.max_backtracks) +
                               "): tol may be below what rounding allows, the learning rate may be far too large, "
                               "or the gradient is wrong (check it by finite differences); x is the best point found");
                break;
            }
        }
        const double f_old = r.fun;
        const double gn_old = r.grad_norm;
        if (!run.accept(k, x_new, f_new, g_new, t)) {
            run.stopped();
            break;
        }
        if (options.step == StepRule::Fixed) {
            const std::string advice = " with the fixed learning rate " + num(alpha) +
                                       ", which is too large: lower it (try " + num(alpha / 10) +
                                       "), or use step 'backtracking' or 'curvature'";
            if (r.fun > options.divergence_factor * (std::abs(f0) + 1.0)) {
                run.finish(Status::Diverged, "diverged at iteration " + std::to_string(k) + ": the cost grew from " +
                                                 num(f0) + " to " + num(r.fun) + advice);
                break;
            }
            if (r.fun > f_old) {
                if (rising == 0) gn_before_rise = gn_old;
                if (++rising >= options.divergence_patience && r.grad_norm > gn_before_rise) {
                    run.finish(Status::Diverged, "diverged: the cost rose in each of the last " +
                                                     std::to_string(rising) + " iterations, to " + num(r.fun) +
                                                     ", and the gradient grew" + advice);
                    break;
                }
            } else {
                rising = 0;
            }
        }
    }
    return std::move(run.result);
}

// ---------------------------------------------------------------------------
// Newton

namespace {

// The Newton direction s = −H⁻¹g, solved on the Jacobi-scaled Hessian
// Ĥ = D⁻¹HD⁻¹, D = diag(√|Hⱼⱼ|) (unit diagonal), so that neither the test for
// singularity nor the damping depends on the units of the parameters. Where Ĥ
// is not positive definite or is numerically singular, (Ĥ + μI)ŝ = −D⁻¹g with
// μ = 1e-8·10ᵏ for the smallest k ≥ 0 that gives a well-conditioned Cholesky
// factor: in the original units, (H + μD²)s = −g. Returns false when none does.
//
// A flat coordinate j — curvature at rounding level (Hⱼⱼ ≤ 1e-12·maxₖ Hₖₖ) and a
// gradient at rounding level too (|gⱼ| ≤ flat_gradient: within tol, and below
// 1e-12 times the largest max|∇| of the run, so that a badly scaled but genuine
// parameter, whose gradient is not yet within tol, still moves) — takes no step: its
// Newton step would be rounding over rounding, of any size (a cost that does not
// depend on xⱼ at all sends xⱼ to 1e4). H being positive semi-definite there,
// its row and column are at rounding level as well, so leaving j out of the
// system changes the other components by rounding only.
// Whether H is numerically singular, judged like newton_direction judges it:
// on the Jacobi-scaled Hessian, so independently of the parameters' units.
bool numerically_singular(const Matrix& H) {
    if (!H.allFinite()) return true;
    const Eigen::ArrayXd diagonal = H.diagonal().array().abs();
    const double largest = diagonal.size() != 0 ? diagonal.maxCoeff() : 0.0;
    if (!(largest > 0.0)) return true;
    const Vector inverse = diagonal.max(1e-12 * largest).sqrt().inverse().matrix();
    const Eigen::LLT<Matrix> llt(inverse.asDiagonal() * H * inverse.asDiagonal());
    return llt.info() != Eigen::Success || !(llt.rcond() > kMinRcond);
}

bool newton_direction(const Matrix& H, const Vector& g, double flat_gradient, Eigen::LLT<Matrix>& llt,
                      Matrix& scaled, Matrix& damped, Vector& s) {
    if (!H.allFinite()) return false;
    const Eigen::ArrayXd diagonal = H.diagonal().array().abs();
    const double largest = diagonal.size() != 0 ? diagonal.maxCoeff() : 0.0;
    const double floor = largest > 0.0 ? 1e-12 * largest : 1.0;  // zero or tiny diagonal entries
    const Vector inverse = diagonal.max(floor).sqrt().inverse().matrix();
    scaled = inverse.asDiagonal() * H * inverse.asDiagonal();
    Vector rhs = -(g.array() * inverse.array()).matrix();
    for (Index j = 0; j < H.rows(); ++j) {
        if (diagonal[j] <= floor && std::abs(g[j]) <= flat_gradient) {
            scaled.row(j).setZero();
            scaled.col(j).setZero();
            scaled(j, j) = 1.0;
            rhs[j] = 0.0;
        }
    }
    auto solved = [&](const Matrix& A) {
        llt.compute(A);
        if (llt.info() != Eigen::Success || !(llt.rcond() > kMinRcond)) return false;
        s = (llt.solve(rhs).array() * inverse.array()).matrix();
        return s.allFinite();
    };
    if (solved(scaled)) return true;
    for (double mu = 1e-8; std::isfinite(mu); mu *= 10.0) {
        damped = scaled;
        damped.diagonal().array() += mu;
        if (solved(damped)) return true;
    }
    return false;
}

}  // namespace

Result newton(const Cost& cost, const Vector& x0, const NewtonOptions& options, const Callback& callback) {
    options.validate();
    if (!cost.has_hessian())
        throw std::invalid_argument(
            "newton needs the Hessian of the cost, and this cost has none (has_hessian() is false): use lbfgs or "
            "gradient_descent");
    Run run(cost, x0, callback, options.store_path);
    Matrix H;
    if (!run.start(true, &H)) return std::move(run.result);
    Result& r = run.result;

    Eigen::LLT<Matrix> llt;
    Matrix scaled, damped, H_new;
    Vector s, x_new, g_new;
    double largest_gradient = r.grad_norm;  // the scale of the gradient's rounding
    for (int k = 1;; ++k) {
        if (r.grad_norm <= options.tol) {
            run.converged(options.tol);
            if (r.status == Status::Converged && numerically_singular(H))
                r.message += ". Note: " + cost.singular_note();
            break;
        }
        if (k > options.max_iter) {
            run.finish(Status::MaxIterations,
                       "newton stopped after max_iter = " + std::to_string(options.max_iter) + " iterations with " +
                           run.gradient_vs_tol(options.tol) +
                           ": raise max_iter; if the cost keeps decreasing the minimum may lie at infinity");
            break;
        }
        poll_interrupt();
        const Vector& x = r.x;
        const Vector& g = r.jac;
        largest_gradient = std::max(largest_gradient, r.grad_norm);
        const double flat_gradient = std::min(options.tol, 1e-12 * largest_gradient);
        if (!newton_direction(H, g, flat_gradient, llt, scaled, damped, s)) {
            run.finish(Status::NonFinite, "the Hessian at iteration " + std::to_string(k - 1) +
                                              " is not finite or cannot be factorised even with damping: check "
                                              "the cost's Hessian, or use lbfgs");
            break;
        }
        double slope = g.dot(s);
        if (!(slope < 0.0)) {  // rounding on a nearly singular H: fall back to steepest descent
            s = -g;
            slope = -g.squaredNorm();
        }
        // Line search: the full step with a combined evaluation (usually accepted);
        // then halve with value-only trials and evaluate everything at the accepted one.
        double t = 1.0;
        x_new = x + s;
        double f_new = run.value_gradient_hessian(x_new, g_new, H_new);
        bool ok = g_new.allFinite() &&
                  sufficient_decrease(r.fun, r.grad_norm, f_new, max_norm(g_new), slope, options.c1);
        for (int i = 0; !ok && i < options.max_backtracks; ++i) {
            poll_interrupt();
            t *= 0.5;
            x_new = x + t * s;
            if (x_new == x) break;
            f_new = run.value(x_new);
            if (sufficient_decrease(r.fun, r.grad_norm, f_new, kNaN, t * slope, options.c1)) {
                f_new = run.value_gradient_hessian(x_new, g_new, H_new);
                ok = all_finite(f_new, g_new);
            }
        }
        if (!ok) {
            run.finish(Status::LineSearchFailed,
                       "the line search on the Newton step found no decrease of the cost at iteration " +
                           std::to_string(k) + " (" + run.gradient_vs_tol(options.tol) +
                           "): tol may be below what rounding allows, or the gradient or Hessian is wrong (check "
                           "them by finite differences); x is the best point found");
            break;
        }
        H.swap(H_new);
        if (!run.accept(k, x_new, f_new, g_new, t)) {
            run.stopped();
            break;
        }
    }
    r.hess = std::move(H);  // evaluated at r.x on every path out of the loop
    return std::move(run.result);
}

// ---------------------------------------------------------------------------
// L-BFGS

namespace {

struct LinePoint {
    double t = 0.0;
    double f = 0.0;
    double dg = 0.0;  // ∇J(x + t·d)ᵀd
    bool finite = true;
    Vector x;
    Vector g;
};

// The minimiser of the cubic through (a.t, a.f, a.dg) and (b.t, b.f, b.dg),
// or NaN when it does not exist.
double cubic_minimiser(const LinePoint& a, const LinePoint& b) {
    const double d1 = a.dg + b.dg - 3.0 * (a.f - b.f) / (a.t - b.t);
    const double radicand = d1 * d1 - a.dg * b.dg;
    if (!(radicand >= 0.0)) return kNaN;
    const double d2 = std::copysign(std::sqrt(radicand), b.t - a.t);
    const double t = b.t - (b.t - a.t) * (b.dg + d2 - d1) / (b.dg - a.dg + 2.0 * d2);
    return std::isfinite(t) ? t : kNaN;
}

enum class LineSearch { Wolfe, ArmijoOnly, Failed };

// Finds t satisfying the strong Wolfe conditions along d from x (slope dg0 < 0):
// bracketing by expansion, then zoom by safeguarded cubic interpolation
// (Nocedal & Wright, Numerical Optimization, algorithms 3.5 and 3.6).
class WolfeSearch {
public:
    WolfeSearch(Run& run, const Vector& x, double f0, const Vector& g0, const Vector& d, double dg0,
                const LbfgsOptions& options)
        : run_(run), x_(x), d_(d), f0_(f0), gn0_(max_norm(g0)), dg0_(dg0), options_(options) {}

    LineSearch search(double t_init, LinePoint& out) {
        LinePoint prev;
        prev.t = 0.0;
        prev.f = f0_;
        prev.dg = dg0_;
        LinePoint cur;
        double t = t_init;
        for (bool first = true;; first = false) {
            if (!evaluate(t, cur)) return fail(prev, out);
            if (wolfe(cur)) {
                out = std::move(cur);
                return LineSearch::Wolfe;
            }
            if (!armijo(cur) || (!first && cur.f >= prev.f)) return zoom(std::move(prev), std::move(cur), out);
            if (cur.dg >= 0.0) return zoom(std::move(cur), std::move(prev), out);
            // Still going down steeply: extrapolate, by a factor 2 to 4.
            const double cubic = cubic_minimiser(prev, cur);
            double next = std::isfinite(cubic) ? cubic : 4.0 * cur.t;
            next = std::clamp(next, 2.0 * cur.t, 4.0 * cur.t);
            if (!std::isfinite(next) || next > 1e20) return fail(cur, out);
            prev = std::move(cur);
            t = next;
        }
    }

private:
    // Evaluates the trial at t; false when the evaluation budget is spent.
    bool evaluate(double t, LinePoint& p) {
        if (evaluations_ >= options_.max_linesearch) return false;
        ++evaluations_;
        poll_interrupt();
        p.t = t;
        p.x = x_ + t * d_;
        p.f = run_.value_gradient(p.x, p.g);
        p.finite = all_finite(p.f, p.g);
        p.dg = p.finite ? p.g.dot(d_) : kNaN;
        return true;
    }
    bool armijo(const LinePoint& p) const { return p.finite && p.f <= f0_ + options_.c1 * p.t * dg0_; }
    bool curvature(const LinePoint& p) const { return std::abs(p.dg) <= -options_.c2 * dg0_; }
    // Strong Wolfe; or, at rounding level, no rise beyond it with the curvature condition met.
    bool wolfe(const LinePoint& p) const {
        if (!p.finite) return false;
        if (armijo(p) && curvature(p)) return true;
        const double level = kRoundingLevel * std::abs(f0_);
        return p.f <= f0_ + level && curvature(p) && max_norm(p.g) < gn0_;
    }

    // lo: the best point meeting Armijo so far (or t = 0); hi: the other end,
    // with (hi.t − lo.t)·lo.dg < 0, so a Wolfe point lies between them.
    LineSearch zoom(LinePoint lo, LinePoint hi, LinePoint& out) {
        LinePoint cur;
        for (;;) {
            const double low = std::min(lo.t, hi.t);
            const double high = std::max(lo.t, hi.t);
            const double width = high - low;
            if (width <= 10.0 * kEps * high) return fail(lo, out);
            double t;
            if (!hi.finite) {
                t = lo.t + 0.25 * (hi.t - lo.t);  // far beyond the region where the cost is finite
            } else {
                t = cubic_minimiser(lo, hi);
                if (!(t >= low + 0.1 * width && t <= high - 0.1 * width)) t = 0.5 * (lo.t + hi.t);
            }
            if (!evaluate(t, cur)) return fail(lo, out);
            if (wolfe(cur)) {
                out = std::move(cur);
                return LineSearch::Wolfe;
            }
            if (!armijo(cur) || cur.f >= lo.f) {
                hi = std::move(cur);
            } else {
                if (cur.dg * (hi.t - lo.t) >= 0.0) hi = std::move(lo);
                lo = std::move(cur);
            }
        }
    }

    // Out of budget or interval: settle for a point that decreased the cost enough.
    LineSearch fail(LinePoint& best, LinePoint& out) const {
        if (best.t > 0.0 && armijo(best)) {
            out = std::move(best);
            return LineSearch::ArmijoOnly;
        }
        return LineSearch::Failed;
    }

    Run& run_;
    const Vector& x_;
    const Vector& d_;
    double f0_;
    double gn0_;
    double dg0_;
    const LbfgsOptions& options_;
    int evaluations_ = 0;
};

// The last m pairs (s, y) in a ring, and H̃·q by the two-loop recursion.
class Memory {
public:
    Memory(Index dim, int m) : S_(dim, m), Y_(dim, m), rho_(m), alpha_(m) {}

    void clear() { count_ = 0; }
    int size() const { return count_; }

    void push(const Vector& s, const Vector& y, double sy) {
        const auto m = static_cast<int>(S_.cols());
        head_ = (head_ + 1) % m;
        S_.col(head_) = s;
        Y_.col(head_) = y;
        rho_[head_] = 1.0 / sy;
        gamma_ = sy / y.squaredNorm();
        count_ = std::min(count_ + 1, m);
    }

    // d = −H̃·g.
    void direction(const Vector& g, Vector& d) {
        const auto m = static_cast<int>(S_.cols());
        d = -g;
        for (int i = 0; i < count_; ++i) {  // newest to oldest
            const int j = (head_ - i + m) % m;
            alpha_[j] = rho_[j] * S_.col(j).dot(d);
            d -= alpha_[j] * Y_.col(j);
        }
        d *= gamma_;
        for (int i = count_ - 1; i >= 0; --i) {  // oldest to newest
            const int j = (head_ - i + m) % m;
            const double beta = rho_[j] * Y_.col(j).dot(d);
            d += (alpha_[j] - beta) * S_.col(j);
        }
    }

private:
    Matrix S_, Y_;
    Vector rho_, alpha_;
    int head_ = -1;
    int count_ = 0;
    double gamma_ = 1.0;
};

}  // namespace

Result lbfgs(const Cost& cost, const Vector& x0, const LbfgsOptions& options, const Callback& callback) {
    options.validate();
    Run run(cost, x0, callback, options.store_path);
    if (!run.start(false, nullptr)) return std::move(run.result);
    Result& r = run.result;

    Memory memory(x0.size(), options.memory);
    Vector d, s, y;
    LinePoint next;
    for (int k = 1;; ++k) {
        if (r.grad_norm <= options.tol) {
            run.converged(options.tol);
            break;
        }
        if (k > options.max_iter) {
            run.finish(Status::MaxIterations, "lbfgs stopped after max_iter = " + std::to_string(options.max_iter) +
                                                  " iterations with " + run.gradient_vs_tol(options.tol) +
                                                  ": raise max_iter");
            break;
        }
        poll_interrupt();
        const Vector& x = r.x;
        const Vector& g = r.jac;
        LineSearch outcome = LineSearch::Failed;
        for (;;) {  // at most twice: with the memory, then without
            double dg0;
            if (memory.size() > 0) {
                memory.direction(g, d);
                dg0 = g.dot(d);
                if (!(dg0 < 0.0) || !d.allFinite()) {
                    memory.clear();
                    continue;
                }
            } else {
                d = -g;
                dg0 = -g.squaredNorm();
            }
            // Without curvature information, a first step of unit length.
            const double t_init = memory.size() > 0 ? 1.0 : std::min(1.0, 1.0 / d.norm());
            WolfeSearch search(run, x, r.fun, g, d, dg0, options);
            outcome = search.search(t_init, next);
            if (outcome != LineSearch::Failed || memory.size() == 0) break;
            memory.clear();
        }
        if (outcome == LineSearch::Failed) {
            run.finish(Status::LineSearchFailed,
                       "the line search found no step satisfying the Wolfe conditions at iteration " +
                           std::to_string(k) + " (" + run.gradient_vs_tol(options.tol) +
                           "): tol may be below what rounding allows, or the gradient is wrong (check it by finite "
                           "differences); x is the best point found");
            break;
        }
        s = next.x - x;
        y = next.g - g;
        const double sy = s.dot(y);
        if (sy > kEps * y.squaredNorm() && std::isfinite(sy)) memory.push(s, y, sy);
        if (!run.accept(k, next.x, next.f, next.g, next.t)) {
            run.stopped();
            break;
        }
    }
    return std::move(run.result);
}


// ---------------------------------------------------------------------------
// Trust-region Newton-CG

namespace {

// The τ ≥ 0 with ‖z + τd‖ = Δ (z inside the region).
// The τ ≥ 0 with ‖z + τd‖_M = Δ, where ‖v‖²_M = Σ mⱼvⱼ² (m empty: the Euclidean norm).
double to_boundary(const Vector& z, const Vector& d, double radius, const Vector& m) {
    const bool plain = m.size() == 0;
    const double a = plain ? d.squaredNorm() : (m.array() * d.array().square()).sum();
    const double b = plain ? z.dot(d) : (m.array() * z.array() * d.array()).sum();
    const double c = (plain ? z.squaredNorm() : (m.array() * z.array().square()).sum()) - radius * radius;
    return (-b + std::sqrt(std::max(b * b - a * c, 0.0))) / a;
}

double m_norm(const Vector& v, const Vector& m) {
    return m.size() == 0 ? v.norm() : std::sqrt((m.array() * v.array().square()).sum());
}

struct CgStep {
    Vector p;
    double model = 0.0;  // m(p) = gᵀp + ½pᵀHp, < 0
    bool boundary = false;
    double m_norm = 0.0;  // ‖p‖_M, the norm of the trust region
};

// Steihaug's truncated conjugate gradients for min m(p) within ‖p‖_M ≤ Δ, preconditioned by
// M = diag(m) (m empty: none, the Euclidean norm). m is tracked from the CG quantities (Hz
// updated with each Hd), so no product beyond one per CG iteration. The residual test is on
// ‖r‖₂ ≤ min(0.5, √‖g‖₂)·‖g‖₂ with or without M.
CgStep steihaug(Run& run, const Vector& x, const Vector& g, double radius, int max_cg, const Vector& m) {
    const Index n = g.size();
    const bool plain = m.size() == 0;
    auto precondition = [&](const Vector& r) -> Vector { return plain ? r : Vector(r.cwiseQuotient(m)); };
    CgStep out;
    Vector z = Vector::Zero(n), Hz = Vector::Zero(n), r = g, y = precondition(r), d = -y, Hd;
    const double g_norm = g.norm();
    const double tol = std::min(0.5, std::sqrt(g_norm)) * g_norm;
    double ry = r.dot(y);
    auto model_at = [&](const Vector& step, const Vector& Hstep) { return g.dot(step) + 0.5 * step.dot(Hstep); };
    auto finish = [&](Vector p, const Vector& Hp, bool boundary) {
        out.model = model_at(p, Hp);
        out.boundary = boundary;
        out.m_norm = m_norm(p, m);
        out.p = std::move(p);
        return out;
    };
    for (int j = 0; j < max_cg; ++j) {
        poll_interrupt();
        run.hessian_product(x, d, Hd);
        const double dHd = d.dot(Hd);
        if (!(dHd > 0.0)) {  // negative (or zero, or NaN) curvature: to the boundary along d
            // Without a boundary yet (the first step, Δ = ∞): the (preconditioned) steepest-descent
            // step first, or the CG point reached so far; the ratio test then sizes Δ from it.
            const double tau = !std::isfinite(dHd) ? 0.0 : std::isinf(radius) ? (j == 0 ? 1.0 : 0.0)
                                                                                : to_boundary(z, d, radius, m);
            return finish(z + tau * d, Hz + tau * Hd, tau > 0.0);
        }
        const double alpha = ry / dHd;
        Vector z_next = z + alpha * d;
        if (m_norm(z_next, m) >= radius) {
            const double tau = to_boundary(z, d, radius, m);
            return finish(z + tau * d, Hz + tau * Hd, true);
        }
        Hz += alpha * Hd;
        z.swap(z_next);
        r += alpha * Hd;
        if (r.norm() <= tol) break;
        y = precondition(r);
        const double ry_next = r.dot(y);
        d = -y + (ry_next / ry) * d;
        ry = ry_next;
    }
    return finish(std::move(z), Hz, false);
}

}  // namespace

Result newton_cg(const Cost& cost, const Vector& x0, const NewtonCgOptions& options, const Callback& callback) {
    options.validate();
    if (!cost.has_hessian())
        throw std::invalid_argument(
            "newton_cg needs Hessian-vector products of the cost, and this cost has none (has_hessian() is false): "
            "use lbfgs or gradient_descent");
    Run run(cost, x0, callback, options.store_path);
    if (!run.start(false, nullptr)) return std::move(run.result);
    Result& r = run.result;
    const int max_cg = options.max_cg > 0 ? options.max_cg : static_cast<int>(std::max<Index>(2 * x0.size(), 1));
    // Δ = ∞ for the first step when initial_radius is 0; then Δ is set from that step's length.
    double radius = options.initial_radius > 0.0 ? options.initial_radius : std::numeric_limits<double>::infinity();
    Vector x_new, g_new, diagonal;
    bool diagonal_stale = true;
    for (int k = 1;;) {
        if (r.grad_norm <= options.tol) {
            run.converged(options.tol);
            break;
        }
        if (k > options.max_iter) {
            run.finish(Status::MaxIterations, "newton_cg stopped after max_iter = " + std::to_string(options.max_iter) +
                                                  " steps with " + run.gradient_vs_tol(options.tol) +
                                                  ": raise max_iter; if the cost keeps decreasing the minimum may "
                                                  "lie at infinity");
            break;
        }
        // The preconditioner: diag H at x where the cost offers it (one pass over the data, which
        // also keeps the curvature for the products), floored so that M stays positive definite.
        // After a rejected step x has not moved: the diagonal formed there still holds.
        if (!options.precondition) {
            diagonal.resize(0);
        } else if (diagonal_stale) {
            if (run.hessian_diagonal(r.x, diagonal)) {
                const double largest = diagonal.cwiseAbs().maxCoeff();
                const double floor = largest > 0.0 ? kEps * largest : 1.0;
                diagonal = diagonal.cwiseAbs().cwiseMax(floor);
            } else {
                diagonal.resize(0);
            }
            diagonal_stale = false;
        }
        const CgStep step = steihaug(run, r.x, r.jac, radius, max_cg, diagonal);
        x_new = r.x + step.p;
        const double f_new = run.value_gradient(x_new, g_new);
        const double actual = r.fun - f_new;
        const double predicted = -step.model;
        const bool finite = std::isfinite(f_new) && g_new.allFinite();
        const double level = kRoundingLevel * std::abs(r.fun);
        // At rounding level the ratio is noise: take the step if the cost did not rise beyond
        // rounding and the gradient shrank (as Newton's line search does).
        const bool rounding = finite && std::abs(actual) <= level && predicted <= level;
        const double rho = predicted > 0.0 ? actual / predicted : -1.0;
        const double p_norm = step.p.norm();  // reported as the step
        const double p_size = step.m_norm;    // the region's measure
        if (!finite || rho < 0.25) radius = 0.25 * (finite ? std::min(radius, p_size) : p_size);
        // else, with Δ = ∞ (initial_radius 0): Δ stays unbounded while the truncated Newton steps
        // work, and is first set, from the failing step's length, when one does not.
        else if (rho > 0.75 && step.boundary) radius = std::min(2.0 * radius, options.max_radius);
        const bool accepted = finite && (rho > options.eta || (rounding && max_norm(g_new) < r.grad_norm));
        if (accepted) {
            diagonal_stale = true;
            if (!run.accept(k, x_new, f_new, g_new, p_norm)) {
                run.stopped();
                break;
            }
            ++k;
        } else if (!(radius > kEps * std::max(1.0, r.x.norm()))) {
            run.finish(Status::LineSearchFailed,
                       "the trust region shrank to rounding level without a step that decreases the cost (" +
                           run.gradient_vs_tol(options.tol) +
                           "): tol may be below what rounding allows, or the gradient or Hessian-vector product is "
                           "wrong; x is the best point found");
            break;
        }
    }
    return std::move(run.result);
}

// ---------------------------------------------------------------------------
// Stochastic gradient descent and Adam

Schedule parse_schedule(const std::string& name) {
    if (name == "constant") return Schedule::Constant;
    if (name == "inverse") return Schedule::Inverse;
    if (name == "cosine") return Schedule::Cosine;
    throw std::invalid_argument("schedule must be 'constant', 'inverse', 'cosine' or a function of t, got '" + name +
                                "'");
}

const char* to_string(Schedule schedule) {
    switch (schedule) {
        case Schedule::Constant: return "constant";
        case Schedule::Inverse: return "inverse";
        case Schedule::Cosine: return "cosine";
        case Schedule::Custom: return "custom";
    }
    return "unknown";
}

void StochasticOptions::validate() const {
    require(std::isfinite(learning_rate) && learning_rate > 0.0,
            "learning_rate must be a finite number > 0, got " + num(learning_rate));
    require(batch_size >= 0, "batch_size must be >= 0 (0: every row), got " + std::to_string(batch_size));
    require(epochs >= 0, "epochs must be >= 0, got " + std::to_string(epochs));
    require(schedule != Schedule::Custom || static_cast<bool>(multiplier),
            "schedule 'custom' needs a multiplier function of t");
    require(std::isfinite(start_epoch) && start_epoch >= 0.0,
            "start_epoch must be a finite number >= 0, got " + num(start_epoch));
    require(std::isfinite(horizon) && horizon >= 0.0, "horizon must be a finite number >= 0, got " + num(horizon));
    require_tol(tol);
    require(divergence_factor > 1.0, "divergence_factor must be > 1, got " + num(divergence_factor));
}

void SgdOptions::validate() const {
    StochasticOptions::validate();
    require(momentum >= 0.0 && momentum < 1.0, "momentum must lie in [0, 1), got " + num(momentum));
    require(!nesterov || momentum > 0.0, "nesterov needs momentum > 0");
}

void AdamOptions::validate() const {
    StochasticOptions::validate();
    require(beta1 >= 0.0 && beta1 < 1.0, "beta1 must lie in [0, 1), got " + num(beta1));
    require(beta2 >= 0.0 && beta2 < 1.0, "beta2 must lie in [0, 1), got " + num(beta2));
    require(std::isfinite(eps) && eps > 0.0, "eps must be a finite number > 0, got " + num(eps));
}

namespace {

// Uniform in [0, bound) from the generator's exact output (rejection): unlike
// std::uniform_int_distribution and std::shuffle, the same on every standard library.
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
    constexpr std::uint64_t top = std::numeric_limits<std::uint64_t>::max();
    const std::uint64_t limit = top - top % bound;  // a multiple of bound
    for (;;)
        if (const std::uint64_t r = rng(); r < limit) return r % bound;
}

void shuffle(std::vector<Index>& order, std::mt19937_64& rng) {  // Fisher–Yates
    for (std::size_t i = order.size(); i > 1; --i)
        std::swap(order[i - 1], order[static_cast<std::size_t>(uniform_below(rng, i))]);
}

double rate_multiplier(const StochasticOptions& o, double t, double horizon) {
    switch (o.schedule) {
        case Schedule::Constant: return 1.0;
        case Schedule::Inverse: return 1.0 / (1.0 + t);
        case Schedule::Cosine: return 0.5 * (1.0 + std::cos(kPi * t / horizon));
        case Schedule::Custom: {
            const double value = o.multiplier(t);
            require(std::isfinite(value) && value >= 0.0,
                    "the schedule must return a finite number >= 0, got " + num(value) + " at t = " + num(t));
            return value;
        }
    }
    return 1.0;
}

// The loop both stochastic solvers share: epochs of shuffled batches, `update(x, g, rate, k)`
// moving x by the batch gradient g at step k = 1, 2, … with the scheduled rate.
template <class Update>
Result stochastic(const char* method, const Cost& cost, const Vector& x0, const StochasticOptions& o,
                  const Callback& callback, Update&& update) {
    o.validate();
    Run run(cost, x0, callback, false);  // the path is kept per step, below
    if (o.store_path) run.result.history.x.push_back(x0);
    if (!run.start(false, nullptr)) return std::move(run.result);
    Result& r = run.result;

    const auto* linear = dynamic_cast<const LinearModelCost*>(&cost);
    const Index n = linear != nullptr ? linear->n_samples() : 1;
    const bool batched = linear != nullptr && o.batch_size > 0 && o.batch_size < n;
    std::unique_ptr<RowBatches> batches;
    std::vector<Index> order;
    if (batched) {
        batches = std::make_unique<RowBatches>(*linear);
        order.resize(static_cast<std::size_t>(n));
        for (Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    }
    const Index b = batched ? o.batch_size : n;
    const Index m = batched ? (n + b - 1) / b : 1;  // steps per epoch, the last batch kept when short
    const double horizon = o.horizon > 0.0 ? o.horizon : o.start_epoch + o.epochs;
    std::mt19937_64 rng(o.seed);
    const double f0 = r.fun;
    const std::string name(method);
    auto advice = [&](double rate) {
        return ": the learning rate " + num(rate) + " is too large for this cost: lower it (try " + num(rate / 10) +
               "), or use a decaying schedule ('inverse', 'cosine'). x is the point after the last finite epoch (" +
               std::to_string(r.nit) + ")";
    };

    Vector x = r.x;
    Vector g = r.jac;  // full-batch steps: ∇J(x), from the start or the last epoch's evaluation
    long k_total = 0;
    for (int e = 0;; ++e) {
        if (r.grad_norm <= o.tol) {
            run.converged(o.tol);
            break;
        }
        if (e >= o.epochs) {
            run.finish(Status::MaxIterations,
                       name + " stopped after epochs = " + std::to_string(o.epochs) + " (" + std::to_string(m) +
                           (m == 1 ? " step" : " steps") + " each) with " + run.gradient_vs_tol(o.tol) +
                           ": give it more epochs, a decaying schedule ('inverse', 'cosine') or larger batches to "
                           "quiet the batches' noise, or use lbfgs or newton for a precise optimum");
            break;
        }
        if (batched) shuffle(order, rng);
        double rate = kNaN;
        bool finite = true;
        for (Index k = 0; k < m; ++k) {
            if ((k_total & 15) == 0) poll_interrupt();
            const double t = o.start_epoch + e + static_cast<double>(k) / static_cast<double>(m);
            rate = o.learning_rate * rate_multiplier(o, t, horizon);
            if (batched) {
                const Index first = k * b;
                batches->gradient(x, order.data() + first, std::min(b, n - first), g);
            }
            update(x, g, rate, ++k_total);
            if (!x.allFinite() || !g.allFinite()) {
                finite = false;
                break;
            }
            if (o.store_path) r.history.x.push_back(x);
        }
        if (!finite) {
            run.finish(Status::Diverged, "diverged in epoch " + std::to_string(e + 1) +
                                             ": the iterate became non-finite (NaN or inf)" + advice(rate));
            break;
        }
        Vector x_new = x;
        Vector g_new;
        const double f = run.value_gradient(x_new, g_new);
        if (!all_finite(f, g_new)) {
            run.finish(Status::Diverged, "diverged in epoch " + std::to_string(e + 1) + ": the cost became " +
                                             num(f) + advice(rate));
            break;
        }
        if (f > o.divergence_factor * (std::abs(f0) + 1.0)) {
            run.finish(Status::Diverged, "diverged in epoch " + std::to_string(e + 1) + ": the cost grew from " +
                                             num(f0) + " to " + num(f) + advice(rate));
            break;
        }
        if (!run.accept(e + 1, x_new, f, g_new, rate)) {
            run.stopped();
            break;
        }
        if (!batched) g = r.jac;
    }
    return std::move(run.result);
}

}  // namespace

Result sgd(const Cost& cost, const Vector& x0, const SgdOptions& options, const Callback& callback) {
    options.validate();
    const double beta = options.momentum;
    Vector velocity = Vector::Zero(x0.size());
    return stochastic("sgd", cost, x0, options, callback, [&](Vector& x, const Vector& g, double rate, long) {
        if (beta == 0.0) {
            x.noalias() -= rate * g;
            return;
        }
        velocity = beta * velocity + g;
        if (options.nesterov)
            x.noalias() -= rate * (g + beta * velocity);
        else
            x.noalias() -= rate * velocity;
    });
}

Result adam(const Cost& cost, const Vector& x0, const AdamOptions& options, const Callback& callback) {
    options.validate();
    const double beta1 = options.beta1, beta2 = options.beta2;
    Vector first = Vector::Zero(x0.size()), second = Vector::Zero(x0.size());
    return stochastic("adam", cost, x0, options, callback, [&](Vector& x, const Vector& g, double rate, long k) {
        first = beta1 * first + (1.0 - beta1) * g;
        second = beta2 * second + (1.0 - beta2) * g.cwiseAbs2();
        const double c1 = 1.0 - std::pow(beta1, static_cast<double>(k));
        const double c2 = 1.0 - std::pow(beta2, static_cast<double>(k));
        x.array() -= rate * (first.array() / c1) / ((second.array() / c2).sqrt() + options.eps);
    });
}

}  // namespace descend
