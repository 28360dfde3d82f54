#pragma once

#include "outage/services/notice_templates.hpp"
#include "outage/services/notify.hpp"

namespace outage {

// Renders and sends the notice's deliveries still pending or failed through `channel`,
// marking each sent or failed with the channel's error, then records a notice_sent event
// when it tried any. Marks are committed per message for e-mail and webhooks, in batches for
// the file and stdout channels, whose writes are idempotent by name. Sets the notice, what
// was attempted and the counts after in `result`.
void send_notice(Store& store, const NotifyEnvironment& env, const NoticeRecord& notice,
                 Channel& channel, TemplatesByLanguage& templates, const Stamp& stamp,
                 const Progress& progress, NotifyResult& result);

} // namespace outage
