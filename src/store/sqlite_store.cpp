#include "outage/store/sqlite_store.hpp"

#include "outage/model/error.hpp"
#include "outage/model/events.hpp"
#include "outage/model/json_fields.hpp"
#include "outage/store/hash_chain.hpp"
#include "outage/store/rows.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

namespace outage {

SqliteStore::SqliteStore(SQLite::Database db) : m_db(std::move(db)) {}

SQLite::Statement& SqliteStore::prepared(std::unique_ptr<SQLite::Statement>& slot,
                                         const std::string& sql) {
    if (!slot)
        slot = std::make_unique<SQLite::Statement>(m_db, sql);
    slot->reset();
    slot->clearBindings();
    return *slot;
}

void SqliteStore::begin_write() {
    m_db.exec("BEGIN IMMEDIATE");
}
void SqliteStore::commit() {
    m_db.exec("COMMIT");
}
void SqliteStore::rollback() {
    m_db.tryExec("ROLLBACK");
}

std::optional<Incident> SqliteStore::find_incident(IncidentId id) {
    SQLite::Statement stmt(m_db,
                           fmt::format("SELECT {} FROM incidents WHERE id = ?", incident_columns));
    stmt.bind(1, id);
    if (!stmt.executeStep())
        return std::nullopt;
    return read_incident(stmt);
}

std::optional<Incident> SqliteStore::find_open_by_dedup_key(std::string_view key) {
    SQLite::Statement stmt(
        m_db, fmt::format("SELECT {} FROM incidents WHERE status = 'open' AND dedup_key = ?",
                          incident_columns));
    stmt.bind(1, std::string(key));
    if (!stmt.executeStep())
        return std::nullopt;
    return read_incident(stmt);
}

IncidentId SqliteStore::insert_incident(const Incident& incident) {
    SQLite::Statement stmt(
        m_db, "INSERT INTO incidents (title, scenario, status, phase, severity, owner, services, "
              "affected, dedup_key, eta, opened_at, closed_at, next_update_due, update_interval, "
              "handed_off_at, resolution, root_cause, recurrence, actions, workaround) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    bind_incident(stmt, incident);
    stmt.exec();
    return m_db.getLastInsertRowid();
}

void SqliteStore::save_incident(const Incident& incident) {
    SQLite::Statement stmt(
        m_db, "UPDATE incidents SET title = ?, scenario = ?, status = ?, phase = ?, "
              "severity = ?, owner = ?, services = ?, affected = ?, dedup_key = ?, eta = ?, "
              "opened_at = ?, closed_at = ?, next_update_due = ?, update_interval = ?, "
              "handed_off_at = ?, resolution = ?, root_cause = ?, recurrence = ?, actions = ?, "
              "workaround = ? WHERE id = ?");
    bind_incident(stmt, incident);
    stmt.bind(21, incident.id);
    if (stmt.exec() != 1)
        throw Error(Exit::not_found, fmt::format("no incident {}", incident.id));
}

std::vector<Incident> SqliteStore::list_incidents(const IncidentFilter& filter) {
    std::vector<Incident> incidents;
    each_incident(filter, [&](const Incident& incident) { incidents.push_back(incident); });
    return incidents;
}

void SqliteStore::each_incident(const IncidentFilter& filter,
                                const std::function<void(const Incident&)>& visit) {
    std::string sql = fmt::format("SELECT {} FROM incidents WHERE 1", incident_columns);
    if (filter.status)
        sql += " AND status = :status";
    if (filter.scenario)
        sql += " AND scenario = :scenario";
    if (filter.severity)
        sql += " AND severity = :severity";
    if (filter.opened_since)
        sql += " AND opened_at >= :since";
    sql += " ORDER BY id";
    SQLite::Statement stmt(m_db, sql);
    if (filter.status)
        stmt.bind(":status", std::string(to_string(*filter.status)));
    if (filter.scenario)
        stmt.bind(":scenario", *filter.scenario);
    if (filter.severity)
        stmt.bind(":severity", *filter.severity);
    if (filter.opened_since)
        stmt.bind(":since", format_iso_utc(*filter.opened_since));
    while (stmt.executeStep())
        visit(read_incident(stmt));
}

void SqliteStore::insert_assessment(const AssessmentRecord& assessment) {
    SQLite::Statement stmt(m_db, "INSERT INTO assessments (incident_id, at, actor, answers, "
                                 "severity, rule) VALUES (?, ?, ?, ?, ?, ?)");
    stmt.bind(1, assessment.incident_id);
    stmt.bind(2, format_iso_utc(assessment.at));
    stmt.bind(3, assessment.actor);
    stmt.bind(4, assessment.answers.dump());
    stmt.bind(5, assessment.severity);
    stmt.bind(6, assessment.rule);
    stmt.exec();
}

namespace {

// One row of `SELECT at, actor, answers, severity, rule FROM assessments`.
AssessmentRecord read_assessment(SQLite::Statement& stmt, IncidentId incident) {
    AssessmentRecord record;
    record.incident_id = incident;
    record.at = stored_time(stmt.getColumn(0).getString());
    record.actor = stmt.getColumn(1).getString();
    record.answers = nlohmann::json::parse(stmt.getColumn(2).getString(), nullptr, false);
    if (!record.answers.is_object())
        record.answers = nlohmann::json::object();
    record.severity = stmt.getColumn(3).getString();
    record.rule = stmt.getColumn(4).getString();
    return record;
}

} // namespace

std::optional<AssessmentRecord> SqliteStore::last_assessment(IncidentId incident) {
    SQLite::Statement stmt(m_db, "SELECT at, actor, answers, severity, rule FROM assessments "
                                 "WHERE incident_id = ? ORDER BY id DESC LIMIT 1");
    stmt.bind(1, incident);
    if (!stmt.executeStep())
        return std::nullopt;
    return read_assessment(stmt, incident);
}

std::vector<AssessmentRecord> SqliteStore::assessments(IncidentId incident) {
    SQLite::Statement& stmt = prepared(m_assessments, "SELECT at, actor, answers, severity, rule "
                                                      "FROM assessments WHERE incident_id = ? "
                                                      "ORDER BY id");
    stmt.bind(1, incident);
    std::vector<AssessmentRecord> result;
    while (stmt.executeStep())
        result.push_back(read_assessment(stmt, incident));
    return result;
}

std::vector<StepProgress> SqliteStore::step_progress(IncidentId incident) {
    SQLite::Statement& stmt = prepared(m_steps, "SELECT step_id, state, note, at, actor FROM "
                                                "step_progress WHERE incident_id = ? ORDER BY at, "
                                                "step_id");
    stmt.bind(1, incident);
    std::vector<StepProgress> result;
    while (stmt.executeStep()) {
        StepProgress progress;
        progress.step_id = stmt.getColumn(0).getString();
        progress.state =
            step_state_names.parse(stmt.getColumn(1).getString()).value_or(StepState::done);
        progress.note = column_text(stmt.getColumn(2));
        progress.at = stored_time(stmt.getColumn(3).getString());
        progress.actor = stmt.getColumn(4).getString();
        result.push_back(std::move(progress));
    }
    return result;
}

void SqliteStore::save_step_progress(IncidentId incident, const StepProgress& progress) {
    SQLite::Statement stmt(m_db, "INSERT OR REPLACE INTO step_progress (incident_id, step_id, "
                                 "state, note, at, actor) VALUES (?, ?, ?, ?, ?, ?)");
    stmt.bind(1, incident);
    stmt.bind(2, progress.step_id);
    stmt.bind(3, std::string(to_string(progress.state)));
    bind_text(stmt, 4, progress.note);
    stmt.bind(5, format_iso_utc(progress.at));
    stmt.bind(6, progress.actor);
    stmt.exec();
}

std::vector<Deadline> SqliteStore::deadlines(IncidentId incident) {
    SQLite::Statement& stmt = prepared(m_deadlines, fmt::format("SELECT {} FROM deadlines WHERE "
                                                                "incident_id = ? ORDER BY "
                                                                "due_at, name",
                                                                deadline_columns));
    stmt.bind(1, incident);
    std::vector<Deadline> result;
    while (stmt.executeStep())
        result.push_back(read_deadline(stmt));
    return result;
}

void SqliteStore::save_deadline(const Deadline& deadline) {
    SQLite::Statement stmt(m_db, fmt::format("INSERT OR REPLACE INTO deadlines ({}) VALUES (?, ?, "
                                             "?, ?, ?, ?, ?)",
                                             deadline_columns));
    stmt.bind(1, deadline.incident_id);
    stmt.bind(2, deadline.name);
    stmt.bind(3, deadline.title);
    stmt.bind(4, format_iso_utc(deadline.started_at));
    stmt.bind(5, format_iso_utc(deadline.due_at));
    bind_time(stmt, 6, deadline.met_at);
    bind_text(stmt, 7, deadline.note);
    stmt.exec();
}

UpdateClocks SqliteStore::update_clocks(IncidentId incident) {
    SQLite::Statement& stmt = prepared(
        m_update_clocks, "SELECT audience, due_at FROM update_clocks WHERE incident_id = ?");
    stmt.bind(1, incident);
    UpdateClocks clocks;
    while (stmt.executeStep())
        clocks[stmt.getColumn(0).getString()] = stored_time(stmt.getColumn(1).getString());
    return clocks;
}

void SqliteStore::save_update_clocks(IncidentId incident, const UpdateClocks& clocks) {
    SQLite::Statement remove(m_db, "DELETE FROM update_clocks WHERE incident_id = ?");
    remove.bind(1, incident);
    remove.exec();
    SQLite::Statement insert(
        m_db, "INSERT INTO update_clocks (incident_id, audience, due_at) VALUES (?, ?, ?)");
    for (const auto& [audience, due] : clocks) {
        insert.bind(1, incident);
        insert.bind(2, audience);
        insert.bind(3, format_iso_utc(due));
        insert.exec();
        insert.reset();
    }
}

std::vector<OverdueClock> SqliteStore::overdue_clocks(Timestamp now) {
    SQLite::Statement stmt(m_db, "SELECT c.incident_id, c.audience, c.due_at FROM update_clocks c "
                                 "JOIN incidents i ON i.id = c.incident_id "
                                 "WHERE i.status = 'open' AND " +
                                     passed_before("c.due_at") +
                                     " ORDER BY c.due_at, c.incident_id, c.audience");
    // A clock is due at its time: it has passed before the next second.
    bind_passed_before(stmt, now + std::chrono::seconds{1});
    std::vector<OverdueClock> result;
    while (stmt.executeStep())
        result.push_back({stmt.getColumn(0).getInt64(), stmt.getColumn(1).getString(),
                          stored_time(stmt.getColumn(2).getString())});
    return result;
}

std::vector<Deadline> SqliteStore::deadlines_due_before(Timestamp horizon) {
    SQLite::Statement stmt(
        m_db, "SELECT d.incident_id, d.name, d.title, d.started_at, d.due_at, d.met_at, d.note "
              "FROM deadlines d WHERE d.met_at IS NULL AND " +
                  passed_before("d.due_at") + " ORDER BY d.due_at, d.incident_id, d.name");
    bind_passed_before(stmt, horizon);
    std::vector<Deadline> result;
    while (stmt.executeStep())
        result.push_back(read_deadline(stmt));
    return result;
}

Event SqliteStore::append_event(IncidentId incident, const Stamp& stamp, std::string_view kind,
                                const nlohmann::json& payload) {
    // The caller holds the write lock, so the last event cannot change under us.
    std::int64_t last_id = 0;
    std::string previous{genesis_hash};
    SQLite::Statement last(m_db, "SELECT id, hash FROM events ORDER BY id DESC LIMIT 1");
    if (last.executeStep()) {
        last_id = last.getColumn(0).getInt64();
        previous = last.getColumn(1).getString();
    }
    Event event;
    event.id = last_id + 1;
    event.incident_id = incident;
    event.at = stamp.at;
    event.kind = std::string(kind);
    event.actor = stamp.actor;
    event.payload = payload;
    std::string at_iso = format_iso_utc(stamp.at);
    std::string payload_text = payload.dump();
    event.hash = chain_hash(event.id, incident, at_iso, kind, stamp.actor, payload_text, previous);

    SQLite::Statement insert(m_db, "INSERT INTO events (id, incident_id, at, kind, actor, "
                                   "payload, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, event.id);
    insert.bind(2, incident);
    insert.bind(3, at_iso);
    insert.bind(4, event.kind);
    insert.bind(5, stamp.actor);
    insert.bind(6, payload_text);
    insert.bind(7, previous);
    insert.bind(8, event.hash);
    insert.exec();
    return event;
}

std::vector<Event> SqliteStore::timeline(IncidentId incident) {
    SQLite::Statement& stmt =
        prepared(m_timeline, fmt::format("SELECT {} FROM events WHERE incident_id = ? ORDER BY id",
                                         event_columns));
    stmt.bind(1, incident);
    std::vector<Event> events;
    while (stmt.executeStep())
        events.push_back(read_event(stmt));
    return events;
}

std::string SqliteStore::last_handover_note(IncidentId incident) {
    // Newest first, so the first handover with a note answers. A payload that is not a JSON
    // object is passed over, as the timeline passes it; a note that is not text is an error
    // naming the event.
    SQLite::Statement stmt(m_db, "SELECT id, payload FROM events WHERE incident_id = ? AND "
                                 "kind = ? ORDER BY id DESC");
    stmt.bind(1, incident);
    stmt.bind(2, std::string(to_string(EventKind::handoff)));
    while (stmt.executeStep()) {
        auto payload = nlohmann::json::parse(stmt.getColumn(1).getString(), nullptr, false);
        if (!payload.is_object())
            continue;
        FieldReader fields(payload, "event", stmt.getColumn(0).getInt64(),
                           to_string(EventKind::handoff));
        if (auto note = fields.text("note"))
            return *note;
    }
    return "";
}

void SqliteStore::each_event(const EventFilter& filter,
                             const std::function<void(const Event&)>& visit) {
    std::vector<std::string> conditions;
    if (filter.incident)
        conditions.push_back("incident_id = ?");
    if (!filter.kinds.empty()) {
        std::vector<std::string> marks(filter.kinds.size(), "?");
        conditions.push_back(fmt::format("kind IN ({})", fmt::join(marks, ", ")));
    }
    if (filter.since)
        conditions.push_back("at >= ?");
    std::string where =
        conditions.empty() ? "" : fmt::format(" WHERE {}", fmt::join(conditions, " AND "));
    SQLite::Statement stmt(
        m_db, fmt::format("SELECT {} FROM events{} ORDER BY id", event_columns, where));
    int index = 0;
    if (filter.incident)
        stmt.bind(++index, *filter.incident);
    for (EventKind kind : filter.kinds)
        stmt.bind(++index, std::string(to_string(kind)));
    if (filter.since)
        stmt.bind(++index, format_iso_utc(*filter.since));
    while (stmt.executeStep())
        visit(read_event(stmt));
}

ChainCheck SqliteStore::verify_chain() {
    ChainCheck check;
    std::string previous{genesis_hash};
    SQLite::Statement stmt(m_db, fmt::format("SELECT {} FROM events ORDER BY id", event_columns));
    while (stmt.executeStep()) {
        ++check.events_checked;
        std::string stored_hash = stmt.getColumn(7).getString();
        std::string expected =
            chain_hash(stmt.getColumn(0).getInt64(), stmt.getColumn(1).getInt64(),
                       stmt.getColumn(2).getString(), stmt.getColumn(3).getString(),
                       stmt.getColumn(4).getString(), stmt.getColumn(5).getString(), previous);
        if (stmt.getColumn(6).getString() != previous || stored_hash != expected) {
            Event event;
            event.id = stmt.getColumn(0).getInt64();
            event.incident_id = stmt.getColumn(1).getInt64();
            event.kind = stmt.getColumn(3).getString();
            event.actor = stmt.getColumn(4).getString();
            if (auto at = parse_iso_utc(stmt.getColumn(2).getString()))
                event.at = *at;
            event.hash = stored_hash;
            check.first_mismatch = event;
            return check;
        }
        previous = stored_hash;
    }
    check.head = previous;
    return check;
}

std::int64_t SqliteStore::last_legacy_event() {
    SQLite::Statement stmt(m_db, "SELECT max(last_id) FROM legacy_events");
    stmt.executeStep();
    return stmt.getColumn(0).isNull() ? 0 : stmt.getColumn(0).getInt64();
}

} // namespace outage
