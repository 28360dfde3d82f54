#include "outage/services/queued.hpp"

namespace outage {

QueuedNotice queued_notice(Store& store, const NoticeRecord& notice) {
    constexpr int page = 1000;
    QueuedNotice queued{.notice = notice, .counts = store.delivery_counts(notice.id)};
    std::int64_t after = 0;
    while (true) {
        auto batch = store.unsent_deliveries(notice.id, after, page);
        for (const auto& delivery : batch) {
            after = delivery.id;
            bool claimed = delivery.claim.has_value();
            queued.sending += claimed;
            if (delivery.state != DeliveryState::failed) {
                queued.waiting += !claimed;
                continue;
            }
            queued.retrying += !claimed && !delivery.permanent;
            if (!queued.last_error)
                queued.last_error = delivery.last_error;
            if (delivery.permanent && !queued.refused)
                queued.refused = delivery.last_error;
            if (!delivery.permanent && delivery.retry_at &&
                (!queued.next_retry || *delivery.retry_at < *queued.next_retry))
                queued.next_retry = delivery.retry_at;
        }
        if (static_cast<int>(batch.size()) < page)
            break;
    }
    return queued;
}

std::vector<QueuedNotice> queued_notices(Store& store, std::optional<IncidentId> incident) {
    std::vector<QueuedNotice> queued;
    for (const auto& notice : store.notices_with_unsent())
        if (!incident || notice.incident_id == *incident)
            queued.push_back(queued_notice(store, notice));
    return queued;
}

} // namespace outage
