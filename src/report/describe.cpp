#include "outage/report/describe.hpp"

#include "outage/model/deadline.hpp"
#include "outage/model/events.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace outage {
namespace {

using nlohmann::json;

std::string with_note(std::string line, const std::optional<std::string>& note) {
    if (note && !note->empty())
        line += fmt::format(" — {}", *note);
    return line;
}

std::string or_else(const std::optional<std::string>& text, std::string_view otherwise) {
    return text && !text->empty() ? *text : std::string(otherwise);
}

std::string updated_line(const events::Updated& e) {
    std::vector<std::string> parts;
    if (e.status)
        parts.push_back(fmt::format("status {}", to_string(*e.status)));
    if (e.eta)
        parts.push_back(fmt::format("ETA {}", format_local(*e.eta)));
    if (e.affected)
        parts.push_back(fmt::format("affected {}", *e.affected));
    std::string line =
        parts.empty() ? std::string("update") : fmt::format("{}", fmt::join(parts, ", "));
    return with_note(line, e.note);
}

// Kinds this binary does not know (a newer outage's) still print something readable.
std::string unknown_kind_line(const Event& event) {
    std::vector<std::string> parts;
    if (event.payload.is_object())
        for (const auto& [key, value] : event.payload.items())
            parts.push_back(fmt::format(
                "{}={}", key, value.is_string() ? value.get<std::string>() : dump_json(value, -1)));
    return parts.empty() ? event.kind : fmt::format("{}: {}", event.kind, fmt::join(parts, ", "));
}

// "deadline gdpr-authority met 2h late", with the time it was met when that was not the
// event's own (`deadline --met --at`).
std::string deadline_met_line(const events::DeadlineMet& e, Timestamp recorded_at) {
    Timestamp met = e.met_at.value_or(recorded_at);
    std::string line = fmt::format("deadline {} met", e.deadline);
    if (deadline_outcome(e.due_at, met, met) == DeadlineOutcome::met_late)
        line += fmt::format(" {} late", format_span(met - e.due_at));
    else
        line += " on time";
    if (met != recorded_at)
        line += fmt::format(", at {}", format_local(met));
    return with_note(line, e.note);
}

} // namespace

std::string dump_json(const json& value, int indent) {
    // Stored text was checked as UTF-8 on the way in; a row edited behind our back must still
    // print.
    return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

json optional_time(const std::optional<Timestamp>& t) {
    return t ? json(format_iso_utc(*t)) : json();
}

json optional_text(const std::optional<std::string>& text) {
    return text ? json(*text) : json();
}

void fill_incident_json(json& object, const Incident& incident) {
    object["id"] = incident.id;
    object["title"] = incident.title;
    object["scenario"] = incident.scenario;
    object["status"] = to_string(incident.status);
    object["phase"] = to_string(incident.phase);
    object["severity"] = optional_text(incident.severity);
    object["owner"] = optional_text(incident.owner);
    object["services"] = incident.services;
    object["affected"] = incident.affected ? json(*incident.affected) : json();
    object["dedup_key"] = optional_text(incident.dedup_key);
    object["eta"] = optional_time(incident.eta);
    object["opened_at"] = format_iso_utc(incident.opened_at);
    object["closed_at"] = optional_time(incident.closed_at);
    object["next_update_due"] = optional_time(incident.next_update_due);
    object["update_interval_minutes"] =
        incident.update_interval ? json(incident.update_interval->count() / 60) : json();
    object["handed_off_at"] = optional_time(incident.handed_off_at);
    object["resolution"] = optional_text(incident.resolution);
    object["root_cause"] = optional_text(incident.root_cause);
    object["recurrence"] = incident.recurrence ? json(to_string(*incident.recurrence)) : json();
    object["actions"] = incident.actions;
}

json incident_json(const Incident& incident) {
    json object = json::object();
    fill_incident_json(object, incident);
    return object;
}

json step_json(const StepView& view) {
    const Step& step = *view.step;
    json object = {{"id", step.id},
                   {"title", step.title},
                   {"role", step.role},
                   {"detail", step.detail},
                   {"optional", step.optional},
                   {"min_severity", optional_text(step.min_severity)},
                   {"state", view.progress ? to_string(view.progress->state) : "open"}};
    if (view.progress) {
        object["at"] = format_iso_utc(view.progress->at);
        object["actor"] = view.progress->actor;
        object["note"] = optional_text(view.progress->note);
    }
    return object;
}

json deadline_json(const Deadline& deadline, Timestamp now) {
    return json{{"incident", deadline.incident_id},
                {"name", deadline.name},
                {"title", deadline.title},
                {"started_at", format_iso_utc(deadline.started_at)},
                {"due_at", format_iso_utc(deadline.due_at)},
                {"met_at", optional_time(deadline.met_at)},
                {"note", optional_text(deadline.note)},
                {"overdue", !deadline.met_at && has_passed(deadline.due_at, now)},
                {"outcome", to_string(deadline_outcome(deadline, now))}};
}

json event_json(const Event& event) {
    json object = event.payload.is_object() ? event.payload : json::object();
    object["id"] = event.id;
    object["at"] = format_iso_utc(event.at);
    object["kind"] = event.kind;
    object["actor"] = event.actor;
    return object;
}

std::string describe_event(const Event& event) {
    if (!kind_of(event))
        return unknown_kind_line(event);
    // No catch-all: a new kind does not build until it has words
    // (docs/architecture.md#events-the-one-vocabulary).
    return std::visit(
        Overloaded{
            [](const events::Opened& e) {
                return with_note(
                    fmt::format("opened \"{}\" ({}), owner {}", e.title, e.scenario, e.owner),
                    e.note);
            },
            [](const events::Retriggered& e) {
                return with_note(fmt::format("alert re-triggered (dedup key {})", e.dedup_key),
                                 e.note);
            },
            [](const events::Updated& e) { return updated_line(e); },
            [](const events::Handoff& e) {
                return with_note(
                    fmt::format("handed over from {} to {}", or_else(e.from, "nobody"), e.to),
                    e.note);
            },
            [](const events::Acknowledged& e) {
                return fmt::format("handover acknowledged: {} has it", e.owner);
            },
            [](const events::Closed& e) { return fmt::format("closed — {}", e.resolution); },
            [](const events::Reopened& e) { return with_note("reopened", e.note); },
            [](const events::Assessed& e) {
                return fmt::format("assessed {} (rule {})", e.severity, e.rule);
            },
            [](const events::SeverityChanged& e) {
                return fmt::format("severity {} → {}", or_else(e.from, "unassessed"), e.to);
            },
            [](const events::Step& e) {
                return with_note(fmt::format("step {} {}", e.step, to_string(e.state)), e.note);
            },
            [](const events::DeadlineStarted& e) {
                return fmt::format("deadline {} started, due {}", e.deadline,
                                   format_local(e.due_at));
            },
            [&event](const events::DeadlineMet& e) { return deadline_met_line(e, event.at); },
            [](const events::Notice& e) {
                return with_note(fmt::format("notice {} to {} ({} via {}, {} recipient{})",
                                             e.notice, e.audience, e.template_name, e.channel,
                                             e.recipients, e.recipients == 1 ? "" : "s"),
                                 e.note);
            },
            [](const events::NoticeSent& e) {
                return fmt::format("notice {} to {}: {} sent, {} failed, {} pending", e.notice,
                                   e.audience, e.sent, e.failed, e.pending);
            },
        },
        decode(event, MissingField::empty));
}

} // namespace outage
