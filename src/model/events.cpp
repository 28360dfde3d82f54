#include "outage/model/events.hpp"

#include "outage/model/error.hpp"
#include "outage/model/json_fields.hpp"

#include "outage/model/names.hpp"

#include <fmt/format.h>

#include <type_traits>
#include <utility>

namespace outage {
namespace {

// The one place the kinds are spelled as the log stores them.
constexpr NameTable<EventKind, 14> kind_names{{{
    {EventKind::opened, "opened"},
    {EventKind::retriggered, "retriggered"},
    {EventKind::updated, "updated"},
    {EventKind::handoff, "handoff"},
    {EventKind::acknowledged, "acknowledged"},
    {EventKind::closed, "closed"},
    {EventKind::reopened, "reopened"},
    {EventKind::assessed, "assessed"},
    {EventKind::severity_changed, "severity_changed"},
    {EventKind::step, "step"},
    {EventKind::deadline_started, "deadline_started"},
    {EventKind::deadline_met, "deadline_met"},
    {EventKind::notice, "notice"},
    {EventKind::notice_sent, "notice_sent"},
}}};

constexpr std::array<EventKind, kind_names.entries.size()> kinds = [] {
    std::array<EventKind, kind_names.entries.size()> result{};
    for (std::size_t i = 0; i < kind_names.entries.size(); ++i)
        result[i] = kind_names.entries[i].first;
    return result;
}();

// kind_of(payload) and decode rely on the alternative's index being its kind.
template <std::size_t... I> constexpr bool indexes_are_kinds(std::index_sequence<I...>) {
    return ((std::variant_alternative_t<I, EventPayload>::kind == static_cast<EventKind>(I) &&
             kinds[I] == static_cast<EventKind>(I)) &&
            ...);
}
static_assert(std::variant_size_v<EventPayload> == kinds.size());
static_assert(indexes_are_kinds(std::make_index_sequence<kinds.size()>{}));

// Marks a field written as null when it has no value, where other optional fields are left out.
struct NullWhenAbsent {};
constexpr NullWhenAbsent null_when_absent;

// Each kind's fields with their JSON names, in one list that both writing and reading walk.
template <typename Payload> struct Fields;

template <> struct Fields<events::Opened> {
    static void each(auto& e, auto&& field) {
        field("title", e.title);
        field("scenario", e.scenario);
        field("owner", e.owner);
        field("services", e.services);
        field("affected", e.affected);
        field("dedup_key", e.dedup_key);
        field("note", e.note);
    }
};
template <> struct Fields<events::Retriggered> {
    static void each(auto& e, auto&& field) {
        field("dedup_key", e.dedup_key);
        field("title", e.title);
        field("note", e.note);
    }
};
template <> struct Fields<events::Updated> {
    static void each(auto& e, auto&& field) {
        field("status", e.status);
        field("eta", e.eta);
        field("affected", e.affected);
        field("note", e.note);
        field("next_update_due", e.next_update_due);
    }
};
template <> struct Fields<events::Handoff> {
    static void each(auto& e, auto&& field) {
        field("from", e.from, null_when_absent);
        field("to", e.to);
        field("note", e.note);
    }
};
template <> struct Fields<events::Acknowledged> {
    static void each(auto& e, auto&& field) {
        field("owner", e.owner);
        field("handed_off_at", e.handed_off_at);
    }
};
template <> struct Fields<events::Closed> {
    static void each(auto& e, auto&& field) {
        field("resolution", e.resolution);
        field("actions", e.actions);
        field("root_cause", e.root_cause);
        field("recurrence", e.recurrence);
    }
};
template <> struct Fields<events::Reopened> {
    static void each(auto& e, auto&& field) {
        field("note", e.note);
        field("clocks", e.clocks);
    }
};
template <> struct Fields<events::Assessed> {
    static void each(auto& e, auto&& field) {
        field("severity", e.severity);
        field("rule", e.rule);
        field("answers", e.answers);
        field("next_update_due", e.next_update_due);
        field("update_interval", e.update_interval);
        field("clocks", e.clocks);
    }
};
template <> struct Fields<events::SeverityChanged> {
    static void each(auto& e, auto&& field) {
        field("from", e.from, null_when_absent);
        field("to", e.to);
        field("rule", e.rule);
    }
};
template <> struct Fields<events::Step> {
    static void each(auto& e, auto&& field) {
        field("step", e.step);
        field("state", e.state);
        field("note", e.note);
    }
};
template <> struct Fields<events::DeadlineStarted> {
    static void each(auto& e, auto&& field) {
        field("deadline", e.deadline);
        field("title", e.title);
        field("due_at", e.due_at);
    }
};
template <> struct Fields<events::DeadlineMet> {
    static void each(auto& e, auto&& field) {
        field("deadline", e.deadline);
        field("due_at", e.due_at);
        field("late", e.late);
        field("note", e.note);
        field("met_at", e.met_at);
    }
};
template <> struct Fields<events::Notice> {
    static void each(auto& e, auto&& field) {
        field("notice", e.notice);
        field("audience", e.audience);
        field("template", e.template_name);
        field("channel", e.channel);
        field("recipients", e.recipients);
        field("note", e.note);
        field("next_update_due", e.next_update_due);
        field("clocks", e.clocks);
        field("eta", e.eta);
        field("workaround", e.workaround);
        field("identity", e.identity);
        field("fields_digest", e.fields_digest);
        field("recipients_digest", e.recipients_digest);
    }
};
template <> struct Fields<events::NoticeSent> {
    static void each(auto& e, auto&& field) {
        field("notice", e.notice);
        field("audience", e.audience);
        field("attempted", e.attempted);
        field("sent", e.sent);
        field("failed", e.failed);
        field("pending", e.pending);
        field("states_digest", e.states_digest);
    }
};

// Writes fields as the commands always have: times as ISO 8601 UTC text, enumerations by name.
struct Writer {
    nlohmann::json& out;

