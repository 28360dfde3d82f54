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

constexpr const char* delivery_columns =
    "id, recipient, lang, fields, state, attempts, last_error, claim_host, claim_pid, "
    "claim_started, claimed_at, staged, permanent, retry_at";

DeliveryRecord read_delivery(SQLite::Statement& stmt, std::int64_t notice) {
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
    if (auto host = column_text(stmt.getColumn(7)))
        delivery.claim =
            Claim{.host = *host,
                  .pid = stmt.getColumn(8).getInt64(),
                  .started = stmt.getColumn(9).getInt64(),
                  .at = parse_iso_utc(stmt.getColumn(10).getString()).value_or(Timestamp{})};
    delivery.staged = stmt.getColumn(11).getInt() != 0;
    delivery.permanent = stmt.getColumn(12).getInt() != 0;
    if (auto retry = column_text(stmt.getColumn(13)))
        delivery.retry_at = parse_iso_utc(*retry);
    return delivery;
}

// Up to `limit` deliveries of one notice with an id above `after`: all, or only those not sent.
std::vector<DeliveryRecord> select_deliveries(SQLite::Database& db, std::int64_t notice,
                                              std::int64_t after, int limit, bool unsent_only) {
    SQLite::Statement stmt(db, fmt::format("SELECT {} FROM deliveries WHERE notice_id = ? {}AND "
                                           "id > ? ORDER BY id LIMIT ?",
                                           delivery_columns,
                                           unsent_only ? "AND state <> 'sent' " : ""));
    stmt.bind(1, notice);
    stmt.bind(2, after);
    stmt.bind(3, limit);
    std::vector<DeliveryRecord> result;
    while (stmt.executeStep())
        result.push_back(read_delivery(stmt, notice));
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
                  "updated_at = ?, sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, "
                  "claim_host = NULL, claim_pid = NULL, claim_started = NULL, claimed_at = NULL, "
                  "staged = 0, permanent = 0, retry_at = NULL WHERE id = ?");
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

void SqliteStore::schedule_retry(std::int64_t delivery, std::optional<Timestamp> retry_at) {
    SQLite::Statement stmt(m_db, "UPDATE deliveries SET permanent = ?, retry_at = ? WHERE id = ?");
    stmt.bind(1, retry_at ? 0 : 1);
    bind_text(stmt, 2, retry_at ? std::optional(format_iso_utc(*retry_at)) : std::nullopt);
    stmt.bind(3, delivery);
    stmt.exec();
}

std::vector<DeliveryRecord> SqliteStore::claim_deliveries(std::int64_t notice, const Claim& claim,
                                                          const ClaimFilter& filter) {
    // Walked in pages: deliveries another live sender holds are passed over, not counted.
    constexpr int page = 1000;
    std::vector<DeliveryRecord> claimed;
    std::int64_t after = filter.after;
    while (static_cast<int>(claimed.size()) < filter.limit) {
        auto batch = select_deliveries(m_db, notice, after, page, true);
        for (auto& delivery : batch) {
            after = delivery.id;
            if (may_claim(delivery, filter))
                claimed.push_back(std::move(delivery));
            if (static_cast<int>(claimed.size()) == filter.limit)
                break;
        }
        if (static_cast<int>(batch.size()) < page)
            break;
    }
    SQLite::Statement& stmt = prepared(
        m_claim_delivery, "UPDATE deliveries SET claim_host = ?, claim_pid = ?, claim_started = ?, "
                          "claimed_at = ? WHERE id = ?");
    std::string at = format_iso_utc(claim.at);
    for (const auto& delivery : claimed) {
        stmt.reset();
        stmt.bind(1, claim.host);
        stmt.bind(2, claim.pid);
        stmt.bind(3, claim.started);
        stmt.bind(4, at);
        stmt.bind(5, delivery.id);
        stmt.exec();
    }
    return claimed;
}

void SqliteStore::release_claims(std::int64_t notice, const Claim& claim) {
    SQLite::Statement stmt(m_db, "UPDATE deliveries SET claim_host = NULL, claim_pid = NULL, "
                                 "claim_started = NULL, claimed_at = NULL WHERE notice_id = ? AND "
                                 "claim_host = ? AND claim_pid = ? AND claim_started = ?");
    stmt.bind(1, notice);
    stmt.bind(2, claim.host);
    stmt.bind(3, claim.pid);
    stmt.bind(4, claim.started);
    stmt.exec();
}

void SqliteStore::mark_staged(std::int64_t delivery) {
    SQLite::Statement& stmt =
        prepared(m_mark_staged, "UPDATE deliveries SET staged = 1 WHERE id = ?");
    stmt.bind(1, delivery);
    stmt.exec();
}

DeliveryCounts SqliteStore::delivery_counts(std::int64_t notice) {
    SQLite::Statement stmt(m_db, "SELECT state, count(*), sum(permanent) FROM deliveries WHERE "
                                 "notice_id = ? GROUP BY state");
    stmt.bind(1, notice);
    DeliveryCounts counts;
    while (stmt.executeStep()) {
        std::string state = stmt.getColumn(0).getString();
        std::int64_t n = stmt.getColumn(1).getInt64();
        (state == "sent" ? counts.sent : state == "failed" ? counts.failed : counts.pending) = n;
        if (state == "failed")
            counts.permanent = stmt.getColumn(2).getInt64();
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
