#pragma once

#include "outage/model/names.hpp"
#include "outage/model/time.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
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
    std::vector<std::string> actions;      // prevention actions recorded at close
    std::optional<std::string> workaround; // as last told to people outside
};

// The update clocks of an incident: each audience that a message promised "next update by T",
// with T (docs/architecture.md#update-clocks). The audience `first_update` ("") is the first
// update an assessment asks for, before any message has promised a time.
using UpdateClocks = std::map<std::string, Timestamp>;
inline const std::string first_update;

// The clock that runs out first; nothing when none runs.
inline std::optional<Timestamp> earliest(const UpdateClocks& clocks) {
    std::optional<Timestamp> result;
    for (const auto& [audience, due] : clocks)
        if (!result || due < *result)
            result = due;
    return result;
}

// One audience's update clock that ran out.
struct OverdueClock {
    IncidentId incident_id = 0;
    std::string audience;
    Timestamp due_at;
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

// One notify call as recorded: who it went to is in its deliveries.
struct NoticeRecord {
    std::int64_t id = 0;
    IncidentId incident_id = 0;
    std::string identity; // digest of the call, so the same call again resumes this notice
    std::string audience;
    std::string template_name;
    std::string channel;
    nlohmann::json fields = nlohmann::json::object(); // the values filled in, as sent
    Timestamp created_at;
    std::string actor;
};

enum class DeliveryState { pending, sent, failed };

// A sender's hold on a delivery while its message goes out: committed before the message
// leaves, so every other sender skips the delivery (docs/notify.md#claims).
struct Claim {
    std::string host;
    std::int64_t pid = 0;
    std::int64_t started = 0; // the process's start time, which a reused pid does not share
    Timestamp at;
    friend bool operator==(const Claim&, const Claim&) = default;
};

// One message of a notice to one recipient.
struct DeliveryRecord {
    std::int64_t id = 0;
    std::int64_t notice_id = 0;
    std::string recipient; // address, webhook name, or empty
    std::string lang;
    nlohmann::json columns = nlohmann::json::object(); // the recipient's CSV columns
    DeliveryState state = DeliveryState::pending;
    int attempts = 0;
    std::optional<std::string> last_error;
    std::optional<Claim> claim; // who is sending it now
    // The file channel wrote its message where no pickup job looks, durably, and has still
    // to move it into the outbox (docs/notify.md#claims).
    bool staged = false;
    bool permanent = false;            // failed: the server refused it; tried again only when asked
    std::optional<Timestamp> retry_at; // failed: a later send waits until then
};

struct DeliveryCounts {
    std::int64_t pending = 0;
    std::int64_t sent = 0;
    std::int64_t failed = 0;
    std::int64_t permanent = 0; // of the failed, those the server refused
};

// Who does something, and when: every change to the log carries one.
struct Stamp {
    std::string actor;
    Timestamp at;
};

inline constexpr NameTable status_names{std::pair{Status::open, "open"},
                                        std::pair{Status::closed, "closed"}};
inline constexpr NameTable phase_names{
    std::pair{Phase::investigating, "investigating"}, std::pair{Phase::identified, "identified"},
    std::pair{Phase::monitoring, "monitoring"}, std::pair{Phase::resolved, "resolved"}};
inline constexpr NameTable recurrence_names{std::pair{Recurrence::likely, "likely"},
                                            std::pair{Recurrence::unlikely, "unlikely"},
                                            std::pair{Recurrence::unknown, "unknown"}};
inline constexpr NameTable step_state_names{std::pair{StepState::done, "done"},
                                            std::pair{StepState::skipped, "skipped"}};
inline constexpr NameTable delivery_state_names{std::pair{DeliveryState::pending, "pending"},
                                                std::pair{DeliveryState::sent, "sent"},
                                                std::pair{DeliveryState::failed, "failed"}};

inline std::string_view to_string(Status status) {
    return status_names.name(status);
}
inline std::string_view to_string(Phase phase) {
    return phase_names.name(phase);
}
inline std::string_view to_string(Recurrence recurrence) {
    return recurrence_names.name(recurrence);
}
inline std::string_view to_string(StepState state) {
    return step_state_names.name(state);
}
inline std::string_view to_string(DeliveryState state) {
    return delivery_state_names.name(state);
}

// Parsers return nothing for a value outside the enumeration.
inline std::optional<Status> parse_status(std::string_view text) {
    return status_names.parse(text);
}
inline std::optional<Phase> parse_phase(std::string_view text) {
    return phase_names.parse(text);
}
inline std::optional<Recurrence> parse_recurrence(std::string_view text) {
    return recurrence_names.parse(text);
}
inline std::optional<StepState> parse_step_state(std::string_view text) {
    return step_state_names.parse(text);
}

} // namespace outage
