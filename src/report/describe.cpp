#include "outage/report/describe.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace outage {
namespace {

using nlohmann::json;

std::string local_or_iso(const json& value) {
    if (!value.is_string())
        return dump_json(value, -1);
    if (auto t = parse_iso_utc(value.get<std::string>()))
        return format_local(*t);
    return value.get<std::string>();
}

std::string text_of(const json& payload, const char* key) {
    auto it = payload.find(key);
    if (it == payload.end() || it->is_null())
        return "";
    return it->is_string() ? it->get<std::string>() : dump_json(*it, -1);
}

std::string with_note(std::string line, const json& payload) {
    std::string note = text_of(payload, "note");
    if (!note.empty())
        line += fmt::format(" — {}", note);
    return line;
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
                {"overdue", !deadline.met_at && deadline.due_at < now}};
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
    const json& p = event.payload;
    if (event.kind == "opened") {
        std::string line = fmt::format("opened \"{}\" ({}), owner {}", text_of(p, "title"),
                                       text_of(p, "scenario"), text_of(p, "owner"));
        return with_note(line, p);
    }
    if (event.kind == "retriggered")
        return with_note(fmt::format("alert re-triggered (dedup key {})", text_of(p, "dedup_key")),
                         p);
    if (event.kind == "updated") {
        std::vector<std::string> parts;
        if (p.contains("status"))
            parts.push_back(fmt::format("status {}", text_of(p, "status")));
        if (p.contains("eta"))
            parts.push_back(fmt::format("ETA {}", local_or_iso(p["eta"])));
        if (p.contains("affected"))
            parts.push_back(fmt::format("affected {}", text_of(p, "affected")));
        std::string line =
            parts.empty() ? std::string("update") : fmt::format("{}", fmt::join(parts, ", "));
        return with_note(line, p);
    }
    if (event.kind == "handoff") {
        std::string from = text_of(p, "from");
        return with_note(fmt::format("handed over from {} to {}", from.empty() ? "nobody" : from,
                                     text_of(p, "to")),
                         p);
    }
    if (event.kind == "acknowledged")
        return fmt::format("handover acknowledged: {} has it", text_of(p, "owner"));
    if (event.kind == "closed")
        return fmt::format("closed — {}", text_of(p, "resolution"));
    if (event.kind == "reopened")
        return with_note("reopened", p);
    if (event.kind == "assessed")
        return fmt::format("assessed {} (rule {})", text_of(p, "severity"), text_of(p, "rule"));
    if (event.kind == "severity_changed") {
        std::string from = text_of(p, "from");
        return fmt::format("severity {} → {}", from.empty() ? "unassessed" : from,
                           text_of(p, "to"));
    }
    if (event.kind == "step")
        return with_note(fmt::format("step {} {}", text_of(p, "step"), text_of(p, "state")), p);
    if (event.kind == "deadline_started")
        return fmt::format("deadline {} started, due {}", text_of(p, "deadline"),
                           local_or_iso(p.value("due_at", json())));
    if (event.kind == "deadline_met")
        return with_note(fmt::format("deadline {} met", text_of(p, "deadline")), p);
    if (event.kind == "notice") {
        std::string recipients = text_of(p, "recipients");
        return with_note(fmt::format("notice {} to {} ({} via {}, {} recipient{})",
                                     text_of(p, "notice"), text_of(p, "audience"),
                                     text_of(p, "template"), text_of(p, "channel"), recipients,
                                     recipients == "1" ? "" : "s"),
                         p);
    }
    if (event.kind == "notice_sent")
        return fmt::format("notice {} to {}: {} sent, {} failed, {} pending", text_of(p, "notice"),
                           text_of(p, "audience"), text_of(p, "sent"), text_of(p, "failed"),
                           text_of(p, "pending"));
    // Kinds added by later commands still print something readable.
    std::vector<std::string> parts;
    if (p.is_object())
        for (const auto& [key, value] : p.items())
            parts.push_back(fmt::format(
                "{}={}", key, value.is_string() ? value.get<std::string>() : dump_json(value, -1)));
    return parts.empty() ? event.kind : fmt::format("{}: {}", event.kind, fmt::join(parts, ", "));
}

} // namespace outage
