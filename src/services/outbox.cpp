#include "outage/services/outbox.hpp"

namespace outage {

std::vector<QueuedNotice> queued_notices(Store& store) {
    std::vector<QueuedNotice> queued;
    for (const auto& notice : store.notices_with_unsent()) {
        auto unsent = store.unsent_deliveries(notice.id, 0, 1);
        queued.push_back({notice, store.delivery_counts(notice.id),
                          unsent.empty() ? std::nullopt : unsent.front().last_error});
    }
    return queued;
}

void flush_outbox(Store& store, const NotifyEnvironment& env, const Stamp& stamp,
                  const FlushedNotice& flushed) {
    for (const auto& notice : store.notices_with_unsent())
        flushed(notice, resume_notice(store, env, notice.id, stamp, {}));
}

} // namespace outage
