#pragma once

#include "outage/model/incident.hpp"
#include "outage/store/store.hpp"

#include <functional>
#include <vector>

namespace outage {

// What the read-only commands ask of the log, so that they never read the store themselves
// (docs/architecture.md#layers).

// The incidents `filter` matches, in id order (`list`).
std::vector<Incident> find_incidents(Store& store, const IncidentFilter& filter);

// The same, one at a time: `list --json` on 100,000 incidents holds one.
void find_incidents(Store& store, const IncidentFilter& filter,
                    const std::function<void(const Incident&)>& visit);

// An incident and its timeline, oldest event first.
struct IncidentTimeline {
    Incident incident;
    std::vector<Event> events;
};

// The incident with its timeline (`show`); Error(not_found) for an unknown incident, and
// Error(runtime) when the incident's row is not what its events give (services/verify.hpp).
IncidentTimeline incident_timeline(Store& store, IncidentId id);

} // namespace outage
