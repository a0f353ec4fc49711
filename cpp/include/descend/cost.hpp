// A cost J(w) to be minimised, and the cost of a linear model over a dataset.
//
//   J(w) = (1/S)·Σᵢ sᵢ·L(zᵢ, yᵢ) + (λ/2)·‖w‖²,   zᵢ = xᵢᵀw + b
//   ∇J   = Xᵀ(s∘L′(z))/S + λw
//   H    = Xᵀ diag(s∘L″(z)) X / S + λI
//
// S = Σᵢ sᵢ for Reduction::Mean and S = 1 for Reduction::Sum. With an intercept,
// b is the last parameter, X is read as [X, 1] and b is not penalised. A shift c reads X as X − 1cᵀ.
//
// The multinomial loss has K outputs per row: z = Wᵀx + b ∈ ℝᴷ, W (d×K), the parameters [vec(W), b]
// (W class by class, then the K intercepts), and with x̃ = [x, 1]:
//   ∇J = X̃ᵀ diag(s)(P − Y)/S + λ[W; 0]
//   H  = Σᵢ sᵢ (x̃ᵢx̃ᵢᵀ) ⊗ (diag pᵢ − pᵢpᵢᵀ)/S + λ on the coefficients' diagonal,
// the Kronecker product taken in the parameters' order: entry ((k, j), (l, j′)) is
// Σᵢ sᵢ x̃ᵢⱼ x̃ᵢⱼ′ (pᵢₖδₖₗ − pᵢₖpᵢₗ)/S, where (k, j) is class k's coefficient j (j < d) or intercept.
#pragma once

#include "descend/design.hpp"
#include "descend/losses.hpp"

#include <Eigen/Core>

#include <memory>
#include <mutex>
#include <string>

namespace descend {

using Index = Eigen::Index;
using Vector = Eigen::VectorXd;
using Matrix = Eigen::MatrixXd;

/// What every solver minimises. Implementations resize their outputs.
///
/// Only dim() and value_gradient() are required. The Hessian methods have
/// defaults (hessian_product from hessian, value_gradient_hessian from both);
/// a cost without second derivatives leaves hessian() to throw and returns
/// false from has_hessian(), and the solvers that need it say so.
class Cost {
public:
    virtual ~Cost() = default;

    /// Number of parameters.
    virtual Index dim() const = 0;
    /// J(w).
    virtual double value(const Vector& w) const;
    /// J(w), and ∇J(w) into g.
    virtual double value_gradient(const Vector& w, Vector& g) const = 0;
    /// ∇²J(w) into H (dim × dim, symmetric).
    virtual void hessian(const Vector& w, Matrix& H) const;
    /// ∇²J(w)·v into out.
    virtual void hessian_product(const Vector& w, const Vector& v, Vector& out) const;
    /// J(w), ∇J(w) and ∇²J(w) together (a single pass over the data where possible).
    virtual double value_gradient_hessian(const Vector& w, Vector& g, Matrix& H) const;
    /// Whether hessian() is available.
    virtual bool has_hessian() const { return true; }
    /// diag ∇²J(w) into out, when the cost offers it cheaply (newton_cg's preconditioner):
    /// returns false, leaving out alone, when it does not (the default).
    virtual bool hessian_diagonal(const Vector& w, Vector& out) const;
    /// Empty, or why this cost is known to have no minimiser (its infimum lies at infinity); the
    /// solvers then report Status::NoMinimum with this reason, whatever the gradient does.
    virtual std::string no_minimum_reason() const { return ""; }
    /// What a solver says when the Hessian at its answer is singular (the minimiser not unique).
    virtual std::string singular_note() const;
};

enum class Reduction { Mean, Sum };

/// "mean" or "sum"; throws std::invalid_argument naming `reduction` otherwise.
Reduction parse_reduction(const std::string& name);

struct LinearModelOptions {
    LossKind loss = LossKind::LogLoss;
    bool fit_intercept = true;
    /// L2 strength λ ≥ 0; the intercept is not penalised.
    double l2 = 0.0;
    Reduction reduction = Reduction::Mean;
    /// Threads for one evaluation; 0 means all the hardware offers.
    int n_threads = 0;
    /// Empty, or c (one entry per column of dense X): every row is read as x − c, so the model is
    /// z = (x − c)ᵀw + b, the same model with intercept b − cᵀw. With c near the mean of the rows,
    /// sums over data far from the origin (the Gram matrix, residuals) keep their digits without a
    /// centred copy of X: the differences are formed first, block by block.
    Vector shift;
    /// For loss = Multinomial: K, the number of classes (labels 0 … K − 1); 0 means the largest
    /// label + 1. Must be 0 for the other losses.
    Index n_classes = 0;
};

/// The cost of a linear or logistic model over (X, y, sample weights).
///
/// X is a Design (design.hpp), viewed, never copied: it must outlive the cost. y
/// and the weights are copied (O(n)). One evaluation reads X once: rows are
/// processed in blocks that fit in cache (z_b = X_b·w + b, then
/// g += X_bᵀ·(s∘L′)/S), split over threads with one accumulator each, reduced
/// in a fixed order, so a given n_threads always gives the same bits. (CSC X is
/// turned into CSR one block at a time, so it too is read once.) Throws
/// std::invalid_argument naming the argument on bad input.
class LinearModelCost final : public Cost {
public:
    LinearModelCost(Design X, const Eigen::Ref<const Vector>& y, const LinearModelOptions& options = {},
                    const Eigen::Ref<const Vector>& sample_weight = Vector());

