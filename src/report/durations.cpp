#include "outage/report/durations.hpp"

#include "outage/model/events.hpp"
#include "outage/model/runbook.hpp"

namespace outage {
namespace {

using std::chrono::seconds;

// Spans never run backwards, even when OUTAGE_NOW replays events out of order.
seconds span(Timestamp from, Timestamp to) {
    return to > from ? to - from : seconds{0};
}

std::optional<seconds> since_open(const IncidentClock& clock, std::optional<Timestamp> at) {
    if (!clock.opened_at || !at)
        return std::nullopt;
    return span(*clock.opened_at, *at);
}

void end_stretch(IncidentClock& clock, Timestamp at) {
    if (clock.level_since && clock.severity)
        clock.periods.push_back({*clock.severity, *clock.level_since, at, false});
    clock.level_since.reset();
}

} // namespace

const std::vector<EventKind>& clock_event_kinds() {
    static const std::vector<EventKind> kinds = {
        EventKind::opened,   EventKind::assessed, EventKind::severity_changed, EventKind::closed,
        EventKind::reopened, EventKind::notice,   EventKind::notice_sent};
    return kinds;
}

void observe(IncidentClock& clock, const Event& event, const CustomerFacing& customer_facing) {
    auto kind = kind_of(event);
    if (!kind)
        return;
    // `stats` streams millions of events: a kind whose fields the clocks do not read is not
    // decoded at all.
    switch (*kind) {
    case EventKind::assessed:
        if (!clock.first_assessed_at)
            clock.first_assessed_at = event.at;
        return;
    case EventKind::closed:
        end_stretch(clock, event.at);
        if (clock.open_since)
            clock.open_before += span(*clock.open_since, event.at);
        clock.open_since.reset();
        clock.closed_at = event.at;
        return;
    case EventKind::reopened:
        ++clock.reopens;
        clock.closed_at.reset();
        clock.open_since = event.at;
        if (clock.severity)
            clock.level_since = event.at;
        return;
    case EventKind::notice:
        ++clock.notices;
        return;
    default:
        break;
    }
    // Counts read the log as it is: a row short of a field still counts
    // (docs/architecture.md#events-the-one-vocabulary).
    std::visit(Overloaded{
                   [&](const events::Opened& opened) {
                       clock.incident = event.incident_id;
                       clock.scenario = opened.scenario;
                       clock.opened_at = event.at;
                       clock.open_since = event.at;
                   },
                   [&](const events::SeverityChanged& changed) {
                       const std::string& to = changed.to;
                       if (severity_rank(to) == 0)
                           return;
                       end_stretch(clock, event.at);
                       clock.severity = to;
                       if (!clock.worst_severity ||
                           severity_rank(to) < severity_rank(*clock.worst_severity))
                           clock.worst_severity = to;
                       if (clock.open_since)
                           clock.level_since = event.at;
                   },
                   [&](const events::NoticeSent& sent) {
                       if (!clock.first_customer_notice_at && sent.sent > 0 &&
                           customer_facing(sent.audience))
                           clock.first_customer_notice_at = event.at;
                   },
                   [](const auto&) {},
               },
               decode(event, MissingField::empty));
}

Durations durations(const IncidentClock& clock, Timestamp now) {
    Durations result;
    result.to_assess = since_open(clock, clock.first_assessed_at);
    result.to_customer_notice = since_open(clock, clock.first_customer_notice_at);
    result.to_resolve = since_open(clock, clock.closed_at);
    result.open =
        clock.open_before + (clock.open_since ? span(*clock.open_since, now) : seconds{0});
    result.periods = clock.periods;
    if (clock.level_since && clock.severity)
        result.periods.push_back({*clock.severity, *clock.level_since, now, true});
    for (const auto& period : result.periods)
        result.per_level[period.level] += span(period.from, period.to);
    return result;
}

bool customer_facing_by_name(std::string_view audience) {
    return audience == "customers" || audience == "status-page";
}

} // namespace outage
