// Cost (overridable from Python) and LinearModelCost over zero-copy views of NumPy arrays.
#include "bindings.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace descend::python {

namespace {

// The solvers' own points never come through here, only the user's: reject
// NaN/inf before they turn into a silent NaN cost.
const Vector& finite(const Vector& v, const char* name) {
    if (!v.allFinite()) throw std::invalid_argument(std::string(name) + " must contain only finite values (no NaN or inf)");
    return v;
}

std::string length_message(const char* what, Index expected, Index got) {
    return std::string(what) + " returned an array of length " + std::to_string(got) + ", expected " +
           std::to_string(expected) + " (dim)";
}

// The Python override of `name` on a PyCost, or a null function.
py::function override_of(const PyCost* self, const char* name) {
    return py::get_override(static_cast<const Cost*>(self), name);
}

}  // namespace

Index PyCost::dim() const {
    py::gil_scoped_acquire gil;
    if (py::function f = override_of(this, "dim")) return f().cast<Index>();
    throw std::logic_error("a Python cost must define dim()");
}

double PyCost::value(const Vector& w) const {
    {
        py::gil_scoped_acquire gil;
        if (py::function f = override_of(this, "value")) return f(w).cast<double>();
    }
    return Cost::value(w);
}

double PyCost::value_gradient(const Vector& w, Vector& g) const {
    py::gil_scoped_acquire gil;
    py::function f = override_of(this, "value_and_gradient");
    if (!f) throw std::logic_error("a Python cost must define value_and_gradient(w)");
    const auto result = f(w).cast<std::pair<double, Vector>>();
    if (result.second.size() != w.size())
        throw std::invalid_argument(length_message("value_and_gradient", w.size(), result.second.size()));
    g = result.second;
    return result.first;
}

void PyCost::hessian(const Vector& w, Matrix& H) const {
    {
        py::gil_scoped_acquire gil;
        if (py::function f = override_of(this, "hessian")) {
            H = f(w).cast<Matrix>();
            if (H.rows() != w.size() || H.cols() != w.size())
                throw std::invalid_argument("hessian returned a " + std::to_string(H.rows()) + "x" +
                                            std::to_string(H.cols()) + " array, expected " +
                                            std::to_string(w.size()) + "x" + std::to_string(w.size()));
            return;
        }
    }
    Cost::hessian(w, H);
}

void PyCost::hessian_product(const Vector& w, const Vector& v, Vector& out) const {
    {
        py::gil_scoped_acquire gil;
        if (py::function f = override_of(this, "hessian_product")) {
            out = f(w, v).cast<Vector>();
            if (out.size() != w.size())
                throw std::invalid_argument(length_message("hessian_product", w.size(), out.size()));
            return;
        }
    }
    Cost::hessian_product(w, v, out);
}

double PyCost::value_gradient_hessian(const Vector& w, Vector& g, Matrix& H) const {
    {
        py::gil_scoped_acquire gil;
        if (py::function f = override_of(this, "value_gradient_hessian")) {
            auto result = f(w).cast<std::tuple<double, Vector, Matrix>>();
            g = std::move(std::get<1>(result));
            H = std::move(std::get<2>(result));
            if (g.size() != w.size())
                throw std::invalid_argument(length_message("value_gradient_hessian", w.size(), g.size()));
            if (H.rows() != w.size() || H.cols() != w.size())
                throw std::invalid_argument("value_gradient_hessian returned a Hessian of the wrong shape");
            return std::get<0>(result);
        }
    }
    return Cost::value_gradient_hessian(w, g, H);
}

bool PyCost::has_hessian() const {
    py::gil_scoped_acquire gil;
    if (py::function f = override_of(this, "has_hessian")) return f().cast<bool>();
    return static_cast<bool>(override_of(this, "hessian")) ||
           static_cast<bool>(override_of(this, "value_gradient_hessian"));
}

