#pragma once

#include "outage/model/events.hpp"
#include "outage/model/incident.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

// One stretch of time an open incident spent at one severity level.
struct SeverityPeriod {
    std::string level; // SEV1..SEV4
    Timestamp from;
    Timestamp to;
    bool ongoing = false; // the incident is still open at this level: `to` is the report's now
};

// Tells which audiences are customer-facing (plan entries with customer-facing; by default
// `customers` and `status-page`).
using CustomerFacing = std::function<bool(std::string_view audience)>;

// The clocks of one incident, folded from its timeline one event at a time, so that `stats`
// can stream a log of millions of events and the report reads exactly the same numbers.
struct IncidentClock {
    IncidentId incident = 0;
    std::string scenario;
    std::optional<Timestamp> opened_at; // none: the `opened` event was not seen
    std::optional<Timestamp> first_assessed_at;
    std::optional<Timestamp> first_customer_notice_at; // first delivery sent to customers
    std::optional<Timestamp> closed_at;                // the last close, while closed
    std::optional<std::string> severity;               // the level now
    std::optional<std::string> worst_severity;         // the worst level ever set
    int reopens = 0;
    std::int64_t notices = 0;
    std::vector<SeverityPeriod> periods;  // finished stretches, oldest first
    std::optional<Timestamp> level_since; // the current stretch began (open and assessed)
    std::chrono::seconds open_before{};   // open time of earlier open/close cycles
    std::optional<Timestamp> open_since;  // the current open cycle began
};

// The event kinds observe() reads; a streaming reader can ask the store for these alone.
const std::vector<EventKind>& clock_event_kinds();

// Advances the clock by one event of its incident, in log order.
void observe(IncidentClock& clock, const Event& event, const CustomerFacing& customer_facing);

// The key durations of the post-incident report and of `stats`.
struct Durations {
    std::optional<std::chrono::seconds> to_assess;          // opened → first assessment
    std::optional<std::chrono::seconds> to_customer_notice; // opened → first customer notice
    std::optional<std::chrono::seconds> to_resolve;         // opened → last close, once closed
    std::chrono::seconds open{};                            // time spent open, all cycles
    std::map<std::string, std::chrono::seconds> per_level;  // SEV1..SEV4, only levels reached
    std::vector<SeverityPeriod> periods; // including the ongoing stretch of an open incident
};

// The durations at `now` (which ends the current stretch of an incident still open).
Durations durations(const IncidentClock& clock, Timestamp now);

// True for `customers` and `status-page`: customer-facing when no runbook says otherwise.
bool customer_facing_by_name(std::string_view audience);

} // namespace outage
