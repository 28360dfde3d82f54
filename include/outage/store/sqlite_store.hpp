#pragma once

#include "outage/store/store.hpp"

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>

#include <memory>

namespace outage {

// The incident log in one SQLite file: WAL, a busy timeout, foreign keys, BEGIN IMMEDIATE.
class SqliteStore final : public Store {
  public:
    // Takes an opened, migrated database.
    explicit SqliteStore(SQLite::Database db);

    void begin_write() override;
    void commit() override;
    void rollback() override;

    std::optional<Incident> find_incident(IncidentId id) override;
    std::optional<Incident> find_open_by_dedup_key(std::string_view key) override;
    IncidentId insert_incident(const Incident& incident) override;
    void save_incident(const Incident& incident) override;
    std::vector<Incident> list_incidents(const IncidentFilter& filter) override;
    void each_incident(const IncidentFilter& filter,
                       const std::function<void(const Incident&)>& visit) override;

    void insert_assessment(const AssessmentRecord& assessment) override;
    std::optional<AssessmentRecord> last_assessment(IncidentId incident) override;
    std::vector<AssessmentRecord> assessments(IncidentId incident) override;
    std::vector<StepProgress> step_progress(IncidentId incident) override;
    void save_step_progress(IncidentId incident, const StepProgress& progress) override;
    std::vector<Deadline> deadlines(IncidentId incident) override;
    void save_deadline(const Deadline& deadline) override;
    UpdateClocks update_clocks(IncidentId incident) override;
    void save_update_clocks(IncidentId incident, const UpdateClocks& clocks) override;
    std::vector<OverdueClock> overdue_clocks(Timestamp now) override;
    std::vector<Deadline> deadlines_due_before(Timestamp horizon) override;

    std::optional<NoticeRecord> find_notice(std::int64_t id) override;
    std::optional<NoticeRecord> find_notice_by_identity(std::string_view identity) override;
    std::int64_t insert_notice(const NoticeRecord& notice) override;
    void set_notice_identity(std::int64_t notice, std::string_view identity) override;
    std::int64_t count_notices(IncidentId incident, std::string_view audience) override;
    std::vector<NoticeRecord> notices(IncidentId incident) override;
    void insert_delivery(const DeliveryRecord& delivery, Timestamp at) override;
    std::vector<DeliveryRecord> unsent_deliveries(std::int64_t notice, std::int64_t after,
                                                  int limit) override;
    std::vector<DeliveryRecord> deliveries(std::int64_t notice, std::int64_t after,
                                           int limit) override;
    void mark_delivery(std::int64_t delivery, DeliveryState state,
                       const std::optional<std::string>& error, Timestamp at) override;
    void schedule_retry(std::int64_t delivery, std::optional<Timestamp> retry_at) override;
    std::vector<DeliveryRecord> claim_deliveries(std::int64_t notice, const Claim& claim,
                                                 const ClaimFilter& filter) override;
    void release_claims(std::int64_t notice, const Claim& claim) override;
    void mark_staged(std::int64_t delivery) override;
    DeliveryCounts delivery_counts(std::int64_t notice) override;
    std::vector<NoticeRecord> notices_with_unsent() override;

    using Store::append_event; // the typed overload, hidden by the override below otherwise
    Event append_event(IncidentId incident, const Stamp& stamp, std::string_view kind,
                       const nlohmann::json& payload) override;
    std::vector<Event> timeline(IncidentId incident) override;
    std::string last_handover_note(IncidentId incident) override;
    void each_event(const EventFilter& filter,
                    const std::function<void(const Event&)>& visit) override;
    ChainCheck verify_chain() override;
    std::int64_t last_legacy_event() override;

  private:
    // The statement in `slot`, prepared from `sql` the first time, reset for another use.
    SQLite::Statement& prepared(std::unique_ptr<SQLite::Statement>& slot, const std::string& sql);

    SQLite::Database m_db;
    // Bulk sends insert and mark deliveries by the hundred thousand: prepare those once.
    std::unique_ptr<SQLite::Statement> m_insert_delivery;
    std::unique_ptr<SQLite::Statement> m_mark_delivery, m_claim_delivery, m_mark_staged;
    // `verify` and `export` read every incident's events, clocks and records: preparing the
    // reads once halves their time on 10,000 incidents.
    std::unique_ptr<SQLite::Statement> m_timeline, m_update_clocks, m_assessments, m_steps,
        m_deadlines, m_notices;
};

} // namespace outage
