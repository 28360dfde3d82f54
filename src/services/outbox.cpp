#include "outage/services/outbox.hpp"

namespace outage {

void flush_outbox(Store& store, const NotifyEnvironment& env, const Stamp& stamp,
                  const FlushedNotice& flushed) {
    for (const auto& notice : store.notices_with_unsent())
        flushed(notice, resume_notice(store, env, notice.id, stamp, {}));
}

} // namespace outage
