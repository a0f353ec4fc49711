// Cooperative interruption of long evaluations and fits.
//
// A host (the Python module) installs a hook that reports whether the user
// asked to stop (Ctrl-C). Long loops call poll_interrupt() from the thread
// that started them every few milliseconds of work; it throws Interrupted,
// which the host turns back into its own exception (KeyboardInterrupt).
#pragma once

#include <stdexcept>

namespace descend {

/// Returns true when the current computation should stop.
using InterruptHook = bool (*)();

/// Installs the hook (nullptr removes it). Not thread-safe against running computations.
void set_interrupt_hook(InterruptHook hook);
/// The installed hook, or nullptr.
InterruptHook interrupt_hook();

struct Interrupted : std::runtime_error {
    Interrupted() : std::runtime_error("interrupted") {}
};

/// Throws Interrupted if the hook says so.
inline void poll_interrupt() {
    if (InterruptHook hook = interrupt_hook(); hook != nullptr && hook()) throw Interrupted();
}

}  // namespace descend
