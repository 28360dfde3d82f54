#pragma once

#include "outage/services/notice_templates.hpp"
#include "outage/services/notify.hpp"

#include <chrono>

namespace outage {

// A claim taken on another host is taken over once it is this old: that host's sender cannot
// be asked whether it still runs (docs/notify.md#claims).
inline constexpr std::chrono::minutes claim_lease{15};
// A send stops after this many messages in a row time out: the server has stalled, and each
// further message would cost the whole timeout again.
inline constexpr int stall_budget = 3;

// How long a delivery that failed for the `attempts`th time waits before a flush tries it
// again: a minute, doubling with each attempt, at most an hour.
std::chrono::seconds retry_delay(int attempts);

// Sends the notice's deliveries this send may claim through `channel`: each is claimed in a
// committed transaction before its message leaves, then marked sent or failed (a permanent
// failure is kept from later sends unless they ask, a transient one waits retry_delay), and
// a notice_sent event is recorded when any was tried (docs/notify.md#claims). Marks are
// committed per message for e-mail and webhooks, per batch for stdout, and the file channel
// stages each batch before moving it into the outbox. Sets the notice, what was attempted,
// the counts after and, when the stall budget stopped it, why, in `result`.
void send_notice(Store& store, const NotifyEnvironment& env, const NoticeRecord& notice,
                 Channel& channel, TemplatesByLanguage& templates, const Stamp& stamp,
                 const Progress& progress, const SendOptions& options, NotifyResult& result);

// Records the notice_sent event of a send that tried `result.attempted` messages, with the
// counts and states read under the lock, and sets them in `result`.
void record_notice_sent(Store& store, const NoticeRecord& notice, const Stamp& stamp,
                        NotifyResult& result);

} // namespace outage
