// What a solver returns: the point it stopped at, why it stopped, what it cost
// and how it got there.
//
// Not converging is not an exception: it is a Status, with a message that says
// what happened and what to try. Bad arguments throw std::invalid_argument;
// a user interrupt (Ctrl-C) throws descend::Interrupted.
#pragma once

#include "descend/cost.hpp"

#include <string>
#include <vector>

namespace descend {

/// Why a solver stopped.
enum class Status {
    /// max|∇J(x)| ≤ tol.
    Converged,
    /// max_iter iterations done without reaching tol.
    MaxIterations,
    /// Fixed-step gradient descent: the cost became non-finite or grew without
    /// bound (learning rate too large). x is the last point with a finite cost and gradient.
    Diverged,
    /// The line search found no step that decreases the cost enough: usually
    /// tol is below what rounding allows, or the gradient is wrong.
    LineSearchFailed,
    /// The cost, gradient or Hessian is not finite at the start point (or the
    /// Hessian at an iterate): nothing sensible can be done from there.
    NonFinite,
    /// The per-iteration callback returned false.
    CallbackStopped,
    /// The cost decreases towards an infimum at infinity (e.g. perfectly
    /// separable classes without a penalty): x moved outward by steps that do
    /// not shrink while the decrease of the cost vanished. x is finite but no
    /// minimiser exists; a small gradient there is not convergence.
    NoMinimum,
};

/// "converged", "max_iterations", "diverged", "line_search_failed", "non_finite", "callback_stopped", "no_minimum".
const char* to_string(Status status);

/// One entry per iteration, entry 0 being the start point.
struct History {
    /// J(x_k).
    std::vector<double> cost;
    /// max|∇J(x_k)|.
    std::vector<double> grad_norm;
    /// The step size taken to reach x_k: the learning rate α for gradient descent
    /// (x_k = x_{k−1} − α∇J), the line-search step t for Newton and L-BFGS
    /// (x_k = x_{k−1} + t·d, t = 1 being the full step). NaN for k = 0.
    std::vector<double> step;
    /// With the options' store_path: every iterate x_k, the start included (sgd and adam: the
    /// point after every step, not every epoch); empty otherwise.
    std::vector<Vector> x;
};

/// The field names are scipy.optimize.OptimizeResult's, as in Python's descend.OptimizeResult:
/// one vocabulary from C++ to Python.
struct Result {
    /// The final point (always finite).
    Vector x;
    /// J(x).
    double fun = 0.0;
    /// ∇J(x).
    Vector jac;
    /// max|∇J(x)|: the quantity compared with tol.
    double grad_norm = 0.0;
    /// Iterations done (steps taken).
    int nit = 0;
    /// Evaluations of J (every call to value, value_gradient or value_gradient_hessian).
    long nfev = 0;
    /// Evaluations of ∇J (value_gradient or value_gradient_hessian).
    long njev = 0;
    /// Evaluations of the Hessian: hessian, value_gradient_hessian, and each hessian_product.
    long nhev = 0;
    Status status = Status::MaxIterations;
    /// Human-readable: what happened, and what to try when it is not Converged.
    std::string message;
    History history;
    /// newton only: ∇²J(x), the Hessian at the final point (empty for the other solvers), so that
    /// what needs it after the fit (standard errors) does not evaluate it again.
    Matrix hess;

    bool success() const { return status == Status::Converged; }
};

/// What the per-iteration callback sees: called once for the start point
/// (iteration 0, step NaN) and once after every iteration. x and gradient
/// refer to the solver's own vectors, valid during the call only: copy them to keep them.
struct IterationInfo {
    int iteration;
    double fun;
    double grad_norm;
    double step;
    const Vector& x;
    const Vector& jac;
};

}  // namespace descend
