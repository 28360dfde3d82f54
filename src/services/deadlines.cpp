#include "outage/services/deadlines.hpp"

#include "outage/model/error.hpp"
#include "outage/model/events.hpp"
#include "outage/model/text.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace outage {
namespace {

std::string deadline_ids(const Runbook& runbook) {
    std::vector<std::string> ids;
    for (const auto& rule : runbook.deadlines)
        ids.push_back(rule.id);
    return ids.empty() ? std::string("none") : fmt::format("{}", fmt::join(ids, ", "));
}

// Stops a clock at `met`: the deadline row and its deadline_met event, whose `met_at` is
// written only when it differs from the event's own time.
void record_met(Store& store, Deadline& deadline, Timestamp met,
                const std::optional<std::string>& note, const Stamp& stamp) {
    deadline.met_at = met;
    deadline.note = note;
    store.save_deadline(deadline);
    store.append_event(
        deadline.incident_id, stamp,
        events::DeadlineMet{.deadline = deadline.name,
                            .due_at = deadline.due_at,
                            .late = met > deadline.due_at,
                            .note = note,
                            .met_at = met == stamp.at ? std::nullopt : std::optional(met)});
}

} // namespace

Deadline meet_deadline(Store& store, const Runbook& runbook, IncidentId id, const std::string& name,
                       const std::optional<std::string>& note,
                       const std::optional<Timestamp>& met_at, const Stamp& stamp) {
    if (note)
        check_note("--note", *note);
    if (!runbook.deadline(name))
        throw Error(Exit::not_found,
                    fmt::format("no deadline '{}' in the {} runbook (deadlines: {})", name,
                                runbook.id, deadline_ids(runbook)));
    if (met_at && *met_at > stamp.at)
        throw Error(Exit::usage, fmt::format("--at: {} is in the future (it is {} now)",
                                             format_local(*met_at), format_local(stamp.at)));
    return write_transaction(store, [&] {
        require_incident(store, id);
        for (auto deadline : store.deadlines(id)) {
            if (deadline.name != name)
                continue;
            if (deadline.met_at)
                throw Error(Exit::conflict,
                            fmt::format("deadline '{}' of incident {} was already met at {}", name,
                                        id, format_iso_utc(*deadline.met_at)));
            if (met_at && *met_at < deadline.started_at)
                throw Error(Exit::usage,
                            fmt::format("--at: {} is before deadline '{}' of incident {} started "
                                        "({})",
                                        format_local(*met_at), name, id,
                                        format_local(deadline.started_at)));
            record_met(store, deadline, met_at.value_or(stamp.at), note, stamp);
            return deadline;
        }
        throw Error(Exit::conflict,
                    fmt::format("deadline '{}' is not running on incident {}: the answers so far "
                                "do not call for it",
                                name, id));
    });
}

std::vector<Deadline> unmet_deadlines(Store& store, IncidentId id) {
    std::vector<Deadline> result = store.deadlines(id);
    std::erase_if(result, [](const Deadline& deadline) { return deadline.met_at.has_value(); });
    return result;
}

std::vector<std::string> deadlines_met_by(Store& store, const RunbookPath& runbooks,
                                          const NoticeRecord& notice) {
    std::vector<std::string> names;
    std::vector<Deadline> running = unmet_deadlines(store, notice.incident_id);
    if (running.empty())
        return names;
    auto incident = store.find_incident(notice.incident_id);
    if (!incident)
        return names;
    std::optional<Runbook> runbook;
    try {
        runbook = load_runbook(runbooks, incident->scenario);
    } catch (const Error&) {
        // The message goes out all the same; the deadline can be recorded by hand.
        return names;
    }
    for (const auto& rule : runbook->deadlines)
        if (rule.met_by_audience == notice.audience &&
            std::any_of(running.begin(), running.end(),
                        [&](const Deadline& d) { return d.name == rule.id; }))
            names.push_back(rule.id);
    return names;
}

void meet_deadlines_by_notice(Store& store, const NoticeRecord& notice,
                              std::vector<std::string>& names, const Stamp& stamp) {
    if (names.empty())
        return;
    for (auto deadline : unmet_deadlines(store, notice.incident_id))
        if (std::find(names.begin(), names.end(), deadline.name) != names.end())
            record_met(store, deadline, stamp.at,
                       fmt::format("met by notice {} to {}", notice.id, notice.audience), stamp);
    names.clear();
}

} // namespace outage
