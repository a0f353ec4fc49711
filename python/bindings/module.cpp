// descend._core: the C++ core, reached from Python. The public API is plain
// Python on top of this (python/descend); nothing here is meant for users directly.
#include "bindings.hpp"

#include "descend/config.hpp"
#include "descend/interrupt.hpp"

#include <pybind11/stl.h>

#include <thread>

namespace {

std::thread::id main_thread;

// Ctrl-C: Python's own signal handler only flags the signal; running the
// handler (which raises KeyboardInterrupt) needs the GIL, on the main thread.
bool python_interrupt_requested() {
    if (std::this_thread::get_id() != main_thread) return false;
    pybind11::gil_scoped_acquire gil;
    return PyErr_CheckSignals() != 0;  // the KeyboardInterrupt stays set for the translator
}

}  // namespace

PYBIND11_MODULE(_core, m, pybind11::mod_gil_not_used()) {
    m.doc() = "descend's C++ core (private: use the descend package)";
    main_thread = std::this_thread::get_id();
    descend::set_interrupt_hook(&python_interrupt_requested);
    pybind11::register_exception_translator([](std::exception_ptr error) {
        try {
            if (error) std::rethrow_exception(error);
        } catch (const descend::Interrupted&) {
            if (PyErr_Occurred() == nullptr) PyErr_SetNone(PyExc_KeyboardInterrupt);
        }
    });
    // The kernels' level is chosen now, so that a DESCEND_LEVEL that names no level fails the
    // import with its message rather than the first evaluation.
    descend::kernel_config();
    m.def(
        "kernel_config",
        [] {
            const descend::KernelConfig c = descend::kernel_config();
            pybind11::dict out;
            out["level"] = c.level;
            out["reason"] = c.reason;
            out["compiled"] = c.compiled;
            out["supported"] = c.supported;
            return out;
        },
        "The kernels' level in use and why, and the levels compiled and supported (descend/config.hpp).");
    m.def("set_kernel_level", &descend::set_kernel_level, pybind11::arg("level"),
          "Uses `level` ('baseline', 'avx', 'avx2', 'avx512', 'native' or 'best') from now on.");
    m.def("config_report", &descend::config_report, "The configuration in words.");
    descend::python::bind_losses(m);
    descend::python::bind_cost(m);
    descend::python::bind_solvers(m);
    descend::python::bind_bench(m);
}
