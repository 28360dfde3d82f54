#include "fake_store.hpp"

#include "outage/model/error.hpp"
#include "outage/store/hash_chain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <tuple>

using namespace outage;
using nlohmann::json;
using std::chrono::seconds;

namespace {

// The items of `all` that `keep` holds for, in order.
template <typename T, typename Keep> std::vector<T> where(const std::vector<T>& all, Keep keep) {
    std::vector<T> result;
    std::copy_if(all.begin(), all.end(), std::back_inserter(result), keep);
    return result;
}

bool matches(const Incident& incident, const IncidentFilter& filter) {
    return (!filter.status || incident.status == *filter.status) &&
           (!filter.scenario || incident.scenario == *filter.scenario) &&
           (!filter.severity || incident.severity == *filter.severity) &&
           (!filter.opened_since || incident.opened_at >= *filter.opened_since);
}

} // namespace

void FakeStore::begin_write() {
    if (m_snapshot)
        throw std::logic_error("FakeStore: begin_write inside a write transaction");
    m_snapshot = m_data;
    ++m_writes_begun;
}

void FakeStore::commit() {
    if (!m_snapshot)
        throw std::logic_error("FakeStore: commit without begin_write");
    m_snapshot.reset();
    ++m_commits;
}

void FakeStore::rollback() {
    // Like SQLite's ROLLBACK as the store issues it (tryExec): harmless without a transaction.
    if (m_snapshot)
        m_data = std::move(*m_snapshot);
    m_snapshot.reset();
}

void FakeStore::writing(const char* what) const {
    if (!m_snapshot)
        throw std::logic_error(fmt::format("FakeStore: {} outside a write transaction", what));
}

Incident* FakeStore::incident_by_id(IncidentId id) {
    for (auto& incident : m_data.incidents)
        if (incident.id == id)
            return &incident;
    return nullptr;
}

DeliveryRecord* FakeStore::delivery_by_id(std::int64_t id) {
    for (auto& delivery : m_data.deliveries)
        if (delivery.id == id)
            return &delivery;
    return nullptr;
}

std::optional<Incident> FakeStore::find_incident(IncidentId id) {
    if (auto* incident = incident_by_id(id))
        return *incident;
    return std::nullopt;
}

std::optional<Incident> FakeStore::find_open_by_dedup_key(std::string_view key) {
    for (const auto& incident : m_data.incidents)
        if (incident.status == Status::open && incident.dedup_key == key)
            return incident;
    return std::nullopt;
}

IncidentId FakeStore::insert_incident(const Incident& incident) {
    writing("insert_incident");
    Incident stored = incident;
    stored.id = m_data.incidents.empty() ? 1 : m_data.incidents.back().id + 1;
    m_data.incidents.push_back(stored);
    return stored.id;
}

void FakeStore::save_incident(const Incident& incident) {
    writing("save_incident");
    Incident* stored = incident_by_id(incident.id);
    if (!stored)
        throw Error(Exit::not_found, fmt::format("no incident {}", incident.id));
    *stored = incident;
}

std::vector<Incident> FakeStore::list_incidents(const IncidentFilter& filter) {
    std::vector<Incident> result;
    each_incident(filter, [&](const Incident& incident) { result.push_back(incident); });
    return result;
}

void FakeStore::each_incident(const IncidentFilter& filter,
                              const std::function<void(const Incident&)>& visit) {
    for (const auto& incident : m_data.incidents)
        if (matches(incident, filter))
            visit(incident);
}

void FakeStore::insert_assessment(const AssessmentRecord& assessment) {
    writing("insert_assessment");
    m_data.assessments.push_back(assessment);
}

std::optional<AssessmentRecord> FakeStore::last_assessment(IncidentId incident) {
    for (auto it = m_data.assessments.rbegin(); it != m_data.assessments.rend(); ++it)
        if (it->incident_id == incident)
            return *it;
    return std::nullopt;
}

std::vector<AssessmentRecord> FakeStore::assessments(IncidentId incident) {
    return where(m_data.assessments,
                 [&](const AssessmentRecord& a) { return a.incident_id == incident; });
}

std::vector<StepProgress> FakeStore::step_progress(IncidentId incident) {
    std::vector<StepProgress> result;
    for (const auto& [id, progress] : m_data.steps)
        if (id == incident)
            result.push_back(progress);
    std::stable_sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
        return std::tie(a.at, a.step_id) < std::tie(b.at, b.step_id);
    });
    return result;
}

void FakeStore::save_step_progress(IncidentId incident, const StepProgress& progress) {
    writing("save_step_progress");
    std::erase_if(m_data.steps, [&](const auto& step) {
        return step.first == incident && step.second.step_id == progress.step_id;
    });
    m_data.steps.emplace_back(incident, progress);
}

std::vector<Deadline> FakeStore::deadlines(IncidentId incident) {
    auto result =
        where(m_data.deadlines, [&](const Deadline& d) { return d.incident_id == incident; });
    std::stable_sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
        return std::tie(a.due_at, a.name) < std::tie(b.due_at, b.name);
    });
    return result;
}

