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
    std::optional<Timestamp> handed_off_at; // last handoff not yet acknowledged
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

// Who does something, and when: every change to the log carries one.
struct Stamp {
    std::string actor;
    Timestamp at;
};

std::string_view to_string(Status status);
std::string_view to_string(Phase phase);
std::string_view to_string(Recurrence recurrence);

// Parsers return nothing for a value outside the enumeration.
std::optional<Status> parse_status(std::string_view text);
std::optional<Phase> parse_phase(std::string_view text);
std::optional<Recurrence> parse_recurrence(std::string_view text);

// True for "SEV1".."SEV4".
bool is_severity(std::string_view text);

} // namespace outage
