#pragma once

#include "outage/model/incident.hpp"
#include "outage/services/notify.hpp"
#include "outage/store/store.hpp"

#include <functional>
#include <vector>

namespace outage {

// Called as each queued notice is finished, so that a flush is reported as it goes.
using FlushedNotice = std::function<void(const NoticeRecord& notice, const NotifyResult& result)>;

// Sends what is still pending or failed of every queued notice, oldest first
// (`outbox --flush`). An error stops the flush; the notices finished before it stay sent.
void flush_outbox(Store& store, const NotifyEnvironment& env, const Stamp& stamp,
                  const FlushedNotice& flushed);

} // namespace outage
