#include "outage/services/queries.hpp"

#include "outage/services/lifecycle.hpp"
#include "outage/services/verify.hpp"

namespace outage {

std::vector<Incident> find_incidents(Store& store, const IncidentFilter& filter) {
    return store.list_incidents(filter);
}

void find_incidents(Store& store, const IncidentFilter& filter,
                    const std::function<void(const Incident&)>& visit) {
    store.each_incident(filter, visit);
}

IncidentTimeline incident_timeline(Store& store, IncidentId id) {
    Incident incident = require_incident(store, id);
    std::vector<Event> events = store.timeline(id);
    require_matching_state(check_incident(store, incident, events, StateScope::incident));
    return {std::move(incident), std::move(events)};
}

} // namespace outage
