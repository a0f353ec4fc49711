#include "descend/interrupt.hpp"

#include <atomic>

namespace descend {
namespace {
std::atomic<InterruptHook> installed_hook{nullptr};
}

void set_interrupt_hook(InterruptHook hook) { installed_hook.store(hook); }
InterruptHook interrupt_hook() { return installed_hook.load(std::memory_order_relaxed); }

}  // namespace descend
