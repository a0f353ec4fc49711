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

}  // namespace descend
