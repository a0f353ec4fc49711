// Solvers: options, Result and the three solvers. The solve runs with the GIL
// released; a Python cost (PyCost) and the callback take it for each call.
#include "bindings.hpp"

#include "descend/solvers.hpp"

#include <memory>
#include <string>
#include <type_traits>
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
        .def_readwrite("store_path", &GradientDescentOptions::store_path)
        .def("validate", &GradientDescentOptions::validate);

    py::class_<NewtonOptions>(m, "NewtonOptions", "Options of newton (solvers.hpp).")
        .def(py::init<>())
        .def_readwrite("max_iter", &NewtonOptions::max_iter)
        .def_readwrite("tol", &NewtonOptions::tol)
        .def_readwrite("c1", &NewtonOptions::c1)
        .def_readwrite("max_backtracks", &NewtonOptions::max_backtracks)
        .def_readwrite("store_path", &NewtonOptions::store_path)
        .def("validate", &NewtonOptions::validate);

    py::class_<LbfgsOptions>(m, "LbfgsOptions", "Options of lbfgs (solvers.hpp).")
        .def(py::init<>())
        .def_readwrite("memory", &LbfgsOptions::memory)
        .def_readwrite("max_iter", &LbfgsOptions::max_iter)
        .def_readwrite("tol", &LbfgsOptions::tol)
        .def_readwrite("c1", &LbfgsOptions::c1)
        .def_readwrite("c2", &LbfgsOptions::c2)
        .def_readwrite("max_linesearch", &LbfgsOptions::max_linesearch)
        .def_readwrite("store_path", &LbfgsOptions::store_path)
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
        .def_readwrite("store_path", &NewtonCgOptions::store_path)
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
        .def_property_readonly("history_x",
                               [](const Result& r) {
                                   const auto rows = static_cast<Index>(r.history.x.size());
                                   Matrix path(rows, rows == 0 ? 0 : r.history.x.front().size());
                                   for (Index k = 0; k < rows; ++k) path.row(k) = r.history.x[static_cast<std::size_t>(k)];
                                   return path;
                               })
        .def_property_readonly("hess", [](const Result& r) { return r.hess; });

    // The options both stochastic solvers share; `schedule` takes a name or a function of t.
    auto stochastic = [](auto& cls) {
        using Options = typename std::remove_reference_t<decltype(cls)>::type;
        cls.def(py::init<>())
            .def_readwrite("learning_rate", &Options::learning_rate)
            .def_readwrite("batch_size", &Options::batch_size)
            .def_readwrite("epochs", &Options::epochs)
            .def_property(
                "schedule", [](const Options& o) { return std::string(to_string(o.schedule)); },
                [](Options& o, const std::string& name) {
                    o.schedule = parse_schedule(name);
                    o.multiplier = nullptr;
                })
            .def(
                "set_multiplier",
                [](Options& o, const py::object& function) {
                    // Called with the GIL released (the solve): take it for each call.
                    auto held = std::make_shared<py::object>(function);
                    o.schedule = Schedule::Custom;
                    o.multiplier = [held](double t) {
                        py::gil_scoped_acquire gil;
                        return (*held)(t).template cast<double>();
                    };
                },
                py::arg("function"))
            .def_readwrite("start_epoch", &Options::start_epoch)
            .def_readwrite("horizon", &Options::horizon)
            .def_readwrite("seed", &Options::seed)
            .def_readwrite("tol", &Options::tol)
            .def_readwrite("divergence_factor", &Options::divergence_factor)
            .def_readwrite("store_path", &Options::store_path)
            .def("validate", &Options::validate);
    };
    py::class_<SgdOptions> sgd_options(m, "SgdOptions", "Options of sgd (solvers.hpp).");
    stochastic(sgd_options);
    sgd_options.def_readwrite("momentum", &SgdOptions::momentum).def_readwrite("nesterov", &SgdOptions::nesterov);
    py::class_<AdamOptions> adam_options(m, "AdamOptions", "Options of adam (solvers.hpp).");
    stochastic(adam_options);
    adam_options.def_readwrite("beta1", &AdamOptions::beta1)
        .def_readwrite("beta2", &AdamOptions::beta2)
        .def_readwrite("eps", &AdamOptions::eps);

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
    const char* epoch_doc =
        "callback(epoch, fun, grad_norm, step, x, jac) is called for the start point and after every epoch, with "
        "the full data's cost and gradient; returning a false value other than None stops the run.";
    m.def(
        "sgd",
        [](const Cost& cost, const Vector& x0, const SgdOptions& options, const py::object& callback) {
            return solve(&descend::sgd, cost, x0, options, callback);
        },
        py::arg("cost"), py::arg("x0"), py::arg("options"), py::arg("callback") = py::none(), epoch_doc);
    m.def(
        "adam",
        [](const Cost& cost, const Vector& x0, const AdamOptions& options, const py::object& callback) {
            return solve(&descend::adam, cost, x0, options, callback);
        },
        py::arg("cost"), py::arg("x0"), py::arg("options"), py::arg("callback") = py::none(), epoch_doc);
}

}  // namespace descend::python
