#pragma once

#include "outage/model/incident.hpp"
#include "outage/model/runbook.hpp"
#include "outage/model/time.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// The one vocabulary of the timeline: every kind of event, its fields, and the only code that
// turns them into the log's JSON and back (docs/architecture.md#events-the-one-vocabulary).

namespace outage {

// In the order of EventPayload's alternatives.
enum class EventKind {
    opened,
    retriggered,
    updated,
    handoff,
    acknowledged,
    closed,
    reopened,
    assessed,
    severity_changed,
    step,
    deadline_started,
    deadline_met,
    notice,
    notice_sent,
};

// Every kind, in declaration order.
std::span<const EventKind> all_event_kinds();
// The name the log stores ("severity_changed").
std::string_view to_string(EventKind kind);
// Nothing for a name this binary does not know.
std::optional<EventKind> parse_event_kind(std::string_view name);
// The kind of a stored event; nothing for a kind this binary does not know.
std::optional<EventKind> kind_of(const Event& event);

// One struct per kind, its fields as docs/cli.md lists them: std::optional marks a field
// written only when given. `version` is the payload version the writers write (decisions.md);
// the readers read every version up to it, a later version only adding optional fields.
namespace events {

struct Opened {
    static constexpr EventKind kind = EventKind::opened;
    static constexpr int version = 1;
    std::string title;
    std::string scenario;
    std::string owner;
    std::vector<std::string> services;
    std::optional<std::int64_t> affected;
    std::optional<std::string> dedup_key;
    std::optional<std::string> note;
    friend bool operator==(const Opened&, const Opened&) = default;
};

// `open --dedup-key` found the incident still open.
struct Retriggered {
    static constexpr EventKind kind = EventKind::retriggered;
    static constexpr int version = 1;
    std::string dedup_key;
    std::string title; // as the repeat gave it
    std::optional<std::string> note;
    friend bool operator==(const Retriggered&, const Retriggered&) = default;
};

struct Updated {
    static constexpr EventKind kind = EventKind::updated;
    static constexpr int version = 1;
    std::optional<Phase> status;
    std::optional<Timestamp> eta;
    std::optional<std::int64_t> affected;
    std::optional<std::string> note;
    std::optional<Timestamp> next_update_due; // a note moves it when updates are owed
    friend bool operator==(const Updated&, const Updated&) = default;
};

struct Handoff {
    static constexpr EventKind kind = EventKind::handoff;
    static constexpr int version = 1;
    std::optional<std::string> from; // written as null when there was no owner
    std::string to;
    std::string note;
    friend bool operator==(const Handoff&, const Handoff&) = default;
};

struct Acknowledged {
    static constexpr EventKind kind = EventKind::acknowledged;
    static constexpr int version = 1;
    std::string owner;
    Timestamp handed_off_at{}; // the handover the owner took
    friend bool operator==(const Acknowledged&, const Acknowledged&) = default;
};

struct Closed {
    static constexpr EventKind kind = EventKind::closed;
    static constexpr int version = 1;
    std::string resolution;
    std::vector<std::string> actions;
    std::optional<std::string> root_cause;
    std::optional<Recurrence> recurrence;
    friend bool operator==(const Closed&, const Closed&) = default;
};

struct Reopened {
    static constexpr EventKind kind = EventKind::reopened;
    static constexpr int version = 2;
    std::string note;
    std::optional<UpdateClocks> clocks; // v2: fresh clocks from the reopen
    friend bool operator==(const Reopened&, const Reopened&) = default;
};

struct Assessed {
    static constexpr EventKind kind = EventKind::assessed;
    static constexpr int version = 2;
    std::string severity;
    std::string rule;
    Answers answers;
    Timestamp next_update_due{};                 // the earliest clock
    std::optional<std::int64_t> update_interval; // v2: seconds, at this severity
    std::optional<UpdateClocks> clocks;          // v2: every clock after the assessment
    friend bool operator==(const Assessed&, const Assessed&) = default;
};

struct SeverityChanged {
    static constexpr EventKind kind = EventKind::severity_changed;
    static constexpr int version = 1;
    std::optional<std::string> from; // written as null at the first assessment
    std::string to;
    std::string rule;
    friend bool operator==(const SeverityChanged&, const SeverityChanged&) = default;
};

struct Step {
    static constexpr EventKind kind = EventKind::step;
    static constexpr int version = 1;
    std::string step;
    StepState state = StepState::done;
    std::optional<std::string> note;
    friend bool operator==(const Step&, const Step&) = default;
};

struct DeadlineStarted {
    static constexpr EventKind kind = EventKind::deadline_started;
    static constexpr int version = 1;
    std::string deadline;
    std::string title;
    Timestamp due_at{};
    friend bool operator==(const DeadlineStarted&, const DeadlineStarted&) = default;
};

struct DeadlineMet {
    static constexpr EventKind kind = EventKind::deadline_met;
    static constexpr int version = 1;
    std::string deadline;
    Timestamp due_at{};
    bool late = false; // met after due_at
    std::optional<std::string> note;
    std::optional<Timestamp> met_at; // `deadline --met --at`; absent: met at the event's time
    friend bool operator==(const DeadlineMet&, const DeadlineMet&) = default;
};

struct Notice {
    static constexpr EventKind kind = EventKind::notice;
    static constexpr int version = 2;
    std::int64_t notice = 0;
    std::string audience;
    std::string template_name; // "template" in the log
    std::string channel;
    std::int64_t recipients = 0;
    std::optional<std::string> note;
    std::optional<Timestamp> next_update_due; // the time the message promised
    std::optional<UpdateClocks> clocks;       // v2: every clock after the notice
    std::optional<Timestamp> eta;             // v2: given to this notice, kept for later ones
    std::optional<std::string> workaround;    // v2: the same
    // v2, what the notices and deliveries tables hold (docs/security.md, "The state"): the
    // notice's identity, the SHA-256 of its values and of its recipients as recorded.
    std::optional<std::string> identity;
    std::optional<std::string> fields_digest;
    std::optional<std::string> recipients_digest;
    friend bool operator==(const Notice&, const Notice&) = default;
};

// After each send or resume of a notice.
struct NoticeSent {
    static constexpr EventKind kind = EventKind::notice_sent;
    static constexpr int version = 2;
    std::int64_t notice = 0;
    std::string audience;
    std::int64_t attempted = 0;
    std::int64_t sent = 0;
    std::int64_t failed = 0;
    std::int64_t pending = 0;
    std::optional<std::string> states_digest; // v2: SHA-256 of each delivery's state after it
    friend bool operator==(const NoticeSent&, const NoticeSent&) = default;
};

} // namespace events

// Any event's payload; the alternative's index is its EventKind.
using EventPayload =
    std::variant<events::Opened, events::Retriggered, events::Updated, events::Handoff,
                 events::Acknowledged, events::Closed, events::Reopened, events::Assessed,
                 events::SeverityChanged, events::Step, events::DeadlineStarted,
                 events::DeadlineMet, events::Notice, events::NoticeSent>;

EventKind kind_of(const EventPayload& payload);

// The payload as the log stores it. Version 1 is the shape outage has always written, byte for
// byte; only a later version adds a "v" field.
nlohmann::json encode(const EventPayload& payload);

// What decode does with a field the kind always writes but the row lacks.
enum class MissingField {
    error, // the row is not what outage wrote: an Error
    empty, // reads as empty (""; 0; no items; the epoch), as shows and counts always took it
};

// The stored event as its typed payload, ready for std::visit. Throws Error(runtime) naming
// the event and the field when the row cannot be read: a kind this binary does not know, a
// payload that is not an object, a field of the wrong type, a version it does not read, or
// (MissingField::error) a field the kind always writes that is absent. Fields it does not know
// are ignored: later versions may add some.
EventPayload decode(const Event& event, MissingField missing);

// std::visit(Overloaded{[](const events::Opened&) {...}, [](const auto&) {}}, payload).
template <typename... Visit> struct Overloaded : Visit... { using Visit::operator()...; };
template <typename... Visit> Overloaded(Visit...) -> Overloaded<Visit...>;

} // namespace outage
