// Minimisers of any Cost: gradient descent (three step rules), Newton, L-BFGS.
//
// Every solver
//   - starts at x0 (length cost.dim(), finite), takes an options struct whose
//     validate() throws std::invalid_argument naming the bad field, and an
//     optional callback called for the start point and after every iteration
//     (return false to stop: Status::CallbackStopped);
//   - stops with Status::Converged when max|∇J(x)| ≤ tol (the max-norm, for every solver);
//   - returns a Result with a finite x, the counts of evaluations and the
//     history (cost, max|gradient|, step) of every iteration, iteration 0 included;
//   - polls descend::poll_interrupt() every iteration and every line-search
//     trial, and lets descend::Interrupted propagate (Ctrl-C);
//   - lets exceptions thrown by the cost propagate unchanged.
//
// A line search accepts a trial x + t·d when the Armijo condition holds,
//   J(x + t·d) ≤ J(x) + c1·t·∇J(x)ᵀd,
// or, once the predicted decrease is down at rounding level (|J| · 1e-12), when
// the cost did not rise above that level and the gradient shrank: without that
// allowance no solver could reach a tol near machine precision.
#pragma once

#include "descend/cost.hpp"
#include "descend/result.hpp"

#include <cstdint>
#include <functional>
#include <string>

namespace descend {

/// Called for the start point and after every iteration; return false to stop.
using Callback = std::function<bool(const IterationInfo&)>;

/// How gradient descent picks its step size α in x ← x − α∇J.
enum class StepRule {
    /// α = learning_rate, always.
    Fixed,
    /// Armijo backtracking: α = learning_rate, halved until
    /// J(x − α∇J) ≤ J(x) − c1·α·‖∇J‖²; every iteration starts again from learning_rate.
    Backtracking,
    /// α = gᵀg / gᵀHg with g = ∇J(x), H = ∇²J(x), from one Hessian-vector product:
    /// the exact minimiser of the local quadratic model along −g (the seed's
    /// "ideal learning rate 1/f″(x)" in n dimensions), halved while the Armijo
    /// condition fails. Where gᵀHg ≤ 0 or is not finite, Backtracking is used
    /// for that iteration. Needs cost.has_hessian().
    Curvature,
};

/// "fixed", "backtracking" or "curvature"; throws std::invalid_argument naming `step` otherwise.
StepRule parse_step_rule(const std::string& name);
const char* to_string(StepRule rule);

struct GradientDescentOptions {
    StepRule step = StepRule::Fixed;
    /// α for StepRule::Fixed; the initial α for Backtracking (and its fallback
    /// in Curvature). Finite, > 0.
    double learning_rate = 0.1;
    /// Iterations at most, ≥ 0.
    int max_iter = 1000;
    /// Stop when max|∇J| ≤ tol, ≥ 0.
    double tol = 1e-6;
    /// Armijo constant c1 of the line searches, in (0, 1).
    double c1 = 1e-4;
    /// Halvings of α per iteration at most in a line search, ≥ 1.
    int max_backtracks = 60;
    /// Fixed step: Diverged when J > divergence_factor·(|J(x0)| + 1), > 1.
    double divergence_factor = 1e6;
    /// Fixed step: Diverged when J rose in this many consecutive iterations while
    /// max|∇J| grew over them, ≥ 1.
    int divergence_patience = 20;

    /// Keep every iterate in Result::history.x (the path the pictures draw).
    bool store_path = false;

    /// Throws std::invalid_argument naming the first bad field.
    void validate() const;
};

struct NewtonOptions {
    /// Iterations at most, ≥ 0.
    int max_iter = 100;
    /// Stop when max|∇J| ≤ tol, ≥ 0.
    double tol = 1e-8;
    /// Armijo constant c1 of the backtracking line search on the Newton step, in (0, 1).
    double c1 = 1e-4;
    /// Halvings of the step per iteration at most, ≥ 1.
    int max_backtracks = 60;

    /// Keep every iterate in Result::history.x (the path the pictures draw).
    bool store_path = false;

    /// Throws std::invalid_argument naming the first bad field.
    void validate() const;
};

struct LbfgsOptions {
    /// Correction pairs (s, y) kept, ≥ 1.
    int memory = 10;
    /// Iterations at most, ≥ 0.
    int max_iter = 1000;
    /// Stop when max|∇J| ≤ tol, ≥ 0.
    double tol = 1e-6;
    /// Strong Wolfe constants, 0 < c1 < c2 < 1: sufficient decrease
    /// J(x + t·d) ≤ J(x) + c1·t·∇J(x)ᵀd and curvature |∇J(x + t·d)ᵀd| ≤ c2·|∇J(x)ᵀd|.
    double c1 = 1e-4;
    double c2 = 0.9;
    /// Cost evaluations per line search at most, ≥ 1.
    int max_linesearch = 40;

