#pragma once

#include "outage/model/events.hpp"
#include "outage/model/incident.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

// Which incidents `list` wants; an empty field matches everything.
struct IncidentFilter {
    std::optional<Status> status;
    std::optional<std::string> scenario;
    std::optional<std::string> severity;
    std::optional<Timestamp> opened_since;
};

// Which events a reader walks; an empty field matches everything.
struct EventFilter {
    std::optional<IncidentId> incident;
    std::vector<EventKind> kinds;
    std::optional<Timestamp> since; // events at or after this time
};

// What `verify` found walking the hash chain of the timeline.
struct ChainCheck {
    std::int64_t events_checked = 0;
    std::optional<Event> first_mismatch; // the first event whose hash or link does not match
    std::string head; // the last event's hash: record it elsewhere to catch truncation
};

// Which of a notice's deliveries a sender may claim (docs/notify.md#claims).
struct ClaimFilter {
    std::int64_t after = 0; // ids above this, in id order
    int limit = 0;
    Timestamp now;              // a failed delivery waits until its retry_at...
    bool retry_now = false;     // ...unless the operator asked for the send again
    bool permanent_too = false; // also those the server refused (`outbox --flush --retry-failed`)
    // Whether the sender holding a claim is gone; its deliveries are then taken over.
    std::function<bool(const Claim&)> abandoned;
};

// Whether `filter` lets a sender claim the delivery, which is not sent: every store decides
// the same way.
inline bool may_claim(const DeliveryRecord& delivery, const ClaimFilter& filter) {
    if (delivery.claim && !(filter.abandoned && filter.abandoned(*delivery.claim)))
        return false;
    if (delivery.permanent)
        return filter.permanent_too;
    return delivery.state != DeliveryState::failed || filter.retry_now || !delivery.retry_at ||
           *delivery.retry_at <= filter.now;
}

// The incident log. SQLite today (sqlite_store.hpp); the interface lets a shared PostgreSQL
// log follow without touching the commands. Writes happen only inside begin_write/commit.
class Store {
  public:
    virtual ~Store() = default;

    // Takes the write lock for one command's transaction (BEGIN IMMEDIATE on SQLite).
    virtual void begin_write() = 0;
    virtual void commit() = 0;
    virtual void rollback() = 0;

    virtual std::optional<Incident> find_incident(IncidentId id) = 0;
    virtual std::optional<Incident> find_open_by_dedup_key(std::string_view key) = 0;
    // Inserts a new incident and returns its id; `incident.id` is ignored.
    virtual IncidentId insert_incident(const Incident& incident) = 0;
    // Overwrites the stored state of an existing incident with `incident`.
    virtual void save_incident(const Incident& incident) = 0;
    virtual std::vector<Incident> list_incidents(const IncidentFilter& filter) = 0;
    // The same, one at a time in id order: `list --json` on 100,000 incidents holds one.
    virtual void each_incident(const IncidentFilter& filter,
                               const std::function<void(const Incident&)>& visit) = 0;

    virtual void insert_assessment(const AssessmentRecord& assessment) = 0;
    virtual std::optional<AssessmentRecord> last_assessment(IncidentId incident) = 0;
    // Every assessment of the incident, oldest first.
    virtual std::vector<AssessmentRecord> assessments(IncidentId incident) = 0;

    // Every step marked on the incident, in the order they were last marked.
    virtual std::vector<StepProgress> step_progress(IncidentId incident) = 0;
    // Records a step's state, replacing an earlier state of the same step.
    virtual void save_step_progress(IncidentId incident, const StepProgress& progress) = 0;

    // The incident's deadline clocks, earliest due first.
    virtual std::vector<Deadline> deadlines(IncidentId incident) = 0;
    // Inserts a new clock or overwrites the one with the same incident and name.
    virtual void save_deadline(const Deadline& deadline) = 0;

    // The incident's update clocks (docs/architecture.md#update-clocks).
    virtual UpdateClocks update_clocks(IncidentId incident) = 0;
    // Replaces the incident's update clocks with `clocks`; the caller keeps the incident's
    // next_update_due at the earliest of them.
    virtual void save_update_clocks(IncidentId incident, const UpdateClocks& clocks) = 0;
    // The clocks of open incidents whose time is `now` or earlier, most overdue first. Here and
    // below a due time outside the accepted range counts as passed (has_passed,
    // model/time.hpp).
    virtual std::vector<OverdueClock> overdue_clocks(Timestamp now) = 0;
    // Unmet deadlines due before `horizon`, earliest first, whether the incident is open or
    // closed: a deadline outlives its incident.
    virtual std::vector<Deadline> deadlines_due_before(Timestamp horizon) = 0;