    /// K·(d + fit_intercept) for the multinomial loss (K = classes()), d + fit_intercept otherwise.
    Index dim() const override { return classes_ * (d_ + (options_.fit_intercept ? 1 : 0)); }
    double value(const Vector& w) const override;
    double value_gradient(const Vector& w, Vector& g) const override;
    void hessian(const Vector& w, Matrix& H) const override;
    /// ∇²J(w)·v, one pass over X. The curvature s∘L″(z) at the last w is kept (n numbers), so
    /// the products at one w that conjugate gradients ask for do not form z = Xw again.
    void hessian_product(const Vector& w, const Vector& v, Vector& out) const override;
    /// diag ∇²J(w) = Σᵢ sᵢL″(zᵢ)·x̃ᵢⱼ²/S + λ, one pass over X; shares the kept curvature with
    /// hessian_product (either may form it for the other). Always available: returns true.
    bool hessian_diagonal(const Vector& w, Vector& out) const override;
    double value_gradient_hessian(const Vector& w, Vector& g, Matrix& H) const override;

    Index n_samples() const { return n_; }
    Index n_features() const { return d_; }
    const LinearModelOptions& options() const { return options_; }
    /// The normaliser S: Σ sᵢ for the mean, 1 for the sum.
    double normaliser() const { return normaliser_; }
    /// The threads one evaluation uses.
    int threads() const { return threads_; }
    /// The model's outputs per row: K for the multinomial loss, 1 otherwise.
    Index classes() const { return classes_; }
    std::string no_minimum_reason() const override;
    std::string singular_note() const override;
    /// The view of X this cost reads.
    const Design& data() const { return X_; }
    /// The raw output X·w + b (logits for log loss) for every sample; for the multinomial loss
    /// the n×K logits XW + 1bᵀ, row by row (entry i·K + k is sample i's logit of class k).
    Vector decision_function(const Vector& w) const;
    /// X̃ᵀ·diag(c)·X̃ into G (X̃ = [X, 1] with an intercept), for any weights c ≥ 0, one pass
    /// over X with the Hessian's kernel: no 1/S, no λ, not the sample weights. The meat of
    /// sandwich covariances (c = s²L′²) is such a matrix.
    void weighted_gram(const Eigen::Ref<const Vector>& c, Matrix& G) const;
    /// Σᵢ (sᵢ·L′(zᵢ, yᵢ))²·x̃ᵢx̃ᵢᵀ at w, with the sample weights as given: the meat of the HC0
    /// sandwich covariance of the summed cost, in one pass over X (z is formed block by block).
    void score_gram(const Vector& w, Matrix& G) const;

private:
    friend class RowBatches;
    Design X_;
    Vector y_;
    Vector s_;  // empty: unit weights; for the mean, stored as s / S
    LinearModelOptions options_;
    Index n_ = 0;
    Index d_ = 0;
    double normaliser_ = 1.0;
    double divisor_ = 1.0;  // the kernel's sums are divided by this: n (unit weights, mean) or 1
    int threads_ = 1;
    Index classes_ = 1;
    std::string no_minimum_;  // why there is none, when that is known from the data

    // H·v (direction) or diag H (null) at w, from the kept curvature when it is w's, else from a
    // pass that keeps it.
    Vector curvature_pass(const Vector& w, const Vector* direction) const;

    struct Curvature {
        Vector w;   // the point
        Vector d2;  // s∘L″(z) there, per row (s as stored); multinomial: p, n×K, row by row
    };
    mutable std::mutex curvature_mutex_;
    mutable std::shared_ptr<const Curvature> curvature_;  // the last hessian_product's, shared by readers
};

/// The gradient of a LinearModelCost restricted to some of its rows: the mini-batches of sgd and
/// adam. Each batch's rows are gathered into a buffer of the batch's size (dense rows as float64 or
/// float32, as stored; CSR rows as they are; CSC X is turned into CSR once, on construction, a copy
/// of its non-zeros), then read by the cost's own kernels in one single-threaded pass. The cost
/// must outlive this object; one object per thread.
class RowBatches {
public:
    explicit RowBatches(const LinearModelCost& cost);
    ~RowBatches();
    RowBatches(const RowBatches&) = delete;
    RowBatches& operator=(const RowBatches&) = delete;

    /// Into g: ∇ at w of the batch rows[0 … count): Σ_b sᵢ∇L(zᵢ, yᵢ)/Σ_b sᵢ (times Σᵢ sᵢ over every
    /// row for Reduction::Sum), plus λw. Zero-weight batches contribute λw only. Rows must be < n.
    void gradient(const Vector& w, const Index* rows, Index count, Vector& g);

    struct Gatherer;

private:
    const LinearModelCost& cost_;
    std::unique_ptr<Gatherer> gather_;
    Vector y_, s_;
    double total_ = 1.0;  // Reduction::Sum: Σ sᵢ over all rows, the batch mean's multiplier
};

}  // namespace descend
