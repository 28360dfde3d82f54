#include "outage/report/durations.hpp"

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

std::string text_field(const nlohmann::json& payload, const char* key) {
    auto it = payload.find(key);
    return it != payload.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void end_stretch(IncidentClock& clock, Timestamp at) {
    if (clock.level_since && clock.severity)
        clock.periods.push_back({*clock.severity, *clock.level_since, at, false});
    clock.level_since.reset();
}

} // namespace

const std::vector<std::string>& clock_event_kinds() {
    static const std::vector<std::string> kinds = {
        "opened", "assessed", "severity_changed", "closed", "reopened", "notice", "notice_sent"};
    return kinds;
}

void observe(IncidentClock& clock, const Event& event, const CustomerFacing& customer_facing) {
    const auto& p = event.payload;
    if (!p.is_object())
        return;
    if (event.kind == "opened") {
        clock.incident = event.incident_id;
        clock.scenario = text_field(p, "scenario");
        clock.opened_at = event.at;
        clock.open_since = event.at;
    } else if (event.kind == "assessed") {
        if (!clock.first_assessed_at)
            clock.first_assessed_at = event.at;
    } else if (event.kind == "severity_changed") {
        std::string to = text_field(p, "to");
        if (severity_rank(to) == 0)
            return;
        end_stretch(clock, event.at);
        clock.severity = to;
        if (!clock.worst_severity || severity_rank(to) < severity_rank(*clock.worst_severity))
            clock.worst_severity = to;
        if (clock.open_since)
            clock.level_since = event.at;
    } else if (event.kind == "closed") {
        end_stretch(clock, event.at);
        if (clock.open_since)
            clock.open_before += span(*clock.open_since, event.at);
        clock.open_since.reset();
        clock.closed_at = event.at;
    } else if (event.kind == "reopened") {
        ++clock.reopens;
        clock.closed_at.reset();
        clock.open_since = event.at;
        if (clock.severity)
            clock.level_since = event.at;
    } else if (event.kind == "notice") {
        ++clock.notices;
    } else if (event.kind == "notice_sent") {
        auto sent = p.find("sent");
        if (!clock.first_customer_notice_at && sent != p.end() && sent->is_number_integer() &&
            sent->get<std::int64_t>() > 0 && customer_facing(text_field(p, "audience")))
            clock.first_customer_notice_at = event.at;
    }
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