namespace {

// A zero-copy Eigen view of a 2-D float64/float32 array whose rows or columns
// are contiguous (C order, F order, or a slice of either).
Design view_of(const py::array& X) {
    if (X.ndim() != 2) throw std::invalid_argument("X must be a 2-D array");
    const auto rows = static_cast<Index>(X.shape(0));
    const auto cols = static_cast<Index>(X.shape(1));
    const auto item = static_cast<Index>(X.itemsize());
    const Index s0 = static_cast<Index>(X.strides(0)) / item;
    const Index s1 = static_cast<Index>(X.strides(1)) / item;
    // equal(), not is(): memory-mapped or unpickled arrays carry an equal dtype object of their own.
    const bool f64 = X.dtype().equal(py::dtype::of<double>());
    const bool f32 = X.dtype().equal(py::dtype::of<float>());
    if (!f64 && !f32) throw std::invalid_argument("X must have dtype float64 or float32");
    const bool row_major = s1 == 1 || cols <= 1;
    const bool col_major = s0 == 1 || rows <= 1;
    if (!row_major && !col_major)
        throw std::invalid_argument("X must be contiguous along its rows or its columns");
    // Degenerate strides (one row or one column) are replaced by the extent, which Eigen expects.
    if (row_major) {
        const Index outer = rows <= 1 ? std::max<Index>(cols, 1) : s0;
        if (f64) return MatrixView<double, Eigen::RowMajor>(static_cast<const double*>(X.data()), rows, cols,
                                                            Eigen::OuterStride<>(outer));
        return MatrixView<float, Eigen::RowMajor>(static_cast<const float*>(X.data()), rows, cols,
                                                  Eigen::OuterStride<>(outer));
    }
    const Index outer = cols <= 1 ? std::max<Index>(rows, 1) : s1;
    if (f64) return MatrixView<double, Eigen::ColMajor>(static_cast<const double*>(X.data()), rows, cols,
                                                        Eigen::OuterStride<>(outer));
    return MatrixView<float, Eigen::ColMajor>(static_cast<const float*>(X.data()), rows, cols,
                                              Eigen::OuterStride<>(outer));
}

// A zero-copy Eigen view of scipy.sparse's three arrays: CSR ("csr") or CSC ("csc"), float64
// or float32 values, int32 or int64 indices (both index arrays of one dtype), each contiguous.
template <class Scalar, int Order, class StorageIndex>
Design sparse_view_as(Index rows, Index cols, const py::array& data, const py::array& indices,
                      const py::array& indptr) {
    return SparseView<Scalar, Order, StorageIndex>(rows, cols, static_cast<Index>(data.size()),
                                                   static_cast<const StorageIndex*>(indptr.data()),
                                                   static_cast<const StorageIndex*>(indices.data()),
                                                   static_cast<const Scalar*>(data.data()));
}

template <int Order>
Design sparse_view_of(Index rows, Index cols, const py::array& data, const py::array& indices,
                      const py::array& indptr) {
    const bool f64 = data.dtype().equal(py::dtype::of<double>());
    if (!f64 && !data.dtype().equal(py::dtype::of<float>()))
        throw std::invalid_argument("X.data must have dtype float64 or float32");
    const bool i64 = indices.dtype().equal(py::dtype::of<std::int64_t>());
    if (!i64 && !indices.dtype().equal(py::dtype::of<std::int32_t>()))
        throw std::invalid_argument("X.indices must have dtype int32 or int64");
    if (!indptr.dtype().equal(indices.dtype()))
        throw std::invalid_argument("X.indptr must have the dtype of X.indices");
    for (const py::array* a : {&data, &indices, &indptr})
        if (a->ndim() != 1 || !(a->flags() & py::array::c_style))
            throw std::invalid_argument("X.data, X.indices and X.indptr must be contiguous 1-D arrays");
    const Index outer = Order == Eigen::RowMajor ? rows : cols;
    if (static_cast<Index>(indptr.size()) != outer + 1)
        throw std::invalid_argument("X.indptr must have " + std::to_string(outer + 1) + " entries, got " +
                                    std::to_string(indptr.size()));
    if (indices.size() != data.size())
        throw std::invalid_argument("X.indices and X.data must have the same length");
    if (f64 && i64) return sparse_view_as<double, Order, std::int64_t>(rows, cols, data, indices, indptr);
    if (f64) return sparse_view_as<double, Order, std::int32_t>(rows, cols, data, indices, indptr);
    if (i64) return sparse_view_as<float, Order, std::int64_t>(rows, cols, data, indices, indptr);
    return sparse_view_as<float, Order, std::int32_t>(rows, cols, data, indices, indptr);
}

LinearModelOptions options_of(const std::string& loss, bool fit_intercept, double l2, const std::string& reduction,
                              int n_threads, Index n_classes) {
    LinearModelOptions options;
    options.n_classes = n_classes;
    options.loss = parse_loss(loss);
    options.fit_intercept = fit_intercept;
    options.l2 = l2;
    options.reduction = parse_reduction(reduction);
    options.n_threads = n_threads;
    return options;
}

std::uintptr_t address_of(const Design& X) {
    return std::visit(
        [](const auto& view) {
            if constexpr (std::is_base_of_v<Eigen::SparseMatrixBase<std::decay_t<decltype(view)>>,
                                            std::decay_t<decltype(view)>>)
                return reinterpret_cast<std::uintptr_t>(view.valuePtr());
            else
                return reinterpret_cast<std::uintptr_t>(view.data());
        },
        X);
}

}  // namespace

