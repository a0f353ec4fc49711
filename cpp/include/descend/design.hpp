// The design: the data matrix X of a linear model, in one of the layouts the cost reads.
//
// A design is a read-only, zero-copy view. Dense X is row- or column-major, float64 or
// float32; sparse X is CSR (compressed rows) or CSC (compressed columns), float64 or
// float32 values, int32 or int64 indices: Eigen's Map of a SparseMatrix, that is the three
// arrays scipy.sparse also uses (values, inner indices, outer pointers). float32 is
// accumulated in float64.
//
// The cost reaches every layout through three operations on a block of rows X_b
// (cpp/src/designs.hpp): z = X_b·v, g += X_bᵀ·r, and the weighted Gram X_bᵀ·diag(c)·X_b.
#pragma once

#include <Eigen/Core>
#include <Eigen/SparseCore>

#include <cstdint>
#include <variant>

namespace descend {

/// A dense view: rows or columns contiguous, any outer stride.
template <class Scalar, int Order>
using MatrixView = Eigen::Map<const Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Order>, 0,
                              Eigen::OuterStride<>>;

/// A sparse view: CSR for Order = RowMajor, CSC for ColMajor. Compressed (no inner
/// non-zero counts); duplicate entries are summed; CSC needs sorted row indices in each column.
template <class Scalar, int Order, class StorageIndex>
using SparseView = Eigen::Map<const Eigen::SparseMatrix<Scalar, Order, StorageIndex>>;

/// Every layout a LinearModelCost reads.
using Design = std::variant<MatrixView<double, Eigen::RowMajor>, MatrixView<double, Eigen::ColMajor>,
                            MatrixView<float, Eigen::RowMajor>, MatrixView<float, Eigen::ColMajor>,
                            SparseView<double, Eigen::RowMajor, std::int32_t>,
                            SparseView<double, Eigen::RowMajor, std::int64_t>,
                            SparseView<float, Eigen::RowMajor, std::int32_t>,
                            SparseView<float, Eigen::RowMajor, std::int64_t>,
                            SparseView<double, Eigen::ColMajor, std::int32_t>,
                            SparseView<double, Eigen::ColMajor, std::int64_t>,
                            SparseView<float, Eigen::ColMajor, std::int32_t>,
                            SparseView<float, Eigen::ColMajor, std::int64_t>>;

/// The former name of Design.
using DataView = Design;

/// A view of a dense Eigen matrix; the matrix must outlive the view.
template <class Scalar, int Rows, int Cols, int Order, int MaxRows, int MaxCols>
Design view(const Eigen::Matrix<Scalar, Rows, Cols, Order, MaxRows, MaxCols>& X) {
    constexpr int order = (Order & Eigen::RowMajorBit) ? Eigen::RowMajor : Eigen::ColMajor;
    return MatrixView<Scalar, order>(X.data(), X.rows(), X.cols(), Eigen::OuterStride<>(X.outerStride()));
}

/// A view of a compressed Eigen sparse matrix (call makeCompressed() first); it must outlive the view.
template <class Scalar, int Order, class StorageIndex>
Design view(const Eigen::SparseMatrix<Scalar, Order, StorageIndex>& X) {
    eigen_assert(X.isCompressed());
    return SparseView<Scalar, Order, StorageIndex>(X.rows(), X.cols(), X.nonZeros(), X.outerIndexPtr(),
                                                    X.innerIndexPtr(), X.valuePtr());
}

/// "float64, row-major", "float32, CSR, int64 indices", ...: the layout in words.
const char* layout_name(const Design& X);

}  // namespace descend
