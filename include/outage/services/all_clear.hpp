#pragma once

#include "outage/model/incident.hpp"
#include "outage/model/runbook.hpp"
#include "outage/services/notify.hpp"
#include "outage/store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace outage {

// One all-clear message that closing calls for: an audience told about the incident hears
// that it is over (the rule is in docs/decisions.md).
struct AllClear {
    std::string audience;
    std::string template_name;
    std::string channel;
    bool template_differs = false; // not the plan's template: notify needs --template
    bool outside_plan = false;     // the plan lacks the audience: notify needs --channel too
    std::int64_t last_notice = 0;  // the last notice the audience had
    std::optional<std::int64_t> recipients_of; // send to that notice's recipients
    std::int64_t recipients = 0;
    std::optional<std::string> note; // internal audiences: how it was resolved
    // The language of a notice that went to no one in particular (a phone message, a page):
    // its replacement speaks it too. Recipients reused keep their own.
    std::optional<std::string> lang;
    bool force = false;  // the severity is below the plan's minimum for the audience
    std::string blocked; // why it cannot be sent as it stands; empty when it can
    // What the audience's notices put up that stays until it is replaced ("the status page",
    // "the automatic reply to incoming e-mail"): sending this switches it back. Empty for a
    // message people read once.
    std::string switch_back;
    // The audience's last notice went after the close and said so (`resolved`): the all-clear
    // is recorded already, and only what is left of its deliveries is owed.
    std::optional<std::int64_t> sent_as;
};

// The all-clears due for a closed incident: the plan's audiences first, in plan order, then
// audiences outside the plan in the order they were first told. An audience whose notices
// stay up (status page, auto-reply, phone message) gets its own template again, now saying
// the incident is resolved, and a `switch_back`. `runbook` may be null (the
// runbook is gone or broken): then each audience's last notice gives template and channel.
std::vector<AllClear> plan_all_clears(Store& store, const Runbook* runbook,
                                      const Incident& incident);

// The notify call that sends an all-clear with the plan's defaults.
NotifyRequest all_clear_request(IncidentId id, const AllClear& clear);

} // namespace outage
