#pragma once

#include "outage/model/incident.hpp"
#include "outage/store/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace outage {

// A notice with deliveries still queued or failed, and where they stand.
struct QueuedNotice {
    NoticeRecord notice;
    DeliveryCounts counts;
    std::optional<std::string> last_error; // of its first failed delivery
    std::int64_t sending = 0;              // claimed by a sender now
    std::int64_t waiting = 0;              // pending, not claimed
    std::int64_t retrying = 0;             // failed for a passing reason, not claimed
    std::optional<Timestamp> next_retry;   // the earliest a failed one is tried again
    std::optional<std::string> refused;    // the server's word on its first permanent failure
};

// Where the notice's unsent deliveries stand.
QueuedNotice queued_notice(Store& store, const NoticeRecord& notice);

// Every notice with deliveries still pending or failed, oldest first, or only the incident's
// (`outbox`, `brief`, `due`).
std::vector<QueuedNotice> queued_notices(Store& store,
                                         std::optional<IncidentId> incident = std::nullopt);

} // namespace outage
