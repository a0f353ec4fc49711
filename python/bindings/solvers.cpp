// Solvers: bound in the solvers issue.
#include "bindings.hpp"

namespace descend::python {

void bind_solvers(py::module_&) {}

}  // namespace descend::python
