#include "outage/model/state.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace outage {
namespace {

using nlohmann::json;

const FactName update_interval_fact{"", "update_interval"};
const FactName clocks_fact{"", "update_clocks"};
const FactName next_update_fact{"", "next_update_due"};

std::string notice_record(std::int64_t id) {
    return fmt::format("notice {}", id);
}

// Marks `name` unproven by `event` when the event lacks the field, proven again when it has it.
template <typename T>
void prove(IncidentState& state, const FactName& name, const std::optional<T>& field,
           const Event& event) {
    if (field)
        state.unproven.erase(name);
    else
        state.unproven[name] = event.id;
}

NoticeState* find_notice(IncidentState& state, std::int64_t id) {
    for (auto& notice : state.notices)
        if (notice.id == id)
            return &notice;
    return nullptr;
}

json time_or_null(const std::optional<Timestamp>& t) {
    return t ? json(format_iso_utc(*t)) : json();
}

json clocks_json(const UpdateClocks& clocks) {
    json object = json::object();
    for (const auto& [audience, due] : clocks)
        object[audience] = format_iso_utc(due);
    return object;
}

template <typename T> json or_null(const std::optional<T>& value) {
    return value ? json(*value) : json();
}

template <typename Enum> json name_or_null(const std::optional<Enum>& value) {
    return value ? json(to_string(*value)) : json();
}

} // namespace

void apply(Incident& incident, Timestamp at, const EventPayload& payload) {
    std::visit(Overloaded{
                   [&](const events::Opened& e) {
                       incident.title = e.title;
                       incident.scenario = e.scenario;
                       incident.owner = e.owner;
                       incident.services = e.services;
                       incident.affected = e.affected;
                       incident.dedup_key = e.dedup_key;
                       incident.opened_at = at;
                   },
                   [&](const events::Updated& e) {
                       if (e.status)
                           incident.phase = *e.status;
                       if (e.eta)
                           incident.eta = *e.eta;
                       if (e.affected)
                           incident.affected = *e.affected;
                       if (e.next_update_due)
                           incident.next_update_due = *e.next_update_due;
                   },
                   [&](const events::Handoff& e) {
                       incident.owner = e.to;
                       incident.handed_off_at = at;
                   },
                   [&](const events::Acknowledged&) { incident.handed_off_at.reset(); },
                   [&](const events::Closed& e) {
                       incident.status = Status::closed;
                       incident.phase = Phase::resolved;
                       incident.closed_at = at;
                       incident.next_update_due.reset();
                       incident.resolution = e.resolution;
                       incident.root_cause = e.root_cause;
                       incident.recurrence = e.recurrence;
                       incident.actions.insert(incident.actions.end(), e.actions.begin(),
                                               e.actions.end());
                   },
                   [&](const events::Reopened& e) {
                       incident.status = Status::open;
                       incident.phase = Phase::investigating;
                       incident.closed_at.reset();
                       incident.resolution.reset();
                       incident.root_cause.reset();
                       incident.recurrence.reset();
                       // Version 2: fresh clocks; version 1 left the next update as it was.
                       if (e.clocks)
                           incident.next_update_due = earliest(*e.clocks);
                   },
                   [&](const events::Assessed& e) {
                       incident.severity = e.severity;
                       incident.next_update_due = e.next_update_due;
                       incident.update_interval.reset();
                       if (e.update_interval)
                           incident.update_interval = std::chrono::seconds(*e.update_interval);
                   },
                   [&](const events::Notice& e) {
                       if (e.eta)
                           incident.eta = *e.eta;
                       if (e.workaround)
                           incident.workaround = *e.workaround;
                       // Version 2 carries every clock after the notice, and its
                       // next_update_due is the promise to its own audience; version 1's was
                       // the incident's one clock.
                       if (e.clocks)
                           incident.next_update_due = earliest(*e.clocks);
                       else if (e.next_update_due)
                           incident.next_update_due = *e.next_update_due;
                   },
                   // A repeat alert, a severity change (the assessment before it set the
                   // severity), steps, deadlines and sends leave the incident's row as it is.
                   [](const auto&) {},
               },
               payload);
}

