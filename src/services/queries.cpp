#include "outage/services/queries.hpp"

#include "outage/services/lifecycle.hpp"

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
    return {std::move(incident), store.timeline(id)};
}

ChainCheck verify_timeline(Store& store) {
    return store.verify_chain();
}

} // namespace outage
