#include "outage/services/queued.hpp"

namespace outage {

std::vector<QueuedNotice> queued_notices(Store& store, std::optional<IncidentId> incident) {
    std::vector<QueuedNotice> queued;
    for (const auto& notice : store.notices_with_unsent()) {
        if (incident && notice.incident_id != *incident)
            continue;
        auto unsent = store.unsent_deliveries(notice.id, 0, 1);
        queued.push_back({notice, store.delivery_counts(notice.id),
                          unsent.empty() ? std::nullopt : unsent.front().last_error});
    }
    return queued;
}

} // namespace outage
