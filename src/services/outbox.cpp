#include "outage/services/outbox.hpp"

#include "outage/model/error.hpp"

namespace outage {

void flush_outbox(Store& store, const NotifyEnvironment& env, const Stamp& stamp,
                  const SendOptions& options, const FlushedNotice& flushed) {
    for (const auto& notice : store.notices_with_unsent()) {
        FlushedOutcome outcome;
        try {
            outcome.result = resume_notice(store, env, notice.id, stamp, {}, options);
        } catch (const Error& e) {
            // One notice's broken channel (a password variable unset) must not keep the
            // others queued behind it.
            outcome.result.notice_id = notice.id;
            outcome.result.counts = store.delivery_counts(notice.id);
            outcome.error = e.what();
        }
        outcome.left = queued_notice(store, notice);
        flushed(notice, outcome);
    }
}

} // namespace outage
