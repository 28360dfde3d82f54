#include "outage/store/error_translating_store.hpp"

#include "outage/model/error.hpp"

#include <SQLiteCpp/Exception.h>
#include <fmt/format.h>
#include <sqlite3.h>

namespace outage {
namespace {

// SQLite's exceptions stop here: above the store, every failure is an outage::Error naming
// the log (docs/architecture.md#what-each-layer-may-include).
class ErrorTranslatingStore final : public Store {
  public:
    ErrorTranslatingStore(std::unique_ptr<Store> inner, std::string path)
        : m_inner(std::move(inner)), m_path(std::move(path)) {}

    void begin_write() override {
        guarded([&] { m_inner->begin_write(); });
    }
    void commit() override {
        guarded([&] { m_inner->commit(); });
    }
    void rollback() override {
        guarded([&] { m_inner->rollback(); });
    }
    std::optional<Incident> find_incident(IncidentId id) override {
        return guarded([&] { return m_inner->find_incident(id); });
    }
    std::optional<Incident> find_open_by_dedup_key(std::string_view key) override {
        return guarded([&] { return m_inner->find_open_by_dedup_key(key); });
    }
    IncidentId insert_incident(const Incident& incident) override {
        return guarded([&] { return m_inner->insert_incident(incident); });
    }
    void save_incident(const Incident& incident) override {
        guarded([&] { m_inner->save_incident(incident); });
    }
    std::vector<Incident> list_incidents(const IncidentFilter& filter) override {
        return guarded([&] { return m_inner->list_incidents(filter); });
    }
    void each_incident(const IncidentFilter& filter,
                       const std::function<void(const Incident&)>& visit) override {
        guarded([&] { m_inner->each_incident(filter, visit); });
    }
    void insert_assessment(const AssessmentRecord& assessment) override {
        guarded([&] { m_inner->insert_assessment(assessment); });
    }
    std::optional<AssessmentRecord> last_assessment(IncidentId incident) override {
        return guarded([&] { return m_inner->last_assessment(incident); });
    }
    std::vector<AssessmentRecord> assessments(IncidentId incident) override {
        return guarded([&] { return m_inner->assessments(incident); });
    }
    std::vector<StepProgress> step_progress(IncidentId incident) override {
        return guarded([&] { return m_inner->step_progress(incident); });
    }
    void save_step_progress(IncidentId incident, const StepProgress& progress) override {
        guarded([&] { m_inner->save_step_progress(incident, progress); });
    }
    std::vector<Deadline> deadlines(IncidentId incident) override {
        return guarded([&] { return m_inner->deadlines(incident); });
    }
    void save_deadline(const Deadline& deadline) override {
        guarded([&] { m_inner->save_deadline(deadline); });
    }
    UpdateClocks update_clocks(IncidentId incident) override {
        return guarded([&] { return m_inner->update_clocks(incident); });
    }
    void save_update_clocks(IncidentId incident, const UpdateClocks& clocks) override {
        guarded([&] { m_inner->save_update_clocks(incident, clocks); });
    }
    std::vector<OverdueClock> overdue_clocks(Timestamp now) override {
        return guarded([&] { return m_inner->overdue_clocks(now); });
    }
    std::vector<Deadline> deadlines_due_before(Timestamp horizon) override {
        return guarded([&] { return m_inner->deadlines_due_before(horizon); });
    }
    std::optional<NoticeRecord> find_notice(std::int64_t id) override {
        return guarded([&] { return m_inner->find_notice(id); });
    }
    std::optional<NoticeRecord> find_notice_by_identity(std::string_view identity) override {
        return guarded([&] { return m_inner->find_notice_by_identity(identity); });
    }
    std::int64_t insert_notice(const NoticeRecord& notice) override {
        return guarded([&] { return m_inner->insert_notice(notice); });
    }
    void set_notice_identity(std::int64_t notice, std::string_view identity) override {
        guarded([&] { m_inner->set_notice_identity(notice, identity); });
    }
    std::int64_t count_notices(IncidentId incident, std::string_view audience) override {
        return guarded([&] { return m_inner->count_notices(incident, audience); });
    }
    std::vector<NoticeRecord> notices(IncidentId incident) override {
        return guarded([&] { return m_inner->notices(incident); });
    }
    void insert_delivery(const DeliveryRecord& delivery, Timestamp at) override {
        guarded([&] { m_inner->insert_delivery(delivery, at); });
    }
    std::vector<DeliveryRecord> unsent_deliveries(std::int64_t notice, std::int64_t after,
                                                  int limit) override {
        return guarded([&] { return m_inner->unsent_deliveries(notice, after, limit); });
    }
    std::vector<DeliveryRecord> deliveries(std::int64_t notice, std::int64_t after,
                                           int limit) override {
        return guarded([&] { return m_inner->deliveries(notice, after, limit); });
    }
    void mark_delivery(std::int64_t delivery, DeliveryState state,
                       const std::optional<std::string>& error, Timestamp at) override {
        guarded([&] { m_inner->mark_delivery(delivery, state, error, at); });
    }
    void schedule_retry(std::int64_t delivery, std::optional<Timestamp> retry_at) override {
        guarded([&] { m_inner->schedule_retry(delivery, retry_at); });
    }
    std::vector<DeliveryRecord> claim_deliveries(std::int64_t notice, const Claim& claim,
                                                 const ClaimFilter& filter) override {
        return guarded([&] { return m_inner->claim_deliveries(notice, claim, filter); });
    }
    void release_claims(std::int64_t notice, const Claim& claim) override {
        guarded([&] { m_inner->release_claims(notice, claim); });
    }
    void mark_staged(std::int64_t delivery) override {
        guarded([&] { m_inner->mark_staged(delivery); });
    }
    DeliveryCounts delivery_counts(std::int64_t notice) override {
        return guarded([&] { return m_inner->delivery_counts(notice); });
    }
    std::vector<NoticeRecord> notices_with_unsent() override {
        return guarded([&] { return m_inner->notices_with_unsent(); });
    }
    Event append_event(IncidentId incident, const Stamp& stamp, std::string_view kind,
                       const nlohmann::json& payload) override {
        return guarded([&] { return m_inner->append_event(incident, stamp, kind, payload); });
    }
    std::vector<Event> timeline(IncidentId incident) override {
        return guarded([&] { return m_inner->timeline(incident); });
    }
    std::string last_handover_note(IncidentId incident) override {
        return guarded([&] { return m_inner->last_handover_note(incident); });
    }
    void each_event(const EventFilter& filter,
                    const std::function<void(const Event&)>& visit) override {
        guarded([&] { m_inner->each_event(filter, visit); });
    }
    ChainCheck verify_chain() override {
        return guarded([&] { return m_inner->verify_chain(); });
    }
    std::int64_t last_legacy_event() override {
        return guarded([&] { return m_inner->last_legacy_event(); });
    }

  private:
    template <typename Work> auto guarded(Work&& work) -> decltype(work()) {
        try {
            return work();
        } catch (const SQLite::Exception& e) {
            throw log_error(m_path, e.getErrorCode(), e.what());
        }
    }

    std::unique_ptr<Store> m_inner;
    std::string m_path;
};

} // namespace

Error log_error(const std::string& path, int sqlite_code, const std::string& message) {
    // A full disk shows up as SQLITE_FULL, or as an I/O error when a write is cut short.
    int primary = sqlite_code & 0xff;
    bool full = primary == SQLITE_FULL || primary == SQLITE_IOERR;
    return Error(Exit::runtime, fmt::format("incident log {}: {}{}", path, message,
                                            full ? " (is the disk full?)" : ""));
}

std::unique_ptr<Store> translate_errors(std::unique_ptr<Store> store, std::string path) {
    return std::make_unique<ErrorTranslatingStore>(std::move(store), std::move(path));
}

} // namespace outage
