#pragma once

#include "outage/model/events.hpp"
#include "outage/model/incident.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// An incident's state as a projection of its timeline: what each event does to the incident,
// its assessments, steps, deadlines and notices, written once (docs/architecture.md#the-state-
// is-a-projection-of-the-timeline). `verify`, `show`, `report` and `export` replay the events
// and compare the result with the tables the writers keep.

namespace outage {

// One notice as its events tell it, or as the notices and deliveries tables hold it.
struct NoticeState {
    std::int64_t id = 0;
    std::string audience;
    std::string template_name;
    std::string channel;
    Timestamp created_at{};
    std::string actor;
    std::optional<std::string> identity;
    std::optional<std::string> fields_digest;     // SHA-256 of the values filled in
    std::int64_t recipients = 0;                  // deliveries recorded with the notice
    std::optional<std::string> recipients_digest; // SHA-256 of who, in which language
    DeliveryCounts counts;                        // where the deliveries stand
    std::optional<std::string> states_digest;     // the same, delivery by delivery
    std::int64_t event = 0; // the event that last told of its deliveries (log side only)
};

// A fact of the state, as verify names it: `record` is empty for the incident's own fields
// ("severity"), else the record it belongs to ("deadline insurer", "notice 3", "step
// power-off", "assessment 2").
using FactName = std::pair<std::string, std::string>;

struct Fact {
    FactName name;
    nlohmann::json value; // null when absent; times as ISO 8601 UTC, enumerations by name
};

struct IncidentState {
    Incident incident;
    bool opened = false; // the log has its `opened` event
    UpdateClocks clocks;
    std::vector<AssessmentRecord> assessments; // oldest first
    std::vector<StepProgress> steps;
    std::vector<Deadline> deadlines;
    std::vector<NoticeState> notices; // by id
    // Facts an earlier outage's events do not carry (a version-1 payload), with the event
    // that lacks it: they cannot be proven from the log (docs/security.md).
    std::map<FactName, std::int64_t> unproven;
    // Events that make no sense where they stand (an event before `opened`, a send of a
    // notice never recorded): only an edited log has them.
    std::vector<std::string> anomalies;
};

// What an event stamped `at` does to the incident's own fields. The services that change an
// incident apply the event they record to the row they save, so the two cannot disagree.
void apply(Incident& incident, Timestamp at, const EventPayload& payload);

// Applies one event of the incident, decoded, to its whole state (the incident's fields as
// above, its assessments, steps, deadlines and notices): the one place that says what each
// kind of event does to the stored state.
void apply(IncidentState& state, const Event& event, const EventPayload& payload);

// The state after the incident's timeline, oldest event first. Throws Error(runtime) naming
// an event that cannot be read.
IncidentState project(IncidentId id, const std::vector<Event>& timeline);

// Every fact of the state verify compares, each record's fields one by one; a notice's
// delivery counts and states are not among them (they are compared by how a send moves them).
std::vector<Fact> facts(const IncidentState& state);

} // namespace outage
