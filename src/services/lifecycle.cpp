#include "outage/services/lifecycle.hpp"

#include "outage/model/error.hpp"
#include "outage/model/state.hpp"
#include "outage/model/text.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/eta.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace outage {
namespace {

void check_affected(const std::optional<std::int64_t>& affected) {
    if (affected && *affected < 0)
        throw Error(Exit::usage, fmt::format("--affected must be 0 or more, not {}", *affected));
}

// Keeps the first of each name, in the order given.
std::vector<std::string> unique_services(const std::vector<std::string>& services) {
    std::vector<std::string> result;
    for (const auto& service : services) {
        check_line("--service", service);
        if (std::find(result.begin(), result.end(), service) == result.end())
            result.push_back(service);
    }
    return result;
}

} // namespace

Incident require_incident(Store& store, IncidentId id) {
    auto incident = store.find_incident(id);
    if (!incident)
        throw Error(Exit::not_found, fmt::format("no incident {}", id));
    return *incident;
}

Incident require_open(Store& store, IncidentId id, std::string_view action) {
    Incident incident = require_incident(store, id);
    if (incident.status == Status::closed)
        throw Error(Exit::conflict,
                    fmt::format("cannot {} incident {}: it is closed (reopen it first with "
                                "`outage reopen {} --note TEXT`)",
                                action, id, id));
    return incident;
}

OpenPlan plan_open(const RunbookPath& runbooks, const OpenRequest& request) {
    check_line("--title", request.title);
    if (request.owner)
        check_line("--owner", *request.owner);
    if (request.dedup_key)
        check_line("--dedup-key", *request.dedup_key);
    if (request.note)
        check_note("--note", *request.note);
    check_affected(request.affected);
    OpenPlan plan{request, load_runbook(runbooks, request.scenario)};
    plan.request.services = unique_services(request.services);
    return plan;
}

OpenResult open_incident(Store& store, const OpenPlan& plan, const Stamp& stamp) {
    const OpenRequest& request = plan.request;
    const Runbook& runbook = plan.runbook;
    return write_transaction(store, [&] {
        if (request.dedup_key) {
            if (auto existing = store.find_open_by_dedup_key(*request.dedup_key)) {
                store.append_event(existing->id, stamp,
                                   events::Retriggered{.dedup_key = *request.dedup_key,
                                                       .title = request.title,
                                                       .note = request.note});
                return OpenResult{*existing, true};
            }
        }
        Incident incident;
        incident.title = request.title;
        incident.scenario = runbook.id;
        incident.owner = request.owner.value_or(stamp.actor);
        incident.services = request.services;
        incident.affected = request.affected;
        incident.dedup_key = request.dedup_key;
        incident.opened_at = stamp.at;
        incident.id = store.insert_incident(incident);

        store.append_event(incident.id, stamp,
                           events::Opened{.title = incident.title,
                                          .scenario = incident.scenario,
                                          .owner = *incident.owner,
                                          .services = incident.services,
                                          .affected = incident.affected,
                                          .dedup_key = incident.dedup_key,
                                          .note = request.note});
        start_deadlines(store, runbook, incident.id, nullptr, stamp);
        return OpenResult{incident, false};
    });
}

Incident update_incident(Store& store, IncidentId id, const UpdateRequest& request,
                         const Stamp& stamp) {
    if (!request.phase && !request.note && !request.eta && !request.affected)
        throw Error(Exit::usage, "nothing to update: pass --status, --note, --eta or --affected");
    if (request.phase == Phase::resolved)
        throw Error(Exit::usage, "--status resolved is set by `outage close`; use "
                                 "investigating, identified or monitoring");
    if (request.note)
        check_note("--note", *request.note);
    check_affected(request.affected);

    return write_transaction(store, [&] {
        Incident incident = require_open(store, id, "update");
        if (request.eta)
            check_eta(incident, *request.eta, stamp.at);
        events::Updated change{.status = request.phase,
                               .eta = request.eta,
                               .affected = request.affected,
                               .note = request.note};
        // A note is the team's record, not a message: nobody outside has heard anything, so
        // no update clock moves (docs/architecture.md#update-clocks).
        apply(incident, stamp.at, change);
        store.save_incident(incident);
        store.append_event(id, stamp, change);
        return incident;
    });
}

