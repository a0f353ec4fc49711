// Pointwise losses on the model's output: value, first and second derivative.
//
//   squared error  L(ŷ, y) = (y − ŷ)²,           L′ = 2(ŷ − y),   L″ = 2
//   log loss       L(z, y) = log(1 + eᶻ) − y·z,  L′ = σ(z) − y,   L″ = σ(z)(1 − σ(z))
//   Poisson        L(z, y) = eᶻ − y·z,           L′ = eᶻ − y,     L″ = eᶻ          (y ≥ 0)
//
// Log loss is evaluated on the logit z = xᵀw + b, never on a rounded
// probability, with e = exp(−|z|) as the only exponential:
//   log(1 + eᶻ) = max(z, 0) + log1p(e)
//   L  = log1p(e) + y·max(−z, 0) + (1 − y)·max(z, 0)   (a sum of non-negative terms:
//                                                         no cancellation for y in [0, 1])
//   L′ = ((1 − y) − y·e) / (1 + e)   for z ≥ 0,   (e·(1 − y) − y) / (1 + e)   for z < 0
//   L″ = e / (1 + e)²
// so the loss and both derivatives are exact at z = ±800 and beyond, with no
// overflow and no floating-point exception.
//
// The blocked kernels take e from Eigen's packet exp, whose treatment of the
// underflow range depends on the instruction set it is compiled for (some
// versions clamp the argument near −709.8, so exp(−800) comes back as 1e-308
// rather than 0). Where |z| > kExpPacketSafe the kernels recompute e with the
// scalar std::exp, so e, and with it L″ = e/(1 + e)², underflow to exactly 0
// for |z| ≥ 745.2 on every CPU, as they do mathematically (below the smallest
// subnormal).
#pragma once

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>

namespace descend {

/// Below this |z|, Eigen's packet exp(−|z|) is a normal number on every instruction set.
constexpr double kExpPacketSafe = 700.0;

/// exp(−|z|) over a block by Eigen's packet exp, with the scalar std::exp where
/// |z| > kExpPacketSafe (subnormal or zero results), so the tails are exact on any CPU.
template <class Z, class E>
inline void exp_minus_abs(const Z& z, E& e) {
    e = (-z.abs()).exp();
    for (Eigen::Index i = 0; i < z.size(); ++i)
        if (std::abs(z[i]) > kExpPacketSafe) e[i] = std::exp(-std::abs(z[i]));
}

/// log(1 + exp(z)) without overflow or loss of precision, for any finite z.
inline double log1pexp(double z) {
    return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z)));
}

