// Central finite-difference checks of a Cost's gradient and Hessian.
//
//   ∂J/∂wⱼ ≈ (J(w + hⱼeⱼ) − J(w − hⱼeⱼ)) / 2hⱼ          error O(h²)
//   Hⱼ    ≈ (∇J(w + hⱼeⱼ) − ∇J(w − hⱼeⱼ)) / 2hⱼ        column j of the Hessian
//
// with hⱼ = h·max(1, |wⱼ|), so the step is relative to the parameter's scale.
#pragma once

#include "descend/cost.hpp"

#include <algorithm>
#include <cmath>

namespace descend {

/// ∇J(w) by central differences of J.
inline Vector finite_difference_gradient(const Cost& cost, const Vector& w, double h = 1e-6) {
    Vector g(w.size());
    Vector x = w;
    for (Index j = 0; j < w.size(); ++j) {
        const double step = h * std::max(1.0, std::abs(w[j]));
        x[j] = w[j] + step;
        const double up = cost.value(x);
        x[j] = w[j] - step;
        const double down = cost.value(x);
        x[j] = w[j];
        g[j] = (up - down) / (2.0 * step);
    }
    return g;
}

/// ∇²J(w) by central differences of ∇J, symmetrised.
inline Matrix finite_difference_hessian(const Cost& cost, const Vector& w, double h = 1e-5) {
    const Index p = w.size();
    Matrix H(p, p);
    Vector x = w, up, down;
    for (Index j = 0; j < p; ++j) {
        const double step = h * std::max(1.0, std::abs(w[j]));
        x[j] = w[j] + step;
        cost.value_gradient(x, up);
        x[j] = w[j] - step;
        cost.value_gradient(x, down);
        x[j] = w[j];
        H.col(j) = (up - down) / (2.0 * step);
    }
    return 0.5 * (H + H.transpose());
}

/// The largest difference, relative to max(1, |expected|), between two arrays.
template <class A, class B>
double max_relative_error(const A& actual, const B& expected) {
    return ((actual.array() - expected.array()).abs() / expected.array().abs().max(1.0)).maxCoeff();
}

struct CheckResult {
    double error = 0.0;  // max |analytic − numeric| / max(1, |numeric|)
    bool ok = false;     // error <= tolerance
};

/// Compares cost.value_gradient with finite differences of cost.value.
inline CheckResult check_gradient(const Cost& cost, const Vector& w, double tolerance = 1e-6) {
    Vector g;
    cost.value_gradient(w, g);
    const double error = max_relative_error(g, finite_difference_gradient(cost, w));
    return {error, error <= tolerance};
}

/// Compares cost.hessian with finite differences of the gradient.
inline CheckResult check_hessian(const Cost& cost, const Vector& w, double tolerance = 1e-5) {
    Matrix H;
    cost.hessian(w, H);
    const double error = max_relative_error(H, finite_difference_hessian(cost, w));
    return {error, error <= tolerance};
}

}  // namespace descend
