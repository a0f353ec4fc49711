// Pointwise losses on 1-D float64 arrays (the Python layer validates and reshapes).
#include "bindings.hpp"

namespace descend::python {

using ArrayRef = Eigen::Ref<const Eigen::ArrayXd>;

void bind_losses(py::module_& m) {
    m.def("squared_error", [](ArrayRef y, ArrayRef y_pred) { return descend::squared_error(y, y_pred); },
          py::arg("y"), py::arg("y_pred"), "(y − ŷ)² elementwise.");
    m.def("log_loss_probability", [](ArrayRef y, ArrayRef p) { return descend::log_loss_probability(y, p); },
          py::arg("y"), py::arg("p"), "−(y·log p + (1 − y)·log(1 − p)) elementwise, 0·log 0 = 0.");
    m.def("log_loss_logit", [](ArrayRef y, ArrayRef z) { return descend::log_loss_logit(y, z); },
          py::arg("y"), py::arg("z"), "log(1 + exp(z)) − y·z elementwise, exact for any finite z.");
    m.def(
        "loss_names",
        [] {
            py::list names;
#define DESCEND_LOSS_NAME(Loss) names.append(Loss::name);
            DESCEND_LOSSES(DESCEND_LOSS_NAME)
#undef DESCEND_LOSS_NAME
            return names;
        },
        "The names of the core's losses, in the order of its registry (DESCEND_LOSSES).");
    m.def("sigmoid", [](ArrayRef z) { return z.unaryExpr([](double t) { return descend::sigmoid(t); }).eval(); },
          py::arg("z"), "σ(z) = 1 / (1 + exp(−z)) elementwise, exact in both tails.");
}

}  // namespace descend::python
