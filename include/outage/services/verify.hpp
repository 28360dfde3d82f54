#pragma once

#include "outage/model/incident.hpp"
#include "outage/model/state.hpp"
#include "outage/store/store.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

// `verify`: the hash chain, then the stored state against the projection of the events
// (model/state.hpp), incident by incident (docs/security.md, "The state").

namespace outage {

// An event stamped more than this before an event earlier in the log is flagged (a warning,
// not a failure): clocks of one machine do not go back that far, a command back-dated with
// OUTAGE_NOW does, and tests and replays do that on purpose.
inline constexpr std::chrono::minutes clock_tolerance{5};

// A fact whose stored value is not what the events say.
struct StateDifference {
    IncidentId incident = 0;
    std::string field;    // "severity", "deadline insurer met_at", "notice 3 deliveries"
    nlohmann::json log;   // null: the log does not have it
    nlohmann::json table; // null: the table does not have it
};

// A fact the events of an earlier outage do not carry (a note, never a failure).
struct UnprovenFact {
    IncidentId incident = 0;
    FactName fact;
    std::int64_t event = 0; // the event that lacks it
};

// A send whose deliveries the table shows further along than the notice's last event: the
// process stopped between its last message and its notice_sent event.
struct InterruptedSend {
    IncidentId incident = 0;
    std::int64_t notice = 0;
    DeliveryCounts log;
    DeliveryCounts table;
};

// An event stamped more than clock_tolerance before an earlier one.
struct ClockJump {
    IncidentId incident = 0;
    std::int64_t event = 0;
    std::string kind;
    Timestamp at;
    std::int64_t earlier_event = 0; // the earlier event with the latest time
    Timestamp earlier_at;
};

// What comparing incidents' tables with their events found.
struct StateCheck {
    std::int64_t incidents = 0;
    std::vector<StateDifference> differences;
    std::vector<std::string> problems; // events that make no sense, incidents without events
    std::vector<UnprovenFact> unproven;
    std::vector<InterruptedSend> interrupted;
    bool matches() const { return differences.empty() && problems.empty(); }
    void add(StateCheck other);
};

struct VerifyResult {
    ChainCheck chain;
    std::optional<std::string> head_wanted;
    std::optional<std::int64_t> head_event; // the event whose hash is head_wanted
    std::int64_t events_since_head = 0;
    std::vector<ClockJump> clock_jumps; // flagged, not failed
    StateCheck state;
    bool ok() const {
        return !chain.first_mismatch && (!head_wanted || head_event) && state.matches();
    }
};

// Checks the chain, that it still holds the event whose hash is `head` (kept elsewhere),
// every event's time and every incident's stored state. Stops after the chain when the
// chain is broken: events that were edited prove nothing.
VerifyResult verify_log(Store& store, const std::optional<std::string>& head);

// How much of an incident's stored state `check_incident` compares: its row (what `show`
// and `export` print), or everything verify compares (what `report` prints).
enum class StateScope { incident, full };

// Compares one incident's stored state with the projection of `timeline`, its events. Throws
// Error(runtime) naming an event that cannot be read.
StateCheck check_incident(Store& store, const Incident& incident,
                          const std::vector<Event>& timeline, StateScope scope);

// The same for each of `incidents`, reading its timeline (`export`).
StateCheck check_incidents(Store& store, const std::vector<Incident>& incidents, StateScope scope);

// Error(runtime) naming the first difference or problem, for the commands that print an
// incident (`show`, `report`, `export`): they refuse a state its events do not give.
void require_matching_state(const StateCheck& check);

// "incident 3: severity is "SEV2" in the log, "SEV1" in the table".
std::string describe(const StateDifference& difference);

} // namespace outage
