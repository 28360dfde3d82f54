#pragma once

#include "outage/store/store.hpp"

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// The incident log in memory, for tests of the services: plain vectors searched in order.
// begin_write takes a snapshot that rollback restores, so "a failed command leaves the log
// as it was" can be checked with dump(). Transactions do not nest; writing outside one is an
// error, as it is for the real log.
class FakeStore final : public outage::Store {
  public:
    void begin_write() override;
    void commit() override;
    void rollback() override;

    std::optional<outage::Incident> find_incident(outage::IncidentId id) override;
    std::optional<outage::Incident> find_open_by_dedup_key(std::string_view key) override;
    outage::IncidentId insert_incident(const outage::Incident& incident) override;
    void save_incident(const outage::Incident& incident) override;
    std::vector<outage::Incident> list_incidents(const outage::IncidentFilter& filter) override;
    void each_incident(const outage::IncidentFilter& filter,
                       const std::function<void(const outage::Incident&)>& visit) override;

    void insert_assessment(const outage::AssessmentRecord& assessment) override;
    std::optional<outage::AssessmentRecord> last_assessment(outage::IncidentId incident) override;
    std::vector<outage::AssessmentRecord> assessments(outage::IncidentId incident) override;
    std::vector<outage::StepProgress> step_progress(outage::IncidentId incident) override;
    void save_step_progress(outage::IncidentId incident,
                            const outage::StepProgress& progress) override;
    std::vector<outage::Deadline> deadlines(outage::IncidentId incident) override;
    void save_deadline(const outage::Deadline& deadline) override;
    outage::UpdateClocks update_clocks(outage::IncidentId incident) override;
    void save_update_clocks(outage::IncidentId incident,
                            const outage::UpdateClocks& clocks) override;
    std::vector<outage::OverdueClock> overdue_clocks(outage::Timestamp now) override;
    std::vector<outage::Deadline> deadlines_due_before(outage::Timestamp horizon) override;

    std::optional<outage::NoticeRecord> find_notice(std::int64_t id) override;
    std::optional<outage::NoticeRecord> find_notice_by_identity(std::string_view identity) override;
    std::int64_t insert_notice(const outage::NoticeRecord& notice) override;
    void set_notice_identity(std::int64_t notice, std::string_view identity) override;
    std::int64_t count_notices(outage::IncidentId incident, std::string_view audience) override;
    std::vector<outage::NoticeRecord> notices(outage::IncidentId incident) override;
    void insert_delivery(const outage::DeliveryRecord& delivery, outage::Timestamp at) override;
    std::vector<outage::DeliveryRecord> unsent_deliveries(std::int64_t notice, std::int64_t after,
                                                          int limit) override;
    std::vector<outage::DeliveryRecord> deliveries(std::int64_t notice, std::int64_t after,
                                                   int limit) override;
    void mark_delivery(std::int64_t delivery, outage::DeliveryState state,
                       const std::optional<std::string>& error, outage::Timestamp at) override;
    void schedule_retry(std::int64_t delivery, std::optional<outage::Timestamp> retry_at) override;
    std::vector<outage::DeliveryRecord>
    claim_deliveries(std::int64_t notice, const outage::Claim& claim,
                     const outage::ClaimFilter& filter) override;
    void release_claims(std::int64_t notice, const outage::Claim& claim) override;
    void mark_staged(std::int64_t delivery) override;
    outage::DeliveryCounts delivery_counts(std::int64_t notice) override;
    std::vector<outage::NoticeRecord> notices_with_unsent() override;

    outage::Event append_event(outage::IncidentId incident, const outage::Stamp& stamp,
                               std::string_view kind, const nlohmann::json& payload) override;
    std::vector<outage::Event> timeline(outage::IncidentId incident) override;
    std::string last_handover_note(outage::IncidentId incident) override;
    void each_event(const outage::EventFilter& filter,
                    const std::function<void(const outage::Event&)>& visit) override;
    outage::ChainCheck verify_chain() override;
    std::int64_t last_legacy_event() override { return m_last_legacy_event; }
    // As if an older outage had written the events so far (a log migrated to schema 4).
    void mark_events_legacy() {
        m_last_legacy_event = static_cast<std::int64_t>(m_data.events.size());
    }
    // Changes stored state behind the services' back, as someone with the sqlite3 shell would.
    template <typename Edit> void tamper(Edit&& edit) { edit(m_data); }

    // Everything stored, as JSON text: equal dumps mean equal logs.
    std::string dump() const;
    // How many write transactions were begun and committed.
    int writes_begun() const { return m_writes_begun; }
    int commits() const { return m_commits; }

    struct Data {
        std::vector<outage::Incident> incidents;
        std::vector<outage::AssessmentRecord> assessments;
        std::vector<std::pair<outage::IncidentId, outage::StepProgress>> steps;
        std::vector<outage::Deadline> deadlines;
        std::map<outage::IncidentId, outage::UpdateClocks> clocks;
        std::vector<outage::NoticeRecord> notices;
        std::vector<outage::DeliveryRecord> deliveries;
        std::vector<outage::Event> events;
    };

  private:
    // Throws unless a write transaction is open.
    void writing(const char* what) const;
    outage::Incident* incident_by_id(outage::IncidentId id);
    outage::DeliveryRecord* delivery_by_id(std::int64_t id);
    std::vector<outage::DeliveryRecord> page(std::int64_t notice, std::int64_t after, int limit,
                                             bool unsent_only) const;

    Data m_data;
    std::optional<Data> m_snapshot; // set while a write transaction is open
    int m_writes_begun = 0;
    std::int64_t m_last_legacy_event = 0;
    int m_commits = 0;
};
