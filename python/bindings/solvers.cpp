// Solvers: options, Result and the three solvers. The solve runs with the GIL
// released; a Python cost (PyCost) and the callback take it for each call.
#include "bindings.hpp"

#include "descend/solvers.hpp"

#include <string>
#include <utility>
#include <vector>

namespace descend::python {

namespace {

py::array_t<double> to_array(const std::vector<double>& values) {
    return py::array_t<double>(static_cast<py::ssize_t>(values.size()), values.data());
}

py::array_t<double> to_array(const Vector& values) {
    return py::array_t<double>(static_cast<py::ssize_t>(values.size()), values.data());
}

// The core callback calling a Python function f(iteration, cost, grad_norm,
// step, x, gradient) -> bool | None (None continues, a false value stops).
// `function` must outlive the solve; it is only touched with the GIL held.
Callback python_callback(const py::object& function) {
    if (function.is_none()) return {};
    return [&function](const IterationInfo& info) {
        py::gil_scoped_acquire gil;
        const py::object answer = function(info.iteration, info.fun, info.grad_norm, info.step, to_array(info.x),
                                           to_array(info.jac));
        return answer.is_none() || PyObject_IsTrue(answer.ptr()) == 1;
    };
}

// Runs solver(cost, x0, options, callback) with the GIL released.
template <class Options, class Solver>
Result solve(Solver solver, const Cost& cost, const Vector& x0, const Options& options, const py::object& callback) {
    options.validate();
    const Callback core_callback = python_callback(callback);
    py::gil_scoped_release release;
    return solver(cost, x0, options, core_callback);
}

}  // namespace

void bind_solvers(py::module_& m) {
    py::class_<GradientDescentOptions>(m, "GradientDescentOptions", "Options of gradient_descent (solvers.hpp).")
        .def(py::init<>())
        .def_property(
            "step", [](const GradientDescentOptions& o) { return std::string(to_string(o.step)); },
            [](GradientDescentOptions& o, const std::string& name) { o.step = parse_step_rule(name); })
        .def_readwrite("learning_rate", &GradientDescentOptions::learning_rate)
        .def_readwrite("max_iter", &GradientDescentOptions::max_iter)
        .def_readwrite("tol", &GradientDescentOptions::tol)
        .def_readwrite("c1", &GradientDescentOptions::c1)
        .def_readwrite("max_backtracks", &GradientDescentOptions::max_backtracks)
        .def_readwrite("divergence_factor", &GradientDescentOptions::divergence_factor)
        .def_readwrite("divergence_patience", &GradientDescentOptions::divergence_patience)
        .def("validate", &GradientDescentOptions::validate);

    py::class_<NewtonOptions>(m, "NewtonOptions", "Options of newton (solvers.hpp).")
        .def(py::init<>())
        .def_readwrite("max_iter", &NewtonOptions::max_iter)
        .def_readwrite("tol", &NewtonOptions::tol)
        .def_readwrite("c1", &NewtonOptions::c1)
        .def_readwrite("max_backtracks", &NewtonOptions::max_backtracks)
        .def("validate", &NewtonOptions::validate);

    py::class_<LbfgsOptions>(m, "LbfgsOptions", "Options of lbfgs (solvers.hpp).")
        .def(py::init<>())
        .def_readwrite("memory", &LbfgsOptions::memory)
        .def_readwrite("max_iter", &LbfgsOptions::max_iter)
        .def_readwrite("tol", &LbfgsOptions::tol)
        .def_readwrite("c1", &LbfgsOptions::c1)
        .def_readwrite("c2", &LbfgsOptions::c2)
        .def_readwrite("max_linesearch", &LbfgsOptions::max_linesearch)
        .def("validate", &LbfgsOptions::validate);

    py::class_<NewtonCgOptions>(m, "NewtonCgOptions", "Options of newton_cg (solvers.hpp).")
        .def(py::init<>())
        .def_readwrite("max_iter", &NewtonCgOptions::max_iter)
        .def_readwrite("tol", &NewtonCgOptions::tol)
        .def_readwrite("initial_radius", &NewtonCgOptions::initial_radius)
        .def_readwrite("max_radius", &NewtonCgOptions::max_radius)
        .def_readwrite("eta", &NewtonCgOptions::eta)
        .def_readwrite("max_cg", &NewtonCgOptions::max_cg)
        .def_readwrite("precondition", &NewtonCgOptions::precondition)
        .def("validate", &NewtonCgOptions::validate);

    py::class_<Result>(m, "Result", "What a solver returns (result.hpp); arrays are copies.")
        .def_property_readonly("x", [](const Result& r) { return to_array(r.x); })
        .def_readonly("fun", &Result::fun)
        .def_property_readonly("jac", [](const Result& r) { return to_array(r.jac); })
        .def_readonly("grad_norm", &Result::grad_norm)
        .def_readonly("nit", &Result::nit)
        .def_readonly("nfev", &Result::nfev)
        .def_readonly("njev", &Result::njev)
        .def_readonly("nhev", &Result::nhev)
        .def_property_readonly("status", [](const Result& r) { return std::string(to_string(r.status)); })
        .def_readonly("message", &Result::message)
        .def_property_readonly("success", &Result::success)
        .def_property_readonly("history_cost", [](const Result& r) { return to_array(r.history.cost); })
        .def_property_readonly("history_grad_norm", [](const Result& r) { return to_array(r.history.grad_norm); })
        .def_property_readonly("history_step", [](const Result& r) { return to_array(r.history.step); })
        .def_property_readonly("hess", [](const Result& r) { return r.hess; });

    const char* callback_doc =
        "callback(iteration, fun, grad_norm, step, x, jac) is called for the start point and after every "
        "iteration; returning a false value other than None stops the run (status 'callback_stopped').";
    m.def(
        "gradient_descent",
        [](const Cost& cost, const Vector& x0, const GradientDescentOptions& options, const py::object& callback) {
            return solve(&descend::gradient_descent, cost, x0, options, callback);
        },
        py::arg("cost"), py::arg("x0"), py::arg("options"), py::arg("callback") = py::none(), callback_doc);
    m.def(
        "newton",
        [](const Cost& cost, const Vector& x0, const NewtonOptions& options, const py::object& callback) {
            return solve(&descend::newton, cost, x0, options, callback);
        },
        py::arg("cost"), py::arg("x0"), py::arg("options"), py::arg("callback") = py::none(), callback_doc);
    m.def(
        "newton_cg",
        [](const Cost& cost, const Vector& x0, const NewtonCgOptions& options, const py::object& callback) {
            return solve(&descend::newton_cg, cost, x0, options, callback);
        },
        py::arg("cost"), py::arg("x0"), py::arg("options"), py::arg("callback") = py::none(), callback_doc);
    m.def(
        "lbfgs",
        [](const Cost& cost, const Vector& x0, const LbfgsOptions& options, const py::object& callback) {
            return solve(&descend::lbfgs, cost, x0, options, callback);
        },
        py::arg("cost"), py::arg("x0"), py::arg("options"), py::arg("callback") = py::none(), callback_doc);
}

}  // namespace descend::python
