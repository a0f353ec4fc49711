#include "descend/losses.hpp"

#include <limits>
#include <string>
#include <stdexcept>

namespace descend {

LossKind parse_loss(const std::string& name) {
    std::string names;
#define DESCEND_LOSS_PARSE(Loss)                                \
    if (name == Loss::name) return LossKind::Loss;              \
    names += std::string(names.empty() ? "" : ", ") + "'" + Loss::name + "'";
    DESCEND_LOSSES(DESCEND_LOSS_PARSE)
#undef DESCEND_LOSS_PARSE
    throw std::invalid_argument("loss must be one of " + names + ", got '" + name + "'");
}

const char* loss_name(LossKind loss) {
    return with_loss(loss, [](auto l) { return decltype(l)::name; });
}

const char* loss_domain(LossKind loss) {
    return with_loss(loss, [](auto l) { return decltype(l)::domain; });
}

Eigen::ArrayXd squared_error(const Eigen::Ref<const Eigen::ArrayXd>& y,
                             const Eigen::Ref<const Eigen::ArrayXd>& y_pred) {
    return (y - y_pred).square();
}

Eigen::ArrayXd log_loss_probability(const Eigen::Ref<const Eigen::ArrayXd>& y,
                                    const Eigen::Ref<const Eigen::ArrayXd>& p) {
    // xlogy semantics: a term whose coefficient is 0 is 0 even where its log is −inf.
    Eigen::ArrayXd out(y.size());
    for (Eigen::Index i = 0; i < y.size(); ++i) {
        const double a = y[i] == 0.0 ? 0.0 : y[i] * std::log(p[i]);
        const double b = y[i] == 1.0 ? 0.0 : (1.0 - y[i]) * std::log1p(-p[i]);
        out[i] = -(a + b);
    }
    return out;
}

Eigen::ArrayXd log_loss_logit(const Eigen::Ref<const Eigen::ArrayXd>& y,
                              const Eigen::Ref<const Eigen::ArrayXd>& z) {
    Eigen::ArrayXd out(y.size());
    for (Eigen::Index i = 0; i < y.size(); ++i) out[i] = LogLoss::value(z[i], y[i]);
    return out;
}

}  // namespace descend
