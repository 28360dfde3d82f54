#pragma once

#include "outage/core/time.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

using IncidentId = std::int64_t;

enum class Status { open, closed };

// Where the response stands while the incident is open (Statuspage's vocabulary).
enum class Phase { investigating, identified, monitoring, resolved };

enum class Recurrence { likely, unlikely, unknown };

// One incident as the log holds it now; its history is the timeline of Events.
struct Incident {
    IncidentId id = 0;
    std::string title;
    std::string scenario;
    Status status = Status::open;
    Phase phase = Phase::investigating;
    std::optional<std::string> severity; // "SEV1".."SEV4" once assessed
    std::optional<std::string> owner;
    std::vector<std::string> services;
    std::optional<std::int64_t> affected;
    std::optional<std::string> dedup_key;
    std::optional<Timestamp> eta;
    Timestamp opened_at;
    std::optional<Timestamp> closed_at;
    std::optional<Timestamp> next_update_due;
    std::optional<std::chrono::seconds> update_interval; // from the last assessment
    std::optional<Timestamp> handed_off_at;              // last handoff not yet acknowledged
    std::optional<std::string> resolution;
    std::optional<std::string> root_cause;
    std::optional<Recurrence> recurrence;
    std::vector<std::string> actions; // prevention actions recorded at close
};

// One fact on the timeline. The payload holds the kind's own fields (docs/cli.md lists them).
struct Event {
    std::int64_t id = 0;
    IncidentId incident_id = 0;
    Timestamp at;
    std::string kind;
    std::string actor;
    nlohmann::json payload = nlohmann::json::object();
    std::string hash; // SHA-256 chained to the previous event (store/hash_chain)
};

// One assessment as recorded: the answers, the severity they gave and the rule that decided.
struct AssessmentRecord {
    IncidentId incident_id = 0;
    Timestamp at;
    std::string actor;
    nlohmann::json answers = nlohmann::json::object(); // question id -> answer
    std::string severity;
    std::string rule;
};

enum class StepState { done, skipped };

// What has been done about one runbook step.
struct StepProgress {
    std::string step_id;
    StepState state = StepState::done;
    std::optional<std::string> note;
    Timestamp at;
    std::string actor;
};

// A running clock of a runbook deadline on one incident.
struct Deadline {
    IncidentId incident_id = 0;
    std::string name;  // the runbook's deadline id
    std::string title; // kept with the clock so it reads the same if the runbook changes
    Timestamp started_at;
    Timestamp due_at;
    std::optional<Timestamp> met_at;
    std::optional<std::string> note;
};

// Who does something, and when: every change to the log carries one.
struct Stamp {
    std::string actor;
    Timestamp at;
};

std::string_view to_string(Status status);
std::string_view to_string(Phase phase);
std::string_view to_string(Recurrence recurrence);
std::string_view to_string(StepState state);

// Parsers return nothing for a value outside the enumeration.
std::optional<Status> parse_status(std::string_view text);
std::optional<Phase> parse_phase(std::string_view text);
std::optional<Recurrence> parse_recurrence(std::string_view text);

} // namespace outage
