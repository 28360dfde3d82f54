#pragma once

#include "outage/model/incident.hpp"
#include "outage/model/runbook.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/queued.hpp"
#include "outage/store/store.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace outage {

// Marks a runbook step done or skipped on an open incident. Throws Error(not_found) for a
// step the runbook lacks and Error(conflict) when the step is already in that state.
StepProgress mark_step(Store& store, const Runbook& runbook, IncidentId id,
                       const std::string& step_id, StepState state,
                       const std::optional<std::string>& note, const Stamp& stamp);

// The runbook steps that apply at the incident's severity, are not optional, and are neither
// done nor skipped, in runbook order.
std::vector<const Step*> unfinished_steps(const Runbook& runbook, const Incident& incident,
                                          const std::vector<StepProgress>& progress);
// The same, with the progress as the log has it (`close`).
std::vector<const Step*> unfinished_steps(Store& store, const Runbook& runbook,
                                          const Incident& incident);

// The steps that apply at the incident's severity (all of them before the first assessment),
// each with what has been done about it, as the log has it (`steps`).
std::vector<StepView> incident_steps(Store& store, const Runbook& runbook,
                                     const Incident& incident);

// How long a new owner has to acknowledge a handover before `due` lists it.
inline constexpr std::chrono::minutes handover_ack_window{15};

// The open incidents among `incidents` whose handover has waited longer than the window for
// `ack`, longest waiting first.
std::vector<Incident> unacknowledged_handovers(std::vector<Incident> incidents, Timestamp now);

// An update an audience was promised (or, for `first_update`, the first one an assessment
// asked for) whose time has come.
struct OverdueUpdate {
    Incident incident;
    std::string audience;
    Timestamp due_at;
};

// The open incidents among `incidents` that nobody has assessed within `assess_within` of
// their opening, longest waiting first.
std::vector<Incident> unassessed_incidents(std::vector<Incident> incidents, Timestamp now,
                                           std::chrono::seconds assess_within);

// What `due` reports: incidents nobody assessed, updates owed, handovers nobody has
// acknowledged, and deadlines missed or close.
struct DueReport {
    std::vector<Incident> unassessed;      // longest waiting first
    std::vector<OverdueUpdate> overdue;    // each audience's clock at or past its time, most
                                           // overdue first
    std::vector<Incident> unacknowledged;  // longest waiting first
    std::vector<Deadline> deadlines;       // unmet, due before now + horizon, earliest first;
                                           // closed incidents' too
    std::vector<QueuedNotice> undelivered; // notices with failed deliveries, oldest first
};
DueReport due_report(Store& store, Timestamp now, std::chrono::seconds horizon,
                     const SeverityScale& scale);

} // namespace outage