void bind_cost(py::module_& m) {
    py::class_<Cost, PyCost>(m, "Cost", R"doc(
A cost J(w) that the solvers minimise. Subclass it in Python and define
dim(), value_and_gradient(w) -> (float, ndarray) and, for Newton and the
curvature step, hessian(w) -> ndarray.)doc")
        .def(py::init<>())
        .def("dim", &Cost::dim)
        .def(
            "value",
            [](const Cost& self, const Vector& w) {
                finite(w, "w");
                py::gil_scoped_release release;
                return self.value(w);
            },
            py::arg("w"))
        .def(
            "value_and_gradient",
            [](const Cost& self, const Vector& w) {
                finite(w, "w");
                Vector g;
                double f;
                {
                    py::gil_scoped_release release;
                    f = self.value_gradient(w, g);
                }
                return py::make_tuple(f, std::move(g));
            },
            py::arg("w"))
        .def(
            "hessian",
            [](const Cost& self, const Vector& w) {
                finite(w, "w");
                Matrix H;
                {
                    py::gil_scoped_release release;
                    self.hessian(w, H);
                }
                return H;
            },
            py::arg("w"))
        .def(
            "hessian_product",
            [](const Cost& self, const Vector& w, const Vector& v) {
                finite(w, "w");
                finite(v, "v");
                Vector out;
                {
                    py::gil_scoped_release release;
                    self.hessian_product(w, v, out);
                }
                return out;
            },
            py::arg("w"), py::arg("v"))
        .def(
            "value_gradient_hessian",
            [](const Cost& self, const Vector& w) {
                finite(w, "w");
                Vector g;
                Matrix H;
                double f;
                {
                    py::gil_scoped_release release;
                    f = self.value_gradient_hessian(w, g, H);
                }
                return py::make_tuple(f, std::move(g), std::move(H));
            },
            py::arg("w"))
        .def(
            "hessian_diagonal",
            [](const Cost& self, const Vector& w) -> std::optional<Vector> {
                finite(w, "w");
                Vector out;
                bool offered;
                {
                    py::gil_scoped_release release;
                    offered = self.hessian_diagonal(w, out);
                }
                if (!offered) return std::nullopt;
                return out;
            },
            py::arg("w"), "diag ∇²J(w), or None where the cost does not offer it.")
        .def("has_hessian", &Cost::has_hessian);

    py::class_<LinearModelCost, Cost>(m, "LinearModelCost", R"doc(
The cost of a linear model over (X, y): a zero-copy view of X, which it keeps alive.)doc")
        .def(py::init([](const py::array& X, const Vector& y, const std::string& loss, bool fit_intercept,
                         double l2, const std::optional<Vector>& sample_weight, const std::string& reduction,
                         int n_threads, const std::optional<Vector>& shift, Index n_classes) {
                 LinearModelOptions options = options_of(loss, fit_intercept, l2, reduction, n_threads, n_classes);
                 options.shift = shift.value_or(Vector());
                 const Design view = view_of(X);
                 py::gil_scoped_release release;  // the finiteness check reads all of X
                 return std::make_unique<LinearModelCost>(view, y, options, sample_weight.value_or(Vector()));
             }),
             py::arg("X"), py::arg("y"), py::arg("loss") = "log_loss", py::arg("fit_intercept") = true,
             py::arg("l2") = 0.0, py::arg("sample_weight") = py::none(), py::arg("reduction") = "mean",
             py::arg("n_threads") = 0, py::arg("shift") = py::none(), py::arg("n_classes") = 0,
             py::keep_alive<1, 2>())
        .def_static(
            "from_sparse",
            [](const std::string& format, Index rows, Index cols, const py::array& data, const py::array& indices,
               const py::array& indptr, const Vector& y, const std::string& loss, bool fit_intercept, double l2,
               const std::optional<Vector>& sample_weight, const std::string& reduction, int n_threads,
               Index n_classes) {
                if (format != "csr" && format != "csc")
                    throw std::invalid_argument("format must be 'csr' or 'csc', got '" + format + "'");
                const LinearModelOptions options =
                    options_of(loss, fit_intercept, l2, reduction, n_threads, n_classes);
                const Design view = format == "csr" ? sparse_view_of<Eigen::RowMajor>(rows, cols, data, indices, indptr)
                                                    : sparse_view_of<Eigen::ColMajor>(rows, cols, data, indices, indptr);
                py::gil_scoped_release release;  // the checks read all of X
                return std::make_unique<LinearModelCost>(view, y, options, sample_weight.value_or(Vector()));
            },
            py::arg("format"), py::arg("rows"), py::arg("cols"), py::arg("data"), py::arg("indices"),
            py::arg("indptr"), py::arg("y"), py::arg("loss") = "log_loss", py::arg("fit_intercept") = true,
            py::arg("l2") = 0.0, py::arg("sample_weight") = py::none(), py::arg("reduction") = "mean",
            py::arg("n_threads") = 0, py::arg("n_classes") = 0, py::keep_alive<0, 4>(), py::keep_alive<0, 5>(),
            py::keep_alive<0, 6>(),
            "The cost over a sparse X given by scipy.sparse's arrays (data, indices, indptr), viewed, not copied.")
        .def_property_readonly("n_samples", &LinearModelCost::n_samples)
        .def_property_readonly("n_features", &LinearModelCost::n_features)
        .def_property_readonly("n_threads", &LinearModelCost::threads)
        .def_property_readonly("classes", &LinearModelCost::classes,
                               "K for the multinomial loss (its outputs per row), 1 for the others.")
        .def("no_minimum_reason", &LinearModelCost::no_minimum_reason)
        .def_property_readonly("normaliser", &LinearModelCost::normaliser)
        .def_property_readonly("layout", [](const LinearModelCost& self) { return layout_name(self.data()); })
        .def_property_readonly("data_address", [](const LinearModelCost& self) { return address_of(self.data()); })
        .def(
            "decision_function",
            [](const LinearModelCost& self, const Vector& w) {
                finite(w, "w");
                py::gil_scoped_release release;
                return self.decision_function(w);
            },
            py::arg("w"))
        .def(
            "batch_gradient",
            [](const LinearModelCost& self, const Vector& w, const Eigen::Matrix<Index, Eigen::Dynamic, 1>& rows) {
                finite(w, "w");
                for (Index r = 0; r < rows.size(); ++r)
                    if (rows[r] < 0 || rows[r] >= self.n_samples())
                        throw std::invalid_argument("rows must lie in [0, n_samples = " +
                                                    std::to_string(self.n_samples()) + "), got " +
                                                    std::to_string(rows[r]));
                Vector g;
                {
                    py::gil_scoped_release release;
                    RowBatches batches(self);
                    batches.gradient(w, rows.data(), rows.size(), g);
                }
                return g;
            },
            py::arg("w"), py::arg("rows"), "The gradient of the cost restricted to `rows` (RowBatches, cost.hpp).")
        .def(
            "weighted_gram",
            [](const LinearModelCost& self, const Vector& weights) {
                Matrix G;
                {
                    py::gil_scoped_release release;
                    self.weighted_gram(weights, G);
                }
                return G;
            },
            py::arg("weights"), "X̃ᵀ·diag(weights)·X̃ (X̃ = [X, 1] with an intercept), one pass over X.")
        .def(
            "score_gram",
            [](const LinearModelCost& self, const Vector& w) {
                finite(w, "w");
                Matrix G;
                {
                    py::gil_scoped_release release;
                    self.score_gram(w, G);
                }
                return G;
            },
            py::arg("w"), "Σᵢ (sᵢ·L′(zᵢ))²·x̃ᵢx̃ᵢᵀ at w (raw sample weights), one pass over X.");
}

}  // namespace descend::python