/// The logistic function σ(z) = 1 / (1 + exp(−z)), exact in both tails.
inline double sigmoid(double z) {
    const double e = std::exp(-std::abs(z));
    return z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

// A loss is one struct: its name, the domain of y (a check, its wording and a hint), the value
// and both derivatives pointwise and over a block. The registry at the end of this file
// (DESCEND_LOSSES) lists them once; parsing, naming, the y check and the dispatch of the
// kernels are derived from that list.

struct SquaredError {
    static constexpr const char* name = "squared_error";
    static constexpr const char* domain = "be a finite number";
    static constexpr const char* hint = "";
    static bool in_domain(double) { return true; }
    static double value(double yhat, double y) { return (y - yhat) * (y - yhat); }
    static double derivative(double yhat, double y) { return 2.0 * (yhat - y); }
    static double second_derivative(double, double) { return 2.0; }

    /// Over a block: loss[i], d1[i] = L′, d2[i] = L″ (any output may be skipped by the caller).
    template <class Z, class Y, class L, class D1>
    static void block(const Z& z, const Y& y, L& loss, D1& d1) {
        loss = (y - z).square();
        d1 = 2.0 * (z - y);
    }
    template <class Z, class D2>
    static void block_second(const Z& z, D2& d2) {
        d2.setConstant(z.size(), 2.0);
    }
};

struct LogLoss {
    static constexpr const char* name = "log_loss";
    static constexpr const char* domain = "lie in [0, 1]";
    static constexpr const char* hint = " (labels 0 and 1, or probabilities)";
    static bool in_domain(double y) { return y >= 0.0 && y <= 1.0; }
    static double value(double z, double y) {
        const double a = std::log1p(std::exp(-std::abs(z)));
        return a + y * std::max(-z, 0.0) + (1.0 - y) * std::max(z, 0.0);
    }
    static double derivative(double z, double y) {
        const double e = std::exp(-std::abs(z));
        return z >= 0 ? ((1.0 - y) - y * e) / (1.0 + e) : (e * (1.0 - y) - y) / (1.0 + e);
    }
    static double second_derivative(double z, double) {
        const double e = std::exp(-std::abs(z));
        return e / ((1.0 + e) * (1.0 + e));
    }

    // Vectorised over a block, the same formulas as above: e = exp(−|z|) and
    // log(1 + e) by Eigen's packet exp and log (written into the outputs, so
    // there are no temporaries), then one loop the compiler vectorises (Eigen's
    // select is not vectorised). Eigen has no packet log1p for double: with
    // u = 1 + e rounded and δ = e − (u − 1) its rounding error (exact),
    // log1p(e) = log(u) + δ/u to within an ulp, and exactly e where u rounds to 1;
    // 1/u is needed for σ anyway, so this costs no division beyond it.
    template <class Z, class Y, class L, class D1>
    static void block(const Z& z, const Y& y, L& loss, D1& d1) {
        exp_minus_abs(z, loss);
        d1 = (1.0 + loss).log();
        const Eigen::Index m = z.size();
        for (Eigen::Index i = 0; i < m; ++i) {
            const double e = loss[i], zi = z[i], yi = y[i];
            const double u = 1.0 + e;
            const double inv = 1.0 / u;
            const double log1p_e = d1[i] + (e - (u - 1.0)) * inv;
            d1[i] = zi >= 0.0 ? ((1.0 - yi) - yi * e) * inv : (e * (1.0 - yi) - yi) * inv;
            loss[i] = log1p_e + yi * std::max(-zi, 0.0) + (1.0 - yi) * std::max(zi, 0.0);
        }
    }
    template <class Z, class D2>
    static void block_second(const Z& z, D2& d2) {
        exp_minus_abs(z, d2);  // e, in place (elementwise, so no aliasing)
        d2 = d2 * (1.0 + d2).square().inverse();
    }
};

// Poisson with the log link: μ = eᶻ, L = eᶻ − y·z (half the Poisson deviance, up to a term in
// y alone), L′ = eᶻ − y, L″ = eᶻ. Where eᶻ overflows (z > 709.78) the loss and L″ are +inf;
// descend.Cost reports a non-finite result as an error, and the solvers' line searches step back.
struct Poisson {
    static constexpr const char* name = "poisson";
    static constexpr const char* domain = "be >= 0";
    static constexpr const char* hint = " (counts, or rates)";
    static bool in_domain(double y) { return y >= 0.0; }
    static double value(double z, double y) { return std::exp(z) - y * z; }
    static double derivative(double z, double y) { return std::exp(z) - y; }
    static double second_derivative(double z, double) { return std::exp(z); }

    template <class Z, class Y, class L, class D1>
    static void block(const Z& z, const Y& y, L& loss, D1& d1) {
        d1 = z.exp();
        loss = d1 - y * z;
        d1 -= y;
    }
    template <class Z, class D2>
    static void block_second(const Z& z, D2& d2) {
        d2 = z.exp();
    }
};

// The softmax cross-entropy over K classes (multinomial logistic regression). A row has K logits
// z = Wᵀx + b and a label y ∈ {0, …, K − 1}; p = softmax(z):
//
//   L = logsumexp(z) − z_y,   ∂L/∂z = p − e_y,   ∂²L/∂z² = diag(p) − ppᵀ
//
// With m the row's largest logit and e_l = exp(z_l − z_m) (so e_m = 1 and every e_l ≤ 1),
// r = Σ_{l≠m} e_l and S = 1 + r:
//   L   = log1p(r) + (z_m − z_y)                a sum of two non-negative terms: no cancellation
//   p_l = e_l / S
//   1 − p_l = Σ_{k≠l} p_k                       a sum of positive terms, never 1 − p_l rounded
// so L, the gradient's p_y − 1 = −(1 − p_y) and the curvature p_l(1 − p_l) keep their digits for
// logits of ±800 and beyond, with no overflow and no floating-point exception. The K = 2 case is
// the log loss of z₁ − z₀. Its kernel has K outputs per row (kernels.cpp: MultinomialPass); the
// pointwise functions below are for one row.
struct Multinomial {
    static constexpr const char* name = "multinomial";
    static constexpr const char* domain = "hold class labels 0, 1, ..., K - 1";
    static constexpr const char* hint = " (integers, K = n_classes or the largest label + 1)";
    static bool in_domain(double y) { return y >= 0.0 && y < 2147483647.0 && y == std::floor(y); }

    /// Over a block of m rows of K logits (Z, m×K, column-major: a class's logits contiguous,
    /// so that every step below is vectorised over rows): the loss per row into loss,
    /// p = softmax(z) into P (m×K, column-major), each row's largest logit's class into top
    /// (the first, on ties) and 1 − p_top = r/(1 + r) into rest, r = Σ_{l≠top} e^{z_l − z_top}.
    /// The exponentials are Eigen's packet exp, with the scalar std::exp in the underflow
    /// range (see kExpPacketSafe); log1p(r) = log(u)·r/(u − 1), u = 1 + r (r where u rounds to 1).
    template <class Zs, class Y, class L, class Ps>
    static void block(const Zs& Z, const Y& y, L& loss, Ps& P, Eigen::ArrayXd& top, Eigen::ArrayXd& rest) {
        // Plain loops over the rows, one class at a time: each vectorises (Eigen's select does not).
        const Eigen::Index m = Z.rows(), K = Z.cols();
        Eigen::ArrayXd best = Z.col(0), low = Z.col(0);
        top.setZero(m);
        rest.setZero(m);
        for (Eigen::Index l = 1; l < K; ++l) {  // the first largest logit, and the smallest
            const double* __restrict z = Z.data() + l * m;
            double* __restrict b = best.data();
            double* __restrict lo = low.data();
            double* __restrict t = top.data();
            const double label = static_cast<double>(l);
            for (Eigen::Index i = 0; i < m; ++i) {
                const bool larger = z[i] > b[i];
                t[i] = larger ? label : t[i];
                b[i] = larger ? z[i] : b[i];
                lo[i] = z[i] < lo[i] ? z[i] : lo[i];
            }
        }
        P = Z.colwise() - best;  // ≤ 0
        P = P.exp();
        if (((low - best) < -kExpPacketSafe).any())
            for (Eigen::Index l = 0; l < K; ++l)
                for (Eigen::Index i = 0; i < m; ++i)
                    if (Z(i, l) - best[i] < -kExpPacketSafe) P(i, l) = std::exp(Z(i, l) - best[i]);
        for (Eigen::Index l = 0; l < K; ++l) {
            const double* __restrict p = P.data() + l * m;
            const double* __restrict t = top.data();
            double* __restrict r = rest.data();
            const double label = static_cast<double>(l);
            for (Eigen::Index i = 0; i < m; ++i) r[i] += t[i] == label ? 0.0 : p[i];
        }
        loss.resize(m);
        for (Eigen::Index i = 0; i < m; ++i) loss[i] = best[i] - Z(i, static_cast<Eigen::Index>(y[i]));
        const Eigen::ArrayXd u = 1.0 + rest;
        loss += (u == 1.0).select(rest, u.log() * rest / (u - 1.0));
        const Eigen::ArrayXd inv = u.inverse();
        P.colwise() *= inv;
        rest *= inv;
    }

    /// 1 − p_l for every entry of P (m×K, column-major), into Q: formed directly where p_l ≤ 1/2
    /// (every class but the top one), and as rest (Σ_{l≠top} p_l, from block) for the top class,
    /// where 1 − p would cancel.
    template <class Ps, class Qs>
    static void complement(const Ps& P, const Eigen::ArrayXd& top, const Eigen::ArrayXd& rest, Qs& Q) {
        Q = 1.0 - P;
        for (Eigen::Index i = 0; i < P.rows(); ++i) Q(i, static_cast<Eigen::Index>(top[i])) = rest[i];
    }
};

/// Whether a loss has one output per class (K per row) rather than one.
template <class Loss>
constexpr bool is_multiclass() {
    return std::is_same_v<Loss, Multinomial>;
}

// ---------------------------------------------------------------------------
// The registry: every loss, once. Adding a loss is its struct above and one row here.
#define DESCEND_LOSSES(ROW) \
    ROW(SquaredError)       \
    ROW(LogLoss)            \
    ROW(Poisson)            \
    ROW(Multinomial)

enum class LossKind {
#define DESCEND_LOSS_ENUM(Loss) Loss,
    DESCEND_LOSSES(DESCEND_LOSS_ENUM)
#undef DESCEND_LOSS_ENUM
};

/// Calls f(Loss{}) with the loss struct of `kind`; the one place that turns a LossKind into a type.
template <class F>
decltype(auto) with_loss(LossKind kind, F&& f) {
    switch (kind) {
#define DESCEND_LOSS_CASE(Loss) \
    case LossKind::Loss:        \
        return f(Loss{});
        DESCEND_LOSSES(DESCEND_LOSS_CASE)
#undef DESCEND_LOSS_CASE
    }
    return f(LogLoss{});  // unreachable: every enumerator has its case
}

/// The loss named `name` ("squared_error", "log_loss", ...); throws std::invalid_argument
/// naming `loss` and listing the names otherwise.
LossKind parse_loss(const std::string& name);
/// The inverse of parse_loss.
const char* loss_name(LossKind loss);
/// What y must do for `loss`, in words, for error messages ("y must " + this).
const char* loss_domain(LossKind loss);

// Vectorised pointwise functions behind descend.squared_error / descend.log_loss.
// Inputs are validated by the caller; these only compute.

/// (y − ŷ)² elementwise.
Eigen::ArrayXd squared_error(const Eigen::Ref<const Eigen::ArrayXd>& y,
                             const Eigen::Ref<const Eigen::ArrayXd>& y_pred);
/// −(y·log p + (1 − y)·log(1 − p)) elementwise, with 0·log 0 = 0: p ∈ {0, 1} with the
/// matching label gives 0, with the other label +inf, never NaN.
Eigen::ArrayXd log_loss_probability(const Eigen::Ref<const Eigen::ArrayXd>& y,
                                    const Eigen::Ref<const Eigen::ArrayXd>& p);
/// log(1 + eᶻ) − y·z elementwise, exact for any finite logit z.
Eigen::ArrayXd log_loss_logit(const Eigen::Ref<const Eigen::ArrayXd>& y,
                              const Eigen::Ref<const Eigen::ArrayXd>& z);

}  // namespace descend