Incident hand_off(Store& store, IncidentId id, const HandoffRequest& request, const Stamp& stamp) {
    check_line("--to", request.to);
    check_note("--note", request.note);
    return write_transaction(store, [&] {
        Incident incident = require_open(store, id, "hand off");
        if (incident.owner == request.to)
            throw Error(Exit::conflict,
                        fmt::format("incident {} is already owned by {}", id, request.to));
        events::Handoff handoff{.from = incident.owner, .to = request.to, .note = request.note};
        apply(incident, stamp.at, handoff);
        store.save_incident(incident);
        store.append_event(id, stamp, handoff);
        return incident;
    });
}

AckResult acknowledge(Store& store, IncidentId id, const Stamp& stamp) {
    return write_transaction(store, [&] {
        Incident incident = require_open(store, id, "acknowledge");
        if (!incident.handed_off_at)
            return AckResult{incident, std::nullopt};
        // The point of the warm handover is that the new owner says they have it.
        if (incident.owner != stamp.actor)
            throw Error(Exit::conflict,
                        fmt::format("incident {} was handed over to {}; only they can acknowledge "
                                    "it (you are {})",
                                    id, incident.owner.value_or("nobody"), stamp.actor));
        AckResult result{incident, incident.handed_off_at};
        events::Acknowledged ack{.owner = *incident.owner,
                                 .handed_off_at = *incident.handed_off_at};
        apply(result.incident, stamp.at, ack);
        store.save_incident(result.incident);
        store.append_event(id, stamp, ack);
        return result;
    });
}

Incident close_incident(Store& store, IncidentId id, const CloseRequest& request,
                        const Stamp& stamp) {
    check_note("--resolution", request.resolution);
    if (request.root_cause)
        check_note("--root-cause", *request.root_cause);
    for (const auto& action : request.actions)
        check_note("--action", action);
    return write_transaction(store, [&] {
        Incident incident = require_open(store, id, "close");
        events::Closed closed{.resolution = request.resolution,
                              .actions = request.actions,
                              .root_cause = request.root_cause,
                              .recurrence = request.recurrence};
        // Closed means no update is owed, to anyone; earlier prevention actions stay
        // (model/state).
        apply(incident, stamp.at, closed);
        store.save_update_clocks(id, {});
        store.save_incident(incident);
        store.append_event(id, stamp, closed);
        return incident;
    });
}

Incident reopen_incident(Store& store, IncidentId id, const std::string& note, const Stamp& stamp) {
    check_note("--note", note);
    return write_transaction(store, [&] {
        Incident incident = require_incident(store, id);
        if (incident.status == Status::open)
            throw Error(Exit::conflict, fmt::format("incident {} is already open", id));
        if (incident.dedup_key) {
            if (auto other = store.find_open_by_dedup_key(*incident.dedup_key))
                throw Error(Exit::conflict,
                            fmt::format("incident {} has the same dedup key '{}' and is open; "
                                        "update that one instead",
                                        other->id, *incident.dedup_key));
        }
        // The clocks start afresh: the first update is owed an interval after the reopening.
        UpdateClocks clocks;
        if (incident.update_interval)
            clocks[first_update] = stamp.at + *incident.update_interval;
        events::Reopened reopened{.note = note, .clocks = clocks};
        apply(incident, stamp.at, reopened);
        store.save_update_clocks(id, clocks);
        store.save_incident(incident);
        store.append_event(id, stamp, reopened);
        return incident;
    });
}

} // namespace outage