void apply(IncidentState& state, const Event& event, const EventPayload& payload) {
    auto anomaly = [&](std::string_view what) {
        state.anomalies.push_back(fmt::format("event {} ({}) {}", event.id, event.kind, what));
    };
    if (!state.opened && kind_of(payload) != EventKind::opened)
        anomaly("comes before the incident's `opened` event");
    apply(state.incident, event.at, payload);
    // The update clocks: the events of version 2 that move them carry them all; those of
    // version 1 moved the one clock an incident had then, which the v3 migration turned into
    // clocks no event records (and cleared on closed incidents).
    auto set_clocks = [&](const std::optional<UpdateClocks>& clocks) {
        if (clocks)
            state.clocks = *clocks;
        prove(state, clocks_fact, clocks, event);
        prove(state, next_update_fact, clocks, event);
    };
    std::visit(
        Overloaded{
            [&](const events::Opened&) {
                if (state.opened)
                    anomaly("opens the incident a second time");
                state.opened = true;
            },
            [&](const events::Updated& e) {
                if (e.next_update_due)
                    set_clocks(std::nullopt);
            },
            [&](const events::Closed&) { set_clocks(UpdateClocks{}); },
            [&](const events::Reopened& e) { set_clocks(e.clocks); },
            [&](const events::Assessed& e) {
                set_clocks(e.clocks);
                prove(state, update_interval_fact, e.update_interval, event);
                state.assessments.push_back({event.incident_id, event.at, event.actor,
                                             json(e.answers), e.severity, e.rule});
            },
            [&](const events::Step& e) {
                std::erase_if(state.steps,
                              [&](const StepProgress& step) { return step.step_id == e.step; });
                state.steps.push_back({e.step, e.state, e.note, event.at, event.actor});
            },
            [&](const events::DeadlineStarted& e) {
                std::erase_if(state.deadlines,
                              [&](const Deadline& d) { return d.name == e.deadline; });
                state.deadlines.push_back(
                    {event.incident_id, e.deadline, e.title, event.at, e.due_at, {}, {}});
            },
            [&](const events::DeadlineMet& e) {
                auto deadline =
                    std::find_if(state.deadlines.begin(), state.deadlines.end(),
                                 [&](const Deadline& d) { return d.name == e.deadline; });
                if (deadline == state.deadlines.end()) {
                    anomaly(fmt::format("meets deadline '{}', which never started", e.deadline));
                    return;
                }
                deadline->met_at = e.met_at.value_or(event.at);
                deadline->note = e.note;
            },
            [&](const events::Notice& e) {
                if (find_notice(state, e.notice))
                    anomaly(fmt::format("records notice {} a second time", e.notice));
                NoticeState notice;
                notice.id = e.notice;
                notice.audience = e.audience;
                notice.template_name = e.template_name;
                notice.channel = e.channel;
                notice.created_at = event.at;
                notice.actor = event.actor;
                notice.identity = e.identity;
                notice.fields_digest = e.fields_digest;
                notice.recipients = e.recipients;
                notice.recipients_digest = e.recipients_digest;
                notice.counts.pending = e.recipients; // every delivery waits for the send
                notice.event = event.id;
                std::string record = notice_record(e.notice);
                prove(state, {record, "identity"}, e.identity, event);
                prove(state, {record, "fields"}, e.fields_digest, event);
                prove(state, {record, "recipient_list"}, e.recipients_digest, event);
                state.notices.push_back(std::move(notice));
                if (e.clocks || e.next_update_due)
                    set_clocks(e.clocks);
            },
            [&](const events::NoticeSent& e) {
                NoticeState* notice = find_notice(state, e.notice);
                if (!notice) {
                    anomaly(fmt::format("sends notice {}, which was never recorded", e.notice));
                    return;
                }
                notice->counts = {e.pending, e.sent, e.failed};
                notice->states_digest = e.states_digest;
                notice->event = event.id;
                prove(state, {notice_record(e.notice), "delivery_states"}, e.states_digest, event);
            },
            // The incident's own fields are all these change.
            [](const auto&) {},
        },
        payload);
}

IncidentState project(IncidentId id, const std::vector<Event>& timeline) {
    IncidentState state;
    state.incident.id = id;
    for (const auto& event : timeline)
        apply(state, event, decode(event, MissingField::error));
    return state;
}

std::vector<Fact> facts(const IncidentState& state) {
    const Incident& i = state.incident;
    std::vector<Fact> result{
        {{"", "title"}, i.title},
        {{"", "scenario"}, i.scenario},
        {{"", "status"}, to_string(i.status)},
        {{"", "phase"}, to_string(i.phase)},
        {{"", "severity"}, or_null(i.severity)},
        {{"", "owner"}, or_null(i.owner)},
        {{"", "services"}, i.services},
        {{"", "affected"}, or_null(i.affected)},
        {{"", "dedup_key"}, or_null(i.dedup_key)},
        {{"", "eta"}, time_or_null(i.eta)},
        {{"", "opened_at"}, format_iso_utc(i.opened_at)},
        {{"", "closed_at"}, time_or_null(i.closed_at)},
        {next_update_fact, time_or_null(i.next_update_due)},
        {update_interval_fact, i.update_interval ? json(i.update_interval->count()) : json()},
        {{"", "handed_off_at"}, time_or_null(i.handed_off_at)},
        {{"", "resolution"}, or_null(i.resolution)},
        {{"", "root_cause"}, or_null(i.root_cause)},
        {{"", "recurrence"}, name_or_null(i.recurrence)},
        {{"", "actions"}, i.actions},
        {{"", "workaround"}, or_null(i.workaround)},
        {clocks_fact, clocks_json(state.clocks)},
    };
    auto add = [&result](std::string record, json fields) {
        for (auto& [field, value] : fields.items())
            result.push_back({{record, field}, std::move(value)});
    };
    for (std::size_t n = 0; n < state.assessments.size(); ++n) {
        const AssessmentRecord& a = state.assessments[n];
        add(fmt::format("assessment {}", n + 1), {{"at", format_iso_utc(a.at)},
                                                  {"actor", a.actor},
                                                  {"answers", a.answers},
                                                  {"severity", a.severity},
                                                  {"rule", a.rule}});
    }
    for (const auto& step : state.steps)
        add(fmt::format("step {}", step.step_id), {{"state", to_string(step.state)},
                                                   {"note", or_null(step.note)},
                                                   {"at", format_iso_utc(step.at)},
                                                   {"actor", step.actor}});
    for (const auto& d : state.deadlines)
        add(fmt::format("deadline {}", d.name), {{"title", d.title},
                                                 {"started_at", format_iso_utc(d.started_at)},
                                                 {"due_at", format_iso_utc(d.due_at)},
                                                 {"met_at", time_or_null(d.met_at)},
                                                 {"note", or_null(d.note)}});
    for (const auto& n : state.notices)
        add(notice_record(n.id), {{"audience", n.audience},
                                  {"template", n.template_name},
                                  {"channel", n.channel},
                                  {"created_at", format_iso_utc(n.created_at)},
                                  {"actor", n.actor},
                                  {"identity", or_null(n.identity)},
                                  {"fields", or_null(n.fields_digest)},
                                  {"recipients", n.recipients},
                                  {"recipient_list", or_null(n.recipients_digest)}});
    return result;
}

} // namespace outage