    template <typename T> void operator()(const char* key, const T& value) {
        out[key] = put(value);
    }
    template <typename T> void operator()(const char* key, const std::optional<T>& value) {
        if (value)
            out[key] = put(*value);
    }
    template <typename T>
    void operator()(const char* key, const std::optional<T>& value, NullWhenAbsent) {
        out[key] = value ? put(*value) : nlohmann::json();
    }

    static nlohmann::json put(Timestamp t) { return format_iso_utc(t); }
    static nlohmann::json put(Phase phase) { return to_string(phase); }
    static nlohmann::json put(Recurrence recurrence) { return to_string(recurrence); }
    static nlohmann::json put(StepState state) { return to_string(state); }
    static nlohmann::json put(const UpdateClocks& clocks) {
        nlohmann::json object = nlohmann::json::object();
        for (const auto& [audience, due] : clocks)
            object[audience] = format_iso_utc(due);
        return object;
    }
    template <typename T> static nlohmann::json put(const T& value) { return value; }
};

// Reads fields through FieldReader, so a row of the wrong shape gives one clean error.
struct Reader {
    const FieldReader& read;
    MissingField missing;

    template <typename T> void operator()(const char* key, T& value) {
        if (auto found = get(key, std::type_identity<T>{}))
            value = std::move(*found);
        else if (missing == MissingField::error)
            read.missing(key);
    }
    template <typename T> void operator()(const char* key, std::optional<T>& value) {
        value = get(key, std::type_identity<T>{});
    }
    template <typename T>
    void operator()(const char* key, std::optional<T>& value, NullWhenAbsent) {
        (*this)(key, value);
    }

