// descend._core: the C++ core, reached from Python. The public API is plain
// Python on top of this (python/descend); nothing here is meant for users directly.
#include "bindings.hpp"

#include "descend/interrupt.hpp"

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
    descend::python::bind_losses(m);
    descend::python::bind_cost(m);
    descend::python::bind_solvers(m);
    descend::python::bind_bench(m);
}
