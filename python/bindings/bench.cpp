// Benchmark helpers (private): the memory-bandwidth floor of a pass over X.
//
// _stream_sum(X, n_threads) reads every entry of X once, with the threads and
// the row partition of the cost kernels (thread t takes rows
// [n·t/T, n·(t+1)/T), the first on the calling thread), and returns the sum.
// No pass over X can be faster than this read; benchmarks/run.py reports the
// kernels' times as multiples of it.
#include "bindings.hpp"

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <thread>
#include <variant>
#include <vector>

namespace descend::python {

namespace {

// Sum of n contiguous values with 32 independent accumulators (several SIMD registers), so the loop
// is bound by loads, not by the latency of one chain of additions.
template <class Scalar>
double contiguous_sum(const Scalar* x, std::size_t n) {
    Scalar acc[32] = {};
    std::size_t i = 0;
    for (; i + 32 <= n; i += 32)
        for (int k = 0; k < 32; ++k) acc[k] += x[i + static_cast<std::size_t>(k)];
    double total = 0.0;
    for (; i < n; ++i) total += static_cast<double>(x[i]);
    for (int k = 0; k < 32; ++k) total += static_cast<double>(acc[k]);
    return total;
}

// Rows [begin, end) of a row-major view: contiguous when the rows are packed, row by row otherwise.
template <class Scalar>
double rows_sum(const MatrixView<Scalar, Eigen::RowMajor>& X, Index begin, Index end) {
    const auto d = static_cast<std::size_t>(X.cols());
    if (X.outerStride() == X.cols())
        return contiguous_sum(X.data() + static_cast<std::size_t>(begin) * d, static_cast<std::size_t>(end - begin) * d);
    double total = 0.0;
    for (Index i = begin; i < end; ++i) total += contiguous_sum(X.data() + i * X.outerStride(), d);
    return total;
}

// Rows [begin, end) of a column-major view: a contiguous segment of each column.
template <class Scalar>
double rows_sum(const MatrixView<Scalar, Eigen::ColMajor>& X, Index begin, Index end) {
    double total = 0.0;
    for (Index j = 0; j < X.cols(); ++j)
        total += contiguous_sum(X.data() + j * X.outerStride() + begin, static_cast<std::size_t>(end - begin));
    return total;
}

template <class View>
double stream_sum(const View& X, int threads) {
    const Index n = X.rows();
    std::vector<double> parts(static_cast<std::size_t>(threads), 0.0);
    auto run = [&](int t) {
        parts[static_cast<std::size_t>(t)] = rows_sum(X, n * t / threads, n * (t + 1) / threads);
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t) pool.emplace_back(run, t);
    run(0);
    for (auto& thread : pool) thread.join();
    double total = 0.0;
    for (double part : parts) total += part;
    return total;
}

using DenseView = std::variant<MatrixView<double, Eigen::RowMajor>, MatrixView<double, Eigen::ColMajor>,
                               MatrixView<float, Eigen::RowMajor>, MatrixView<float, Eigen::ColMajor>>;

// A view of a C- or Fortran-contiguous float64/float32 array (what the benchmarks pass).
DenseView contiguous_view(const py::array& X) {
    if (X.ndim() != 2) throw std::invalid_argument("X must be a 2-D array");
    const auto rows = static_cast<Index>(X.shape(0));
    const auto cols = static_cast<Index>(X.shape(1));
    const bool f64 = X.dtype().equal(py::dtype::of<double>());
    if (!f64 && !X.dtype().equal(py::dtype::of<float>()))
        throw std::invalid_argument("X must have dtype float64 or float32");
    const auto flags = X.flags();
    if (flags & py::array::c_style) {
        if (f64) return MatrixView<double, Eigen::RowMajor>(static_cast<const double*>(X.data()), rows, cols,
                                                            Eigen::OuterStride<>(cols));
        return MatrixView<float, Eigen::RowMajor>(static_cast<const float*>(X.data()), rows, cols,
                                                  Eigen::OuterStride<>(cols));
    }
    if (flags & py::array::f_style) {
        if (f64) return MatrixView<double, Eigen::ColMajor>(static_cast<const double*>(X.data()), rows, cols,
                                                            Eigen::OuterStride<>(rows));
        return MatrixView<float, Eigen::ColMajor>(static_cast<const float*>(X.data()), rows, cols,
                                                  Eigen::OuterStride<>(rows));
    }
    throw std::invalid_argument("X must be C- or Fortran-contiguous");
}

}  // namespace

void bind_bench(py::module_& m) {
    m.def(
        "_stream_sum",
        [](const py::array& X, int n_threads) {
            if (n_threads < 1) throw std::invalid_argument("n_threads must be >= 1");
            const DenseView view = contiguous_view(X);
            py::gil_scoped_release release;
            return std::visit([&](const auto& v) { return stream_sum(v, n_threads); }, view);
        },
        py::arg("X"), py::arg("n_threads"),
        "Sum of X's entries, read once with the cost kernels' threads and row partition (benchmark floor).");
}

}  // namespace descend::python