    virtual std::optional<NoticeRecord> find_notice(std::int64_t id) = 0;
    virtual std::optional<NoticeRecord> find_notice_by_identity(std::string_view identity) = 0;
    // Inserts a notice and returns its id; `notice.id` is ignored.
    virtual std::int64_t insert_notice(const NoticeRecord& notice) = 0;
    // Gives a notice its identity. notify inserts a notice before its deliveries and learns
    // the identity only once it has read them (docs/architecture.md#the-send-path-notify-in-parts).
    virtual void set_notice_identity(std::int64_t notice, std::string_view identity) = 0;
    // How many notices the incident has had for an audience.
    virtual std::int64_t count_notices(IncidentId incident, std::string_view audience) = 0;
    // The incident's notices, oldest first.
    virtual std::vector<NoticeRecord> notices(IncidentId incident) = 0;
    // Adds a pending delivery; a recipient already on the notice is left as it is.
    virtual void insert_delivery(const DeliveryRecord& delivery, Timestamp at) = 0;
    // Up to `limit` pending or failed deliveries of the notice with an id above `after`.
    virtual std::vector<DeliveryRecord> unsent_deliveries(std::int64_t notice, std::int64_t after,
                                                          int limit) = 0;
    // Up to `limit` deliveries of the notice in any state with an id above `after`, for paging
    // through who a notice went to.
    virtual std::vector<DeliveryRecord> deliveries(std::int64_t notice, std::int64_t after,
                                                   int limit) = 0;
    // Records what became of a delivery's message and lets go of its claim.
    virtual void mark_delivery(std::int64_t delivery, DeliveryState state,
                               const std::optional<std::string>& error, Timestamp at) = 0;
    // When a failed delivery may be tried again; nothing: the server refused it for good.
    virtual void schedule_retry(std::int64_t delivery, std::optional<Timestamp> retry_at) = 0;
    // Claims up to `filter.limit` of the notice's unsent deliveries for `claim` and returns
    // them as they were (a staged one keeps its flag). Run it in a write transaction: once
    // that commits, other senders skip them until they are marked or released.
    virtual std::vector<DeliveryRecord> claim_deliveries(std::int64_t notice, const Claim& claim,
                                                         const ClaimFilter& filter) = 0;
    // Lets go of the notice's deliveries that `claim` holds, unsent, for a later send.
    virtual void release_claims(std::int64_t notice, const Claim& claim) = 0;
    // Records that the delivery's message is written durably out of sight (the file channel's
    // first step): a sender that takes the claim over moves it into place instead of writing it.
    virtual void mark_staged(std::int64_t delivery) = 0;
    virtual DeliveryCounts delivery_counts(std::int64_t notice) = 0;
    // Every notice with deliveries still pending or failed, oldest first.
    virtual std::vector<NoticeRecord> notices_with_unsent() = 0;

    // Appends one event to the timeline, chaining its hash to the previous event's.
    Event append_event(IncidentId incident, const Stamp& stamp, const EventPayload& payload) {
        return append_event(incident, stamp, to_string(kind_of(payload)), encode(payload));
    }
    // The same for a row given as it is to be stored: the store knows no kinds, and tests make
    // rows the commands never write (docs/architecture.md#events-the-one-vocabulary).
    virtual Event append_event(IncidentId incident, const Stamp& stamp, std::string_view kind,
                               const nlohmann::json& payload) = 0;
    // The incident's events, oldest first.
    virtual std::vector<Event> timeline(IncidentId incident) = 0;
    // The note of the incident's last handover that carried one; empty when none did.
    virtual std::string last_handover_note(IncidentId incident) = 0;
    // Calls `visit` for each matching event in log order, one at a time: memory stays flat
    // on a log of millions of events (export, stats).
    virtual void each_event(const EventFilter& filter,
                            const std::function<void(const Event&)>& visit) = 0;
    // Recomputes every event's hash and link, oldest first.
    virtual ChainCheck verify_chain() = 0;
    // The last event an outage older than schema 4 wrote (0: none). Those events lack fields
    // that later ones carry: what they cannot prove, verify reports as unproven, not as an edit.
    virtual std::int64_t last_legacy_event() = 0;
};

// Runs `work` as one write transaction: committed when it returns, rolled back when it
// throws, so a failed command leaves the log exactly as it was.
template <typename Work> auto write_transaction(Store& store, Work&& work) -> decltype(work()) {
    store.begin_write();
    try {
        if constexpr (std::is_void_v<decltype(work())>) {
            work();
            store.commit();
        } else {
            auto result = work();
            store.commit();
            return result;
        }
    } catch (...) {
        store.rollback();
        throw;
    }
}

// read_only never creates or changes anything; change_existing writes to an existing log;
// create makes the log when it is missing.
enum class Access { read_only, change_existing, create };

// Opens the log at `path`. `create` makes the file (0600) and its directory (0700) when
// missing; writable access migrates the schema. Throws Error(not_found) when there is no log
// and the access is not `create`, naming the path and `outage init` (and leaving no file), and
// Error(runtime) when the file cannot be used, including a schema newer than this binary knows,
// which is left untouched, anything but a regular file at the path (refused before SQLite
// opens it: a FIFO would block) and a file or folder a writing access may not write.
// read_only works where nothing may be written (read-only media: SQLite's immutable open).
std::unique_ptr<Store> open_store(const std::string& path, Access access);

// What `outage init` found at the log's path.
struct LogInit {
    bool created = false;   // there was no log (or an empty file) and now there is
    bool up_to_date = true; // false: a log of an older outage, left for a command that writes
};

// Creates an empty log at `path` as open_store's `create` does; a log already there is checked
// (an outage log this binary can read) and left exactly as it is. Throws as open_store does.
LogInit init_log(const std::string& path);

} // namespace outage
