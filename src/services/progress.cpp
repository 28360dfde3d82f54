#include "outage/services/progress.hpp"

#include "outage/model/error.hpp"
#include "outage/model/text.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace outage {
namespace {

template <typename T> std::string ids_of(const std::vector<T>& items) {
    std::vector<std::string> ids;
    for (const auto& item : items)
        ids.push_back(item.id);
    return fmt::format("{}", fmt::join(ids, ", "));
}

} // namespace

StepProgress mark_step(Store& store, const Runbook& runbook, IncidentId id,
                       const std::string& step_id, StepState state,
                       const std::optional<std::string>& note, const Stamp& stamp) {
    if (note)
        check_note("--note", *note);
    if (!runbook.step(step_id))
        throw Error(Exit::not_found, fmt::format("no step '{}' in the {} runbook (steps: {})",
                                                 step_id, runbook.id, ids_of(runbook.steps)));
    return write_transaction(store, [&] {
        require_open(store, id, "change steps of");
        for (const auto& earlier : store.step_progress(id))
            if (earlier.step_id == step_id && earlier.state == state)
                throw Error(Exit::conflict,
                            fmt::format("step '{}' of incident {} is already {} (by {})", step_id,
                                        id, to_string(state), earlier.actor));
        StepProgress progress{step_id, state, note, stamp.at, stamp.actor};
        store.save_step_progress(id, progress);
        store.append_event(id, stamp, events::Step{.step = step_id, .state = state, .note = note});
        return progress;
    });
}

std::vector<const Step*> unfinished_steps(const Runbook& runbook, const Incident& incident,
                                          const std::vector<StepProgress>& progress) {
    std::vector<const Step*> result;
    for (const auto& view : steps_for(runbook, incident.severity, progress))
        if (!view.progress && !view.step->optional)
            result.push_back(view.step);
    return result;
}

std::vector<const Step*> unfinished_steps(Store& store, const Runbook& runbook,
                                          const Incident& incident) {
    return unfinished_steps(runbook, incident, store.step_progress(incident.id));
}

std::vector<StepView> incident_steps(Store& store, const Runbook& runbook,
                                     const Incident& incident) {
    return steps_for(runbook, incident.severity, store.step_progress(incident.id));
}

std::vector<Incident> unacknowledged_handovers(std::vector<Incident> incidents, Timestamp now) {
    std::erase_if(incidents, [&](const Incident& incident) {
        return incident.status != Status::open || !incident.handed_off_at ||
               *incident.handed_off_at + handover_ack_window >= now;
    });
    std::stable_sort(incidents.begin(), incidents.end(), [](const Incident& a, const Incident& b) {
        return *a.handed_off_at < *b.handed_off_at;
    });
    return incidents;
}

std::vector<Incident> unassessed_incidents(std::vector<Incident> incidents, Timestamp now,
                                           std::chrono::seconds assess_within) {
    std::erase_if(incidents, [&](const Incident& incident) {
        return incident.status != Status::open || incident.severity ||
               incident.opened_at + assess_within > now;
    });
    std::stable_sort(incidents.begin(), incidents.end(), [](const Incident& a, const Incident& b) {
        return a.opened_at < b.opened_at;
    });
    return incidents;
}

DueReport due_report(Store& store, Timestamp now, std::chrono::seconds horizon,
                     const SeverityScale& scale) {
    // Open incidents are few at any time; the assessment and handover checks need no query of
    // their own.
    IncidentFilter open;
    open.status = Status::open;
    std::vector<Incident> open_incidents = store.list_incidents(open);
    std::vector<OverdueUpdate> overdue;
    for (auto& clock : store.overdue_clocks(now)) {
        auto incident = std::find_if(open_incidents.begin(), open_incidents.end(),
                                     [&](const Incident& i) { return i.id == clock.incident_id; });
        if (incident != open_incidents.end())
            overdue.push_back({*incident, std::move(clock.audience), clock.due_at});
    }
    std::vector<QueuedNotice> undelivered = queued_notices(store);
    std::erase_if(undelivered,
                  [](const QueuedNotice& queued) { return queued.counts.failed == 0; });
    return DueReport{unassessed_incidents(open_incidents, now, scale.assess_within),
                     std::move(overdue), unacknowledged_handovers(std::move(open_incidents), now),
                     store.deadlines_due_before(now + horizon), std::move(undelivered)};
}

} // namespace outage
