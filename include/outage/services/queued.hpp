#pragma once

#include "outage/model/incident.hpp"
#include "outage/store/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace outage {

// A notice with deliveries still queued or failed.
struct QueuedNotice {
    NoticeRecord notice;
    DeliveryCounts counts;
    std::optional<std::string> last_error; // of its first unsent delivery
};

// Every notice with deliveries still pending or failed, oldest first, or only the incident's
// (`outbox`, `brief`).
std::vector<QueuedNotice> queued_notices(Store& store,
                                         std::optional<IncidentId> incident = std::nullopt);

} // namespace outage
