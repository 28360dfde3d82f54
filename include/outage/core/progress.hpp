#pragma once

#include "outage/core/incident.hpp"
#include "outage/core/runbook.hpp"
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

// Records a running deadline as met. Throws Error(not_found) for a deadline the runbook lacks
// and Error(conflict) for one that is not running or already met.
Deadline meet_deadline(Store& store, const Runbook& runbook, IncidentId id, const std::string& name,
                       const std::optional<std::string>& note, const Stamp& stamp);

// What `due` reports: updates owed and deadlines missed or close.
struct DueReport {
    std::vector<Incident> overdue;   // most overdue first
    std::vector<Deadline> deadlines; // unmet, due before now + horizon, earliest first
};
DueReport due_report(Store& store, Timestamp now, std::chrono::seconds horizon);

} // namespace outage