    std::optional<std::string> get(const char* key, std::type_identity<std::string>) const {
        return read.text(key);
    }
    std::optional<std::int64_t> get(const char* key, std::type_identity<std::int64_t>) const {
        return read.integer(key);
    }
    std::optional<bool> get(const char* key, std::type_identity<bool>) const {
        return read.flag(key);
    }
    std::optional<Timestamp> get(const char* key, std::type_identity<Timestamp>) const {
        return read.time(key);
    }
    std::optional<std::vector<std::string>>
    get(const char* key, std::type_identity<std::vector<std::string>>) const {
        return read.texts(key);
    }
    std::optional<Answers> get(const char* key, std::type_identity<Answers>) const {
        auto object = read.object(key);
        if (!object)
            return std::nullopt;
        return object->get<Answers>();
    }
    std::optional<UpdateClocks> get(const char* key, std::type_identity<UpdateClocks>) const {
        auto object = read.object(key);
        if (!object)
            return std::nullopt;
        UpdateClocks clocks;
        for (const auto& [audience, due] : object->items()) {
            auto at = due.is_string() ? parse_iso_utc(due.get<std::string>()) : std::nullopt;
            if (!at)
                read.invalid(key, "an object of audience names to ISO 8601 times");
            clocks[audience] = *at;
        }
        return clocks;
    }
    std::optional<Phase> get(const char* key, std::type_identity<Phase>) const {
        return named(key, &parse_phase, "investigating, identified, monitoring or resolved");
    }
    std::optional<Recurrence> get(const char* key, std::type_identity<Recurrence>) const {
        return named(key, &parse_recurrence, "likely, unlikely or unknown");
    }
    std::optional<StepState> get(const char* key, std::type_identity<StepState>) const {
        return named(key, &parse_step_state, "done or skipped");
    }

    // An enumeration stored by name, `allowed` listing the names for the error.
    template <typename Enum>
    std::optional<Enum> named(const char* key, std::optional<Enum> (*parse)(std::string_view),
                              std::string_view allowed) const {
        auto text = read.text(key);
        if (!text)
            return std::nullopt;
        auto value = parse(*text);
        if (!value)
            read.invalid(key, allowed);
        return value;
    }
};

template <typename Payload>
EventPayload read_payload(const FieldReader& read, MissingField missing) {
    // A payload without "v" is version 1 (docs/decisions.md, "Event payloads are versioned
    // per kind").
    std::int64_t version = read.integer("v").value_or(1);
    if (version < 1 || version > Payload::version)
        throw Error(Exit::runtime,
                    fmt::format("{}: payload version {} is not one this outage reads (it reads "
                                "{}; did a newer outage write this log?)",
                                read.record(), version,
                                Payload::version == 1
                                    ? std::string("version 1")
                                    : fmt::format("versions 1 to {}", Payload::version)));
    Payload payload{};
    Fields<Payload>::each(payload, Reader{read, missing});
    return payload;
}

template <std::size_t... I>
EventPayload read_kind(EventKind kind, const FieldReader& read, MissingField missing,
                       std::index_sequence<I...>) {
    using ReadOne = EventPayload (*)(const FieldReader&, MissingField);
    static constexpr ReadOne readers[] = {
        &read_payload<std::variant_alternative_t<I, EventPayload>>...};
    return readers[static_cast<std::size_t>(kind)](read, missing);
}

} // namespace

std::span<const EventKind> all_event_kinds() {
    return kinds;
}

std::string_view to_string(EventKind kind) {
    return kind_names.name(kind);
}

std::optional<EventKind> parse_event_kind(std::string_view name) {
    return kind_names.parse(name);
}

std::optional<EventKind> kind_of(const Event& event) {
    return parse_event_kind(event.kind);
}

EventKind kind_of(const EventPayload& payload) {
    return static_cast<EventKind>(payload.index());
}

nlohmann::json encode(const EventPayload& payload) {
    nlohmann::json out = nlohmann::json::object();
    std::visit(
        [&out]<typename Payload>(const Payload& typed) {
            if constexpr (Payload::version != 1)
                out["v"] = Payload::version;
            Fields<Payload>::each(typed, Writer{out});
        },
        payload);
    return out;
}

EventPayload decode(const Event& event, MissingField missing) {
    auto kind = kind_of(event);
    if (!kind)
        throw Error(Exit::runtime,
                    fmt::format("event {}: kind '{}' is not one this outage knows (run `outage "
                                "verify` to see whether the log was changed outside outage)",
                                event.id, event.kind));
    FieldReader read(event.payload, "event", event.id, event.kind);
    return read_kind(*kind, read, missing, std::make_index_sequence<kinds.size()>{});
}

} // namespace outage