    /// Keep every iterate in Result::history.x (the path the pictures draw).
    bool store_path = false;

    /// Throws std::invalid_argument naming the first bad field.
    void validate() const;
};

/// Gradient descent x ← x − α∇J(x) with the step rule in options.
///
/// With StepRule::Fixed a too-large α makes J grow: the run stops with
/// Status::Diverged (J not finite, or J > divergence_factor·(|J(x0)| + 1), or J rising
/// for divergence_patience iterations while the gradient grows, or J above J(x0)
/// after max_iter iterations, which a stable step never gives) and returns the last
/// point whose cost and gradient are finite. A too-small α gives Status::MaxIterations.
/// Throws std::invalid_argument for StepRule::Curvature when !cost.has_hessian().
/// Trust-region Newton–conjugate-gradient (Steihaug; LIBLINEAR's TRON, scipy's trust-ncg):
/// each iteration minimises the quadratic model m(p) = gᵀp + ½pᵀHp within ‖p‖ ≤ Δ by
/// conjugate gradients on Hp = −g, from Hessian-vector products only (never forming H),
/// stopping at the boundary, at negative curvature, or when ‖r‖ ≤ min(0.5, √‖g‖)·‖g‖.
/// The step is taken when the actual decrease is at least eta times the model's; Δ shrinks
/// by 4 when that ratio is below ¼ and doubles (to max_radius) when it is above ¾ on the boundary.
struct NewtonCgOptions {
    /// Accepted steps at most, ≥ 0.
    int max_iter = 100;
    /// Stop when max|∇J| ≤ tol, ≥ 0.
    double tol = 1e-8;
    /// Δ of the first iteration, and Δ's upper bound: finite, 0 ≤ initial_radius ≤ max_radius.
    /// 0 (the default): no region until a step fails the ratio test: the full truncated-Newton
    /// steps are taken while they work, then Δ starts from ¼ of the failing step's length.
    double initial_radius = 0.0;
    double max_radius = 1e10;
    /// Acceptance threshold of the ratio actual/predicted decrease, in [0, 0.25).
    double eta = 0.15;
    /// Conjugate-gradient iterations per step at most; 0 means 2·dim.
    int max_cg = 0;
    /// Precondition CG by diag H where the cost offers it (Cost::hessian_diagonal; a
    /// LinearModelCost does, for one pass over the data per iteration), the trust region then
    /// measured in ‖p‖_M = √(Σ Hⱼⱼpⱼ²) (LIBLINEAR's preconditioned TRON).
    bool precondition = true;

    /// Keep every iterate in Result::history.x (the path the pictures draw).
    bool store_path = false;

