#include "outage/store/rows.hpp"

#include "outage/model/error.hpp"

#include <fmt/format.h>

namespace outage {

void bind_text(SQLite::Statement& stmt, int index, const std::optional<std::string>& value) {
    if (value)
        stmt.bind(index, *value);
    else
        stmt.bind(index);
}

void bind_time(SQLite::Statement& stmt, int index, const std::optional<Timestamp>& value) {
    if (value)
        stmt.bind(index, format_iso_utc(*value));
    else
        stmt.bind(index);
}

std::optional<std::string> column_text(const SQLite::Column& column) {
    if (column.isNull())
        return std::nullopt;
    return column.getString();
}

Timestamp stored_time(const std::string& text) {
    if (auto t = parse_iso_utc(text))
        return *t;
    throw Error(Exit::runtime, fmt::format("incident log holds an unreadable time '{}'", text));
}

std::optional<Timestamp> column_time(const SQLite::Column& column) {
    if (column.isNull())
        return std::nullopt;
    return stored_time(column.getString());
}

std::string passed_before(const char* column) {
    return fmt::format("({0} < ?1 OR {0} NOT BETWEEN ?2 AND ?3 OR length({0}) <> 20)", column);
}

void bind_passed_before(SQLite::Statement& stmt, Timestamp moment) {
    stmt.bind(1, format_iso_utc(moment));
    stmt.bind(2, format_iso_utc(earliest_time));
    stmt.bind(3, format_iso_utc(latest_time));
}

std::vector<std::string> string_array(const std::string& json_text) {
    if (json_text == "[]") // most incidents' actions and many a service list: no parser needed
        return {};
    return nlohmann::json::parse(json_text).get<std::vector<std::string>>();
}

// Reads a row selected with incident_columns.
Incident read_incident(SQLite::Statement& stmt) {
    Incident incident;
    incident.id = stmt.getColumn(0).getInt64();
    incident.title = stmt.getColumn(1).getString();
    incident.scenario = stmt.getColumn(2).getString();
    incident.status = parse_status(stmt.getColumn(3).getString()).value_or(Status::open);
    incident.phase = parse_phase(stmt.getColumn(4).getString()).value_or(Phase::investigating);
    incident.severity = column_text(stmt.getColumn(5));
    incident.owner = column_text(stmt.getColumn(6));
    incident.services = string_array(stmt.getColumn(7).getString());
    if (!stmt.getColumn(8).isNull())
        incident.affected = stmt.getColumn(8).getInt64();
    incident.dedup_key = column_text(stmt.getColumn(9));
    incident.eta = column_time(stmt.getColumn(10));
    incident.opened_at = stored_time(stmt.getColumn(11).getString());
    incident.closed_at = column_time(stmt.getColumn(12));
    incident.next_update_due = column_time(stmt.getColumn(13));
    if (!stmt.getColumn(14).isNull())
        incident.update_interval = std::chrono::seconds{stmt.getColumn(14).getInt64()};
    incident.handed_off_at = column_time(stmt.getColumn(15));
    incident.resolution = column_text(stmt.getColumn(16));
    incident.root_cause = column_text(stmt.getColumn(17));
    if (auto text = column_text(stmt.getColumn(18)))
        incident.recurrence = parse_recurrence(*text);
    incident.actions = string_array(stmt.getColumn(19).getString());
    incident.workaround = column_text(stmt.getColumn(20));
    return incident;
}

void bind_incident(SQLite::Statement& stmt, const Incident& incident) {
    stmt.bind(1, incident.title);
    stmt.bind(2, incident.scenario);
    stmt.bind(3, std::string(to_string(incident.status)));
    stmt.bind(4, std::string(to_string(incident.phase)));
    bind_text(stmt, 5, incident.severity);
    bind_text(stmt, 6, incident.owner);
    stmt.bind(7, nlohmann::json(incident.services).dump());
    if (incident.affected)
        stmt.bind(8, *incident.affected);
    else
        stmt.bind(8);
    bind_text(stmt, 9, incident.dedup_key);
    bind_time(stmt, 10, incident.eta);
    stmt.bind(11, format_iso_utc(incident.opened_at));
    bind_time(stmt, 12, incident.closed_at);
    bind_time(stmt, 13, incident.next_update_due);
    if (incident.update_interval)
        stmt.bind(14, static_cast<std::int64_t>(incident.update_interval->count()));
    else
        stmt.bind(14);
    bind_time(stmt, 15, incident.handed_off_at);
    bind_text(stmt, 16, incident.resolution);
    bind_text(stmt, 17, incident.root_cause);
    if (incident.recurrence)
        stmt.bind(18, std::string(to_string(*incident.recurrence)));
    else
        stmt.bind(18);
    stmt.bind(19, nlohmann::json(incident.actions).dump());
    bind_text(stmt, 20, incident.workaround);
}

Deadline read_deadline(SQLite::Statement& stmt) {
    Deadline deadline;
    deadline.incident_id = stmt.getColumn(0).getInt64();
    deadline.name = stmt.getColumn(1).getString();
    deadline.title = stmt.getColumn(2).getString();
    deadline.started_at = stored_time(stmt.getColumn(3).getString());
    deadline.due_at = stored_time(stmt.getColumn(4).getString());
    deadline.met_at = column_time(stmt.getColumn(5));
    deadline.note = column_text(stmt.getColumn(6));
    return deadline;
}

Event read_event(SQLite::Statement& stmt) {
    Event event;
    event.id = stmt.getColumn(0).getInt64();
    event.incident_id = stmt.getColumn(1).getInt64();
    event.at = stored_time(stmt.getColumn(2).getString());
    event.kind = stmt.getColumn(3).getString();
    event.actor = stmt.getColumn(4).getString();
    event.payload = nlohmann::json::parse(stmt.getColumn(5).getString(), nullptr, false);
    event.hash = stmt.getColumn(7).getString();
    return event;
}

NoticeRecord read_notice(SQLite::Statement& stmt) {
    NoticeRecord notice;
    notice.id = stmt.getColumn(0).getInt64();
    notice.incident_id = stmt.getColumn(1).getInt64();
    notice.identity = stmt.getColumn(2).getString();
    notice.audience = stmt.getColumn(3).getString();
    notice.template_name = stmt.getColumn(4).getString();
    notice.channel = stmt.getColumn(5).getString();
    notice.fields = nlohmann::json::parse(stmt.getColumn(6).getString(), nullptr, false);
    notice.created_at = stored_time(stmt.getColumn(7).getString());
    notice.actor = stmt.getColumn(8).getString();
    return notice;
}

} // namespace outage