void FakeStore::save_deadline(const Deadline& deadline) {
    writing("save_deadline");
    std::erase_if(m_data.deadlines, [&](const Deadline& d) {
        return d.incident_id == deadline.incident_id && d.name == deadline.name;
    });
    m_data.deadlines.push_back(deadline);
}

UpdateClocks FakeStore::update_clocks(IncidentId incident) {
    auto found = m_data.clocks.find(incident);
    return found == m_data.clocks.end() ? UpdateClocks{} : found->second;
}

void FakeStore::save_update_clocks(IncidentId incident, const UpdateClocks& clocks) {
    writing("save_update_clocks");
    if (clocks.empty())
        m_data.clocks.erase(incident);
    else
        m_data.clocks[incident] = clocks;
}

std::vector<OverdueClock> FakeStore::overdue_clocks(Timestamp now) {
    std::vector<OverdueClock> result;
    for (const auto& [incident, clocks] : m_data.clocks)
        for (const auto& [audience, due] : clocks) {
            auto found = find_incident(incident);
            if (found && found->status == Status::open && has_passed(due, now + seconds{1}))
                result.push_back({incident, audience, due});
        }
    std::stable_sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
        return std::tie(a.due_at, a.incident_id, a.audience) <
               std::tie(b.due_at, b.incident_id, b.audience);
    });
    return result;
}

std::vector<Deadline> FakeStore::deadlines_due_before(Timestamp horizon) {
    auto result = where(m_data.deadlines, [&](const Deadline& d) {
        return !d.met_at && has_passed(d.due_at, horizon);
    });
    std::stable_sort(result.begin(), result.end(), [](const auto& a, const auto& b) {
        return std::tie(a.due_at, a.incident_id, a.name) <
               std::tie(b.due_at, b.incident_id, b.name);
    });
    return result;
}

std::optional<NoticeRecord> FakeStore::find_notice(std::int64_t id) {
    for (const auto& notice : m_data.notices)
        if (notice.id == id)
            return notice;
    return std::nullopt;
}

std::optional<NoticeRecord> FakeStore::find_notice_by_identity(std::string_view identity) {
    for (const auto& notice : m_data.notices)
        if (notice.identity == identity)
            return notice;
    return std::nullopt;
}

std::int64_t FakeStore::insert_notice(const NoticeRecord& notice) {
    writing("insert_notice");
    if (find_notice_by_identity(notice.identity))
        throw std::logic_error("FakeStore: a notice with this identity exists (UNIQUE)");
    if (!find_incident(notice.incident_id))
        throw std::logic_error("FakeStore: a notice of no incident (FOREIGN KEY)");
    NoticeRecord stored = notice;
    stored.id = m_data.notices.empty() ? 1 : m_data.notices.back().id + 1;
    m_data.notices.push_back(stored);
    return stored.id;
}

void FakeStore::set_notice_identity(std::int64_t notice, std::string_view identity) {
    writing("set_notice_identity");
    if (auto other = find_notice_by_identity(identity); other && other->id != notice)
        throw std::logic_error("FakeStore: a notice with this identity exists (UNIQUE)");
    for (auto& stored : m_data.notices)
        if (stored.id == notice) {
            stored.identity = std::string(identity);
            return;
        }
    throw Error(Exit::not_found, fmt::format("no notice {}", notice));
}

std::int64_t FakeStore::count_notices(IncidentId incident, std::string_view audience) {
    return std::count_if(m_data.notices.begin(), m_data.notices.end(), [&](const auto& n) {
        return n.incident_id == incident && n.audience == audience;
    });
}

std::vector<NoticeRecord> FakeStore::notices(IncidentId incident) {
    return where(m_data.notices, [&](const NoticeRecord& n) { return n.incident_id == incident; });
}

void FakeStore::insert_delivery(const DeliveryRecord& delivery, Timestamp) {
    writing("insert_delivery");
    if (!find_notice(delivery.notice_id))
        throw std::logic_error("FakeStore: a delivery of no notice (FOREIGN KEY)");
    for (const auto& stored : m_data.deliveries)
        if (stored.notice_id == delivery.notice_id && stored.recipient == delivery.recipient)
            return; // INSERT OR IGNORE on UNIQUE (notice_id, recipient)
    DeliveryRecord stored = delivery;
    stored.id = m_data.deliveries.empty() ? 1 : m_data.deliveries.back().id + 1;
    stored.state = DeliveryState::pending;
    stored.attempts = 0;
    stored.last_error.reset();
    m_data.deliveries.push_back(stored);
}

std::vector<DeliveryRecord> FakeStore::page(std::int64_t notice, std::int64_t after, int limit,
                                            bool unsent_only) const {
    std::vector<DeliveryRecord> result;
    for (const auto& delivery : m_data.deliveries) {
        if (static_cast<int>(result.size()) == limit)
            break;
        if (delivery.notice_id == notice && delivery.id > after &&
            !(unsent_only && delivery.state == DeliveryState::sent))
            result.push_back(delivery);
    }
    return result;
}