    /// Throws std::invalid_argument naming the first bad field.
    void validate() const;
};

Result gradient_descent(const Cost& cost, const Vector& x0, const GradientDescentOptions& options = {},
                        const Callback& callback = {});

/// Newton's method: solve H·s = −g by Cholesky (LLᵀ); where H is not positive
/// definite or is (numerically) singular, damp it (Levenberg–Marquardt style)
/// and solve (H + μD²)·s = −g, D² = diag(|Hⱼⱼ|), with μ = 1e-8·10ᵏ for the
/// smallest k ≥ 0 that factorises with a well-conditioned factor; then backtrack
/// on the step (Armijo). Both the singularity test and the damping act on the
/// Jacobi-scaled Hessian D⁻¹HD⁻¹ (unit diagonal, where the damping is μI), so
/// they do not depend on the units of the parameters. A quadratic cost converges
/// in one step.
/// Uses cost.value_gradient_hessian, one combined evaluation per iteration.
/// Throws std::invalid_argument when !cost.has_hessian().
Result newton(const Cost& cost, const Vector& x0, const NewtonOptions& options = {}, const Callback& callback = {});

/// Limited-memory BFGS: d = −H̃∇J from the last `memory` pairs
/// (s = x_{k+1} − x_k, y = ∇J_{k+1} − ∇J_k) by the two-loop recursion, with
/// H̃₀ = (sᵀy / yᵀy)·I, and a line search for the strong Wolfe conditions
/// (bracketing, then zoom by safeguarded cubic interpolation).
Result lbfgs(const Cost& cost, const Vector& x0, const LbfgsOptions& options = {}, const Callback& callback = {});

Result newton_cg(const Cost& cost, const Vector& x0, const NewtonCgOptions& options = {},
                 const Callback& callback = {});

// ---------------------------------------------------------------------------
// Stochastic (mini-batch) gradient descent, momentum and Adam
//
// Over a LinearModelCost, each step's gradient is the gradient of the same cost restricted to a
// batch of its rows: the batch's weighted mean of the loss gradients (Reduction::Mean; for Sum,
// that mean times Σsᵢ over all rows, an unbiased estimate of the full sum), plus λw. With
// batch_size ≥ n_samples (or 0) it is exactly the cost's gradient. Rows are shuffled every epoch
// (Fisher–Yates driven by std::mt19937_64 from `seed`, both fully specified, so a seed gives the
// same batches everywhere); the last batch of an epoch is kept even when short, so an epoch has
// m = ⌈n/b⌉ steps. Any other Cost has no rows: every step takes its full gradient and an epoch is
// one step.
//
// The learning rate of step k of epoch e is α·schedule(t), t = start_epoch + e + k/m.
// After every epoch the full-data cost and gradient are evaluated: that is the history (one entry
// per epoch, entry 0 the start), what the callback sees, and what tol is compared with.

enum class Schedule {
    /// 1.
    Constant,
    /// 1/(1 + t).
    Inverse,
    /// ½(1 + cos(πt/T)), T = horizon (default start_epoch + epochs).
    Cosine,
    /// multiplier(t).
    Custom,
};

/// "constant", "inverse" or "cosine"; throws std::invalid_argument naming `schedule` otherwise.
Schedule parse_schedule(const std::string& name);
const char* to_string(Schedule schedule);

struct StochasticOptions {
    /// α, finite, > 0.
    double learning_rate = 0.01;
    /// Rows per step, ≥ 0; 0 (or ≥ n_samples) means every row: full-batch steps.
    Index batch_size = 32;
    /// Passes over the data, ≥ 0.
    int epochs = 10;
    Schedule schedule = Schedule::Constant;
    /// For Schedule::Custom: the multiplier of α at t (finite, ≥ 0).
    std::function<double(double)> multiplier;
    /// The t of the first step (a continued fit: the epochs done before), finite, ≥ 0.
    double start_epoch = 0.0;
    /// Cosine's T; 0 means start_epoch + epochs.
    double horizon = 0.0;
    std::uint64_t seed = 0;
    /// Converged when the full-data max|∇J| ≤ tol after an epoch, ≥ 0.
    double tol = 0.0;
    /// Diverged when the full-data J > divergence_factor·(|J(x0)| + 1), > 1.
    double divergence_factor = 1e6;
    /// Keep the start and the point after every step (not every epoch) in Result::history.x.
    bool store_path = false;

    /// Throws std::invalid_argument naming the first bad field.
    void validate() const;
};

/// x ← x − α_t·g (momentum 0); the heavy ball v ← βv + g, x ← x − α_t·v; Nesterov
/// v ← βv + g, x ← x − α_t·(g + βv) (PyTorch's forms), v starting at 0.
struct SgdOptions : StochasticOptions {
    /// β in [0, 1).
    double momentum = 0.0;
    /// Nesterov's form; needs momentum > 0.
    bool nesterov = false;

    void validate() const;
};

/// Kingma & Ba: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², x ← x − α_t·m̂/(√v̂ + ε) with
/// m̂ = m/(1 − β₁ᵏ), v̂ = v/(1 − β₂ᵏ) at step k = 1, 2, …
struct AdamOptions : StochasticOptions {
    AdamOptions() { learning_rate = 1e-3; }
    /// In [0, 1).
    double beta1 = 0.9;
    double beta2 = 0.999;
    /// > 0, added outside the square root.
    double eps = 1e-8;

    void validate() const;
};

/// Result::nit counts epochs; Status::Diverged when a step or an epoch's cost is not finite or the
/// cost exceeds divergence_factor·(|J(x0)| + 1) (x is then the last epoch's finite point),
/// MaxIterations when the epochs run out, Converged only when the full-data max|∇J| ≤ tol.
Result sgd(const Cost& cost, const Vector& x0, const SgdOptions& options = {}, const Callback& callback = {});
Result adam(const Cost& cost, const Vector& x0, const AdamOptions& options = {}, const Callback& callback = {});

}  // namespace descend
