#pragma once

#include "outage/model/incident.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/store/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace outage {

struct OpenRequest {
    std::string scenario;
    std::string title;
    std::vector<std::string> services;
    std::optional<std::int64_t> affected;
    std::optional<std::string> owner; // the actor when not given
    std::optional<std::string> dedup_key;
    std::optional<std::string> note;
};

struct OpenResult {
    Incident incident;
    bool retriggered = false; // an open incident with the same dedup key took the alert
};

// An open request checked against its scenario's runbook, ready to record.
struct OpenPlan {
    OpenRequest request; // services without duplicates
    Runbook runbook;
};

// Checks the request's values and loads its runbook, touching no log: Error(usage) for a bad
// value, Error(not_found) for an unknown scenario, Error(invalid_content) for a broken runbook.
OpenPlan plan_open(const RunbookPath& runbooks, const OpenRequest& request);

// Opens an incident and starts the runbook's unconditional deadlines, or records a
// re-trigger on the open incident that has the same dedup key.
OpenResult open_incident(Store& store, const OpenPlan& plan, const Stamp& stamp);

struct UpdateRequest {
    std::optional<Phase> phase;
    std::optional<std::string> note;
    std::optional<Timestamp> eta;
    std::optional<std::int64_t> affected;
};

// Records progress on an open incident; a note is an update, so the next one falls due an
// update interval later. Throws Error(usage) when the request changes nothing.
Incident update_incident(Store& store, IncidentId id, const UpdateRequest& request,
                         const Stamp& stamp);

struct HandoffRequest {
    std::string to;
    std::string note;
};

// Makes `to` the owner, with a note for them; the handover stays unacknowledged until `ack`.
Incident hand_off(Store& store, IncidentId id, const HandoffRequest& request, const Stamp& stamp);

// What `ack` found: with no handover waiting nothing is recorded.
struct AckResult {
    Incident incident;
    std::optional<Timestamp> handed_off_at; // the handover acknowledged, if one was waiting
};

// Records that the owner has taken the incident over after a handoff (an `acknowledged`
// event) and clears the waiting handover. Throws Error(conflict) for a closed incident and
// when someone other than the owner acknowledges.
AckResult acknowledge(Store& store, IncidentId id, const Stamp& stamp);

struct CloseRequest {
    std::string resolution;
    std::optional<std::string> root_cause;
    std::optional<Recurrence> recurrence;
    std::vector<std::string> actions;
};

// Closes an open incident with its resolution; the prevention actions add to earlier ones.
Incident close_incident(Store& store, IncidentId id, const CloseRequest& request,
                        const Stamp& stamp);

// Opens a closed incident again; its resolution is cleared, its history kept.
Incident reopen_incident(Store& store, IncidentId id, const std::string& note, const Stamp& stamp);

// The incident, or Error(not_found).
Incident require_incident(Store& store, IncidentId id);

// The incident when it is open; Error(conflict) saying it cannot `action` it when closed.
Incident require_open(Store& store, IncidentId id, std::string_view action);

} // namespace outage