std::vector<DeliveryRecord> FakeStore::unsent_deliveries(std::int64_t notice, std::int64_t after,
                                                         int limit) {
    return page(notice, after, limit, true);
}

std::vector<DeliveryRecord> FakeStore::deliveries(std::int64_t notice, std::int64_t after,
                                                  int limit) {
    return page(notice, after, limit, false);
}

void FakeStore::mark_delivery(std::int64_t delivery, DeliveryState state,
                              const std::optional<std::string>& error, Timestamp) {
    writing("mark_delivery");
    if (DeliveryRecord* stored = delivery_by_id(delivery)) {
        stored->state = state;
        stored->last_error = error;
        ++stored->attempts;
        stored->claim.reset();
        stored->staged = false;
        stored->permanent = false;
        stored->retry_at.reset();
    }
}

void FakeStore::schedule_retry(std::int64_t delivery, std::optional<Timestamp> retry_at) {
    writing("schedule_retry");
    if (DeliveryRecord* stored = delivery_by_id(delivery)) {
        stored->permanent = !retry_at;
        stored->retry_at = retry_at;
    }
}

std::vector<DeliveryRecord> FakeStore::claim_deliveries(std::int64_t notice, const Claim& claim,
                                                        const ClaimFilter& filter) {
    writing("claim_deliveries");
    std::vector<DeliveryRecord> claimed;
    for (auto& delivery : m_data.deliveries) {
        if (static_cast<int>(claimed.size()) == filter.limit)
            break;
        if (delivery.notice_id != notice || delivery.id <= filter.after ||
            delivery.state == DeliveryState::sent || !may_claim(delivery, filter))
            continue;
        claimed.push_back(delivery);
        delivery.claim = claim;
    }
    return claimed;
}

void FakeStore::release_claims(std::int64_t notice, const Claim& claim) {
    writing("release_claims");
    for (auto& delivery : m_data.deliveries)
        if (delivery.notice_id == notice && delivery.claim == claim)
            delivery.claim.reset();
}

void FakeStore::mark_staged(std::int64_t delivery) {
    writing("mark_staged");
    if (DeliveryRecord* stored = delivery_by_id(delivery))
        stored->staged = true;
}

DeliveryCounts FakeStore::delivery_counts(std::int64_t notice) {
    DeliveryCounts counts;
    for (const auto& delivery : m_data.deliveries)
        if (delivery.notice_id == notice) {
            ++(delivery.state == DeliveryState::sent     ? counts.sent
               : delivery.state == DeliveryState::failed ? counts.failed
                                                         : counts.pending);
            counts.permanent += delivery.state == DeliveryState::failed && delivery.permanent;
        }
    return counts;
}

std::vector<NoticeRecord> FakeStore::notices_with_unsent() {
    return where(m_data.notices, [&](const NoticeRecord& n) {
        DeliveryCounts counts = delivery_counts(n.id);
        return counts.pending + counts.failed > 0;
    });
}

Event FakeStore::append_event(IncidentId incident, const Stamp& stamp, std::string_view kind,
                              const nlohmann::json& payload) {
    writing("append_event");
    Event event;
    event.id = static_cast<std::int64_t>(m_data.events.size()) + 1;
    event.incident_id = incident;
    event.at = stamp.at;
    event.kind = std::string(kind);
    event.actor = stamp.actor;
    event.payload = payload;
    std::string previous =
        m_data.events.empty() ? std::string(genesis_hash) : m_data.events.back().hash;
    event.hash = chain_hash(event.id, incident, format_iso_utc(stamp.at), kind, stamp.actor,
                            payload.dump(), previous);
    m_data.events.push_back(event);
    return event;
}

std::vector<Event> FakeStore::timeline(IncidentId incident) {
    return where(m_data.events, [&](const Event& e) { return e.incident_id == incident; });
}

std::string FakeStore::last_handover_note(IncidentId incident) {
    for (auto it = m_data.events.rbegin(); it != m_data.events.rend(); ++it)
        if (it->incident_id == incident && kind_of(*it) == EventKind::handoff &&
            it->payload.contains("note"))
            return it->payload["note"].get<std::string>();
    return "";
}

void FakeStore::each_event(const EventFilter& filter,
                           const std::function<void(const Event&)>& visit) {
    for (const auto& event : m_data.events) {
        if (filter.incident && event.incident_id != *filter.incident)
            continue;
        if (!filter.kinds.empty() && std::find(filter.kinds.begin(), filter.kinds.end(),
                                               kind_of(event)) == filter.kinds.end())
            continue;
        if (filter.since && event.at < *filter.since)
            continue;
        visit(event);
    }
}

ChainCheck FakeStore::verify_chain() {
    ChainCheck check;
    std::string previous{genesis_hash};
    for (const auto& event : m_data.events) {
        ++check.events_checked;
        if (chain_hash(event.id, event.incident_id, format_iso_utc(event.at), event.kind,
                       event.actor, event.payload.dump(), previous) != event.hash) {
            check.first_mismatch = event;
            return check;
        }
        previous = event.hash;
    }
    check.head = previous;
    return check;
}
