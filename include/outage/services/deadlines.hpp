#pragma once

#include "outage/model/incident.hpp"
#include "outage/model/runbook.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/store/store.hpp"

#include <optional>
#include <string>
#include <vector>

// Deadline clocks after they start: met by hand (`deadline --met`), met by a delivered notice
// (a runbook deadline's `met-by`), and those still running. A deadline outlives its incident:
// none of these asks whether the incident is open (docs/decisions.md, "Promises kept
// (issue 11)").

namespace outage {

// Records a running deadline as met: at `met_at` when given (`--at`), else at the stamp's
// time; the deadline_met event carries `met_at` only when it was given. Works on closed
// incidents. Throws Error(not_found) for a deadline the runbook lacks, Error(conflict) for one
// that is not running or already met, and Error(usage) for a `met_at` after the stamp's time
// or before the deadline's clock started.
Deadline meet_deadline(Store& store, const Runbook& runbook, IncidentId id, const std::string& name,
                       const std::optional<std::string>& note,
                       const std::optional<Timestamp>& met_at, const Stamp& stamp);

// The incident's deadlines not met yet, earliest due first.
std::vector<Deadline> unmet_deadlines(Store& store, IncidentId id);

// The names of the deadlines a delivered message of `notice` would meet: the runbook's
// deadlines whose `met-by` names the notice's audience and that run unmet on its incident.
// Empty when there are none, or the runbook cannot be read (a send never fails for that).
std::vector<std::string> deadlines_met_by(Store& store, const RunbookPath& runbooks,
                                          const NoticeRecord& notice);

// Records each deadline of `names` still running unmet on the notice's incident as met by the
// notice at the stamp's time, and empties `names`. Called in the transaction that marks one
// of the notice's deliveries sent, so the clock stops exactly when a message is delivered.
void meet_deadlines_by_notice(Store& store, const NoticeRecord& notice,
                              std::vector<std::string>& names, const Stamp& stamp);

} // namespace outage
