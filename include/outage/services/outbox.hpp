#pragma once

#include "outage/model/incident.hpp"
#include "outage/services/notify.hpp"
#include "outage/services/queued.hpp"
#include "outage/store/store.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace outage {

// What a flush did with one queued notice: its send, or why it could not be tried.
struct FlushedOutcome {
    NotifyResult result;
    std::optional<std::string> error; // the channel could not be built, the template is gone...
    QueuedNotice left;                // what the notice has still unsent after it
};

// Called as each queued notice is finished, so that a flush is reported as it goes.
using FlushedNotice = std::function<void(const NoticeRecord& notice, const FlushedOutcome&)>;

// Sends what may be sent of every queued notice, oldest first (`outbox --flush`): pending
// deliveries, failed ones whose retry time has come, and with `options.permanent_too` those
// the server refused. A notice that cannot be tried is reported and passed over; the rest
// are tried all the same.
void flush_outbox(Store& store, const NotifyEnvironment& env, const Stamp& stamp,
                  const SendOptions& options, const FlushedNotice& flushed);

} // namespace outage
