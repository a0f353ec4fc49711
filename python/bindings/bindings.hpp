// Shared declarations of the pybind11 module descend._core: one binding file per area.
#pragma once

#include "descend/cost.hpp"

#include <pybind11/eigen.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

namespace descend::python {

namespace py = pybind11;

void bind_losses(py::module_& m);      // losses.cpp
void bind_cost(py::module_& m);        // cost.cpp: Cost (overridable from Python) and LinearModelCost
void bind_solvers(py::module_& m);     // solvers.cpp
void bind_bench(py::module_& m);       // bench.cpp: _stream_sum, the memory floor of the benchmarks

/// A Cost whose methods are written in Python: a subclass of descend._core.Cost
/// that defines dim(), value_and_gradient(w) -> (float, ndarray) and, for
/// second-order methods, hessian(w) -> ndarray; value(w), hessian_product(w, v),
/// value_gradient_hessian(w) -> (float, ndarray, ndarray) and has_hessian() are
/// optional. Each call takes the GIL, so solvers may run with it released.
class PyCost : public Cost {
public:
    Index dim() const override;
    double value(const Vector& w) const override;
    double value_gradient(const Vector& w, Vector& g) const override;
    void hessian(const Vector& w, Matrix& H) const override;
    void hessian_product(const Vector& w, const Vector& v, Vector& out) const override;
    double value_gradient_hessian(const Vector& w, Vector& g, Matrix& H) const override;
    bool has_hessian() const override;
};

}  // namespace descend::python
