// Logistic regression's cost, gradient and Hessian on a tiny dataset, through
// the installed library. Prints `value`, `gradient` and `hessian` lines.
#include <descend/check.hpp>
#include <descend/config.hpp>
#include <descend/cost.hpp>
#include <descend/losses.hpp>

#include <iomanip>
#include <iostream>

int main() {
    Eigen::MatrixXd X(6, 2);
    X << 0.5, 1.0,  //
        1.5, -0.5,  //
        -1.0, 2.0,  //
        2.0, 0.0,   //
        -0.5, -1.5, //
        1.0, 1.0;
    Eigen::VectorXd y(6);
    y << 0, 1, 0, 1, 0, 1;

    descend::LinearModelOptions options;
    options.loss = descend::LossKind::LogLoss;
    options.l2 = 0.1;
    const descend::LinearModelCost cost(descend::view(X), y, options);

    Eigen::VectorXd w(cost.dim()), g;
    w << 0.3, -0.2, 0.1;
    Eigen::MatrixXd H;
    const double value = cost.value_gradient_hessian(w, g, H);

    std::cout << std::setprecision(17) << "value " << value << "\ngradient";
    for (Eigen::Index i = 0; i < g.size(); ++i) std::cout << ' ' << g[i];
    std::cout << "\nhessian";
    for (Eigen::Index i = 0; i < H.size(); ++i) std::cout << ' ' << H.data()[i];
    std::cout << "\ncheck_error " << descend::check_gradient(cost, w).error << "\n";
    std::cout << "level " << descend::kernel_config().level << "\n";
    return descend::check_gradient(cost, w).ok ? 0 : 1;
}
