// SqliteStore's notices and deliveries: what notify, outbox and the all-clears read and
// write, kept apart from the incidents and events of sqlite_store.cpp.
#include "outage/store/sqlite_store.hpp"

#include "outage/model/error.hpp"
#include "outage/store/rows.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

namespace outage {

std::optional<NoticeRecord> SqliteStore::find_notice(std::int64_t id) {
    SQLite::Statement stmt(m_db,
                           fmt::format("SELECT {} FROM notices WHERE id = ?", notice_columns));
    stmt.bind(1, id);
    if (!stmt.executeStep())
        return std::nullopt;
    return read_notice(stmt);
}

std::optional<NoticeRecord> SqliteStore::find_notice_by_identity(std::string_view identity) {
    SQLite::Statement stmt(
        m_db, fmt::format("SELECT {} FROM notices WHERE identity = ?", notice_columns));
    stmt.bind(1, std::string(identity));
    if (!stmt.executeStep())
        return std::nullopt;
    return read_notice(stmt);
}

std::int64_t SqliteStore::insert_notice(const NoticeRecord& notice) {
    SQLite::Statement stmt(m_db, "INSERT INTO notices (incident_id, identity, audience, "
                                 "template, channel, fields, created_at, actor) "
                                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    stmt.bind(1, notice.incident_id);
    stmt.bind(2, notice.identity);
    stmt.bind(3, notice.audience);
    stmt.bind(4, notice.template_name);
    stmt.bind(5, notice.channel);
    stmt.bind(6, notice.fields.dump());
    stmt.bind(7, format_iso_utc(notice.created_at));
    stmt.bind(8, notice.actor);
    stmt.exec();
    return m_db.getLastInsertRowid();
}

void SqliteStore::set_notice_identity(std::int64_t notice, std::string_view identity) {
    SQLite::Statement stmt(m_db, "UPDATE notices SET identity = ? WHERE id = ?");
    stmt.bind(1, std::string(identity));
    stmt.bind(2, notice);
    if (stmt.exec() != 1)
        throw Error(Exit::not_found, fmt::format("no notice {}", notice));
}

std::int64_t SqliteStore::count_notices(IncidentId incident, std::string_view audience) {
    SQLite::Statement stmt(m_db,
                           "SELECT count(*) FROM notices WHERE incident_id = ? AND audience = ?");
    stmt.bind(1, incident);
    stmt.bind(2, std::string(audience));
    stmt.executeStep();
    return stmt.getColumn(0).getInt64();
}

std::vector<NoticeRecord> SqliteStore::notices(IncidentId incident) {
    SQLite::Statement& stmt =
        prepared(m_notices, fmt::format("SELECT {} FROM notices WHERE incident_id = ? ORDER BY id",
                                        notice_columns));
    stmt.bind(1, incident);
    std::vector<NoticeRecord> result;
    while (stmt.executeStep())
        result.push_back(read_notice(stmt));
    return result;
}

void SqliteStore::insert_delivery(const DeliveryRecord& delivery, Timestamp at) {
    if (!m_insert_delivery)
        m_insert_delivery = std::make_unique<SQLite::Statement>(
            m_db, "INSERT OR IGNORE INTO deliveries (notice_id, recipient, lang, fields, state, "
                  "updated_at) VALUES (?, ?, ?, ?, 'pending', ?)");
    SQLite::Statement& stmt = *m_insert_delivery;
    stmt.reset();
    stmt.bind(1, delivery.notice_id);
    stmt.bind(2, delivery.recipient);
    stmt.bind(3, delivery.lang);
    stmt.bind(4, delivery.columns.dump());
    stmt.bind(5, format_iso_utc(at));
    stmt.exec();
}

namespace {

// Up to `limit` deliveries of one notice with an id above `after`: all, or only those not sent.
std::vector<DeliveryRecord> select_deliveries(SQLite::Database& db, std::int64_t notice,
                                              std::int64_t after, int limit, bool unsent_only) {
    SQLite::Statement stmt(db, fmt::format("SELECT id, recipient, lang, fields, state, attempts, "
                                           "last_error FROM deliveries WHERE notice_id = ? {}AND "
                                           "id > ? ORDER BY id LIMIT ?",
                                           unsent_only ? "AND state <> 'sent' " : ""));
    stmt.bind(1, notice);
    stmt.bind(2, after);
    stmt.bind(3, limit);
    std::vector<DeliveryRecord> result;
    while (stmt.executeStep()) {
        DeliveryRecord delivery;
        delivery.id = stmt.getColumn(0).getInt64();
        delivery.notice_id = notice;
        delivery.recipient = stmt.getColumn(1).getString();
        delivery.lang = stmt.getColumn(2).getString();
        delivery.columns = nlohmann::json::parse(stmt.getColumn(3).getString(), nullptr, false);
        std::string state = stmt.getColumn(4).getString();
        delivery.state = delivery_state_names.parse(state).value_or(DeliveryState::pending);
        delivery.attempts = stmt.getColumn(5).getInt();
        delivery.last_error = column_text(stmt.getColumn(6));
        result.push_back(std::move(delivery));
    }
    return result;
}

} // namespace

std::vector<DeliveryRecord> SqliteStore::unsent_deliveries(std::int64_t notice, std::int64_t after,
                                                           int limit) {
    return select_deliveries(m_db, notice, after, limit, true);
}

std::vector<DeliveryRecord> SqliteStore::deliveries(std::int64_t notice, std::int64_t after,
                                                    int limit) {
    return select_deliveries(m_db, notice, after, limit, false);
}

void SqliteStore::mark_delivery(std::int64_t delivery, DeliveryState state,
                                const std::optional<std::string>& error, Timestamp at) {
    if (!m_mark_delivery)
        m_mark_delivery = std::make_unique<SQLite::Statement>(
            m_db, "UPDATE deliveries SET state = ?, last_error = ?, attempts = attempts + 1, "
                  "updated_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END "
                  "WHERE id = ?");
    SQLite::Statement& stmt = *m_mark_delivery;
    stmt.reset();
    std::string state_text(to_string(state));
    std::string at_text = format_iso_utc(at);
    stmt.bind(1, state_text);
    bind_text(stmt, 2, error);
    stmt.bind(3, at_text);
    stmt.bind(4, state_text);
    stmt.bind(5, at_text);
    stmt.bind(6, delivery);
    stmt.exec();
}

DeliveryCounts SqliteStore::delivery_counts(std::int64_t notice) {
    SQLite::Statement stmt(m_db, "SELECT state, count(*) FROM deliveries WHERE notice_id = ? "
                                 "GROUP BY state");
    stmt.bind(1, notice);
    DeliveryCounts counts;
    while (stmt.executeStep()) {
        std::string state = stmt.getColumn(0).getString();
        std::int64_t n = stmt.getColumn(1).getInt64();
        (state == "sent" ? counts.sent : state == "failed" ? counts.failed : counts.pending) = n;
    }
    return counts;
}

std::vector<NoticeRecord> SqliteStore::notices_with_unsent() {
    SQLite::Statement stmt(
        m_db, fmt::format("SELECT {} FROM notices WHERE id IN (SELECT DISTINCT notice_id FROM "
                          "deliveries WHERE state <> 'sent') ORDER BY id",
                          notice_columns));
    std::vector<NoticeRecord> result;
    while (stmt.executeStep())
        result.push_back(read_notice(stmt));
    return result;
}

} // namespace outage
