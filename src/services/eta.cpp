#include "outage/services/eta.hpp"

#include "outage/model/error.hpp"

#include <fmt/format.h>

namespace outage {

void check_eta(Timestamp eta, Timestamp now) {
    if (eta < now)
        throw Error(Exit::usage, fmt::format("--eta {} has already passed (it is now {})",
                                             format_local(eta), format_local(now)));
}

void check_eta(const Incident& incident, Timestamp eta, Timestamp now) {
    check_eta(eta, now);
    if (eta < incident.opened_at)
        throw Error(Exit::usage,
                    fmt::format("--eta {} is before incident {} opened ({})", format_local(eta),
                                incident.id, format_local(incident.opened_at)));
}

} // namespace outage
