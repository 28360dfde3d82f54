#pragma once

#include "outage/store/store.hpp"

#include <SQLiteCpp/Column.h>
#include <SQLiteCpp/Statement.h>

#include <optional>
#include <string>
#include <vector>

namespace outage {

// How the log's rows map to the domain's types (schema.cpp holds the tables). Times are
// stored as ISO 8601 UTC text, lists as JSON arrays; SQL NULL is an absent optional.

// The columns read_incident expects, in its order, and bind_incident binds (all but id).
constexpr const char* incident_columns =
    "id, title, scenario, status, phase, severity, owner, services, affected, dedup_key, eta, "
    "opened_at, closed_at, next_update_due, update_interval, handed_off_at, resolution, "
    "root_cause, recurrence, actions, workaround";
constexpr const char* deadline_columns =
    "incident_id, name, title, started_at, due_at, met_at, note";
constexpr const char* event_columns = "id, incident_id, at, kind, actor, payload, prev_hash, hash";
constexpr const char* notice_columns =
    "id, incident_id, identity, audience, template, channel, fields, created_at, actor";

void bind_text(SQLite::Statement& stmt, int index, const std::optional<std::string>& value);
void bind_time(SQLite::Statement& stmt, int index, const std::optional<Timestamp>& value);
std::optional<std::string> column_text(const SQLite::Column& column);
// A stored time; Error(runtime) naming the text when it is not one (a row edited by hand).
Timestamp stored_time(const std::string& text);
std::optional<Timestamp> column_time(const SQLite::Column& column);
std::vector<std::string> string_array(const std::string& json_text);
// The condition "the time in `column` has passed by a moment", as has_passed (model/time.hpp)
// means it: before the moment, or outside the accepted range. Times in range are stored as 20
// characters, so text order is time order; any other text counts as passed. The moment is
// parameter 1 and the range 2 and 3: bind them with bind_passed_before.
std::string passed_before(const char* column);
void bind_passed_before(SQLite::Statement& stmt, Timestamp moment);

Incident read_incident(SQLite::Statement& stmt);
// Binds every column but id, in incident_columns order, starting at parameter 1.
void bind_incident(SQLite::Statement& stmt, const Incident& incident);
Deadline read_deadline(SQLite::Statement& stmt);
Event read_event(SQLite::Statement& stmt);
NoticeRecord read_notice(SQLite::Statement& stmt);

} // namespace outage
