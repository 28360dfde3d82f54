#include "outage/model/error.hpp"
#include "outage/model/events.hpp"
#include "outage/model/json_fields.hpp"
#include "outage/store/hash_chain.hpp"
#include "outage/store/store.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace outage;
using nlohmann::json;

namespace {

Timestamp at(const char* iso) {
    return *parse_iso_utc(iso);
}

Event stored(std::string kind, json payload) {
    Event event;
    event.id = 12;
    event.incident_id = 1;
    event.at = at("2026-11-22T10:30:00Z");
    event.kind = std::move(kind);
    event.actor = "tester";
    event.payload = std::move(payload);
    return event;
}

struct Sample {
    std::string kind;
    EventPayload payload;
    std::string stored; // the payload text the log held before the vocabulary
};

// Each kind as the commands wrote it, taken from a log that tests/e2e/test_event_payloads.py
// wrote with the binary of before the vocabulary (docs/architecture.md#events-the-one-vocabulary).
// Two handoff and severity_changed samples: the writers spell an absent `from` as null.
const std::vector<Sample>& samples() {
    static const std::vector<Sample> all = {
        {"opened",
         events::Opened{"Flood in lab 2",
                        "lab-flood",
                        "alice",
                        {"booking", "lab"},
                        12,
                        "flood-2",
                        "Water on the floor"},
         R"({"affected":12,"dedup_key":"flood-2","note":"Water on the floor","owner":"alice",)"
         R"("scenario":"lab-flood","services":["booking","lab"],"title":"Flood in lab 2"})"},
        {"opened", events::Opened{"t", "malware", "bob", {}, {}, {}, {}},
         R"({"owner":"bob","scenario":"malware","services":[],"title":"t"})"},
        {"retriggered", events::Retriggered{"flood-2", "Flood again", "Alarm again"},
         R"({"dedup_key":"flood-2","note":"Alarm again","title":"Flood again"})"},
        {"updated",
         events::Updated{Phase::identified, at("2026-11-22T12:20:00Z"), 14, "Pumps on",
                         at("2026-11-22T11:20:00Z")},
         R"({"affected":14,"eta":"2026-11-22T12:20:00Z","next_update_due":"2026-11-22T11:20:00Z",)"
         R"("note":"Pumps on","status":"identified"})"},
        {"updated", events::Updated{.status = Phase::monitoring}, R"({"status":"monitoring"})"},
        {"handoff", events::Handoff{"alice", "bob", "Samples moved"},
         R"({"from":"alice","note":"Samples moved","to":"bob"})"},
        {"handoff", events::Handoff{std::nullopt, "bob", "n"},
         R"({"from":null,"note":"n","to":"bob"})"},
        {"acknowledged", events::Acknowledged{"bob", at("2026-11-22T10:30:00Z")},
         R"({"handed_off_at":"2026-11-22T10:30:00Z","owner":"bob"})"},
        {"closed",
         events::Closed{"Pumped out",
                        {"Fit a leak sensor", "Check pipes yearly"},
                        "A burst pipe",
                        Recurrence::unlikely},
         R"({"actions":["Fit a leak sensor","Check pipes yearly"],"recurrence":"unlikely",)"
         R"("resolution":"Pumped out","root_cause":"A burst pipe"})"},
        {"closed", events::Closed{.resolution = "Pumped out again"},
         R"({"actions":[],"resolution":"Pumped out again"})"},
        {"reopened", events::Reopened{.note = "Water again"}, R"({"note":"Water again","v":2})"},
        {"reopened",
         events::Reopened{.note = "Water again",
                          .clocks = UpdateClocks{{"", at("2026-11-22T12:00:00Z")}}},
         R"({"clocks":{"":"2026-11-22T12:00:00Z"},"note":"Water again","v":2})"},
        {"assessed",
         events::Assessed{"SEV2",
                          "many-people",
                          {{"people", 12},
                           {"realtime", "no"},
                           {"reporter", "Ann"},
                           {"samples_at_risk", "no"},
                           {"scope", "room"}},
                          at("2026-11-22T11:10:00Z"),
                          3600,
                          UpdateClocks{{"", at("2026-11-22T11:10:00Z")}}},
         R"({"answers":{"people":12,"realtime":"no","reporter":"Ann","samples_at_risk":"no",)"
         R"("scope":"room"},"clocks":{"":"2026-11-22T11:10:00Z"},)"
         R"("next_update_due":"2026-11-22T11:10:00Z","rule":"many-people","severity":"SEV2",)"
         R"("update_interval":3600,"v":2})"},
        {"severity_changed", events::SeverityChanged{std::nullopt, "SEV2", "many-people"},
         R"({"from":null,"rule":"many-people","to":"SEV2"})"},
        {"severity_changed", events::SeverityChanged{"SEV2", "SEV1", "whole-floor-or-samples"},
         R"({"from":"SEV2","rule":"whole-floor-or-samples","to":"SEV1"})"},
        {"step", events::Step{"power-off", StepState::done, "Breaker 4"},
         R"({"note":"Breaker 4","state":"done","step":"power-off"})"},
        {"step", events::Step{"move-samples", StepState::skipped, std::nullopt},
         R"({"state":"skipped","step":"move-samples"})"},
        {"deadline_started",
         events::DeadlineStarted{"insurer", "Tell the insurer", at("2026-11-24T10:00:00Z")},
         R"({"deadline":"insurer","due_at":"2026-11-24T10:00:00Z","title":"Tell the insurer"})"},
        {"deadline_met",
         events::DeadlineMet{"sample-owner", at("2026-11-23T10:45:00Z"), false, "Called them", {}},
         R"({"deadline":"sample-owner","due_at":"2026-11-23T10:45:00Z","late":false,)"
         R"("note":"Called them"})"},
        {"deadline_met", events::DeadlineMet{"insurer", at("2026-11-24T10:00:00Z"), true, {}, {}},
         R"({"deadline":"insurer","due_at":"2026-11-24T10:00:00Z","late":true})"},
        {"notice",
         events::Notice{.notice = 1,
                        .audience = "frontline",
                        .template_name = "frontline-briefing",
                        .channel = "stdout",
                        .recipients = 1,
                        .note = "Lab 2 closed",
                        .identity = "id1",
                        .fields_digest = "f1",
                        .recipients_digest = "r1"},
         R"({"audience":"frontline","channel":"stdout","fields_digest":"f1","identity":"id1",)"
         R"("note":"Lab 2 closed","notice":1,"recipients":1,"recipients_digest":"r1",)"
         R"("template":"frontline-briefing","v":2})"},
        {"notice",
         events::Notice{.notice = 2,
                        .audience = "customers",
                        .template_name = "customer-first-notice",
                        .channel = "stdout",
                        .recipients = 2,
                        .next_update_due = at("2026-11-22T11:15:00Z"),
                        .clocks = UpdateClocks{{"customers", at("2026-11-22T11:15:00Z")},
                                               {"frontline", at("2026-11-22T11:00:00Z")}},
                        .eta = at("2026-11-22T13:00:00Z"),
                        .workaround = "Call the desk",
                        .identity = "id2",
                        .fields_digest = "f2",
                        .recipients_digest = "r2"},
         R"({"audience":"customers","channel":"stdout","clocks":{"customers":)"
         R"("2026-11-22T11:15:00Z","frontline":"2026-11-22T11:00:00Z"},)"
         R"("eta":"2026-11-22T13:00:00Z","fields_digest":"f2","identity":"id2",)"
         R"("next_update_due":"2026-11-22T11:15:00Z","notice":2,"recipients":2,)"
         R"("recipients_digest":"r2","template":"customer-first-notice","v":2,)"
         R"("workaround":"Call the desk"})"},
        {"notice_sent", events::NoticeSent{1, "frontline", 1, 1, 0, 0, "s1"},
         R"({"attempted":1,"audience":"frontline","failed":0,"notice":1,"pending":0,"sent":1,)"
         R"("states_digest":"s1","v":2})"},
    };
    return all;
}

// The message decode throws for the row, and checks that it is an Error(runtime).
std::string refusal(const Event& event, MissingField missing = MissingField::error) {
    std::string message;
    CHECK(exit_of([&] { decode(event, missing); }, message) == Exit::runtime);
    return message;
}

const std::string verify_hint =
    " (run `outage verify` to see whether the log was changed outside outage)";

} // namespace

TEST_CASE("events::kind names") {
    std::set<std::string_view> names;
    for (EventKind kind : all_event_kinds()) {
        CHECK(parse_event_kind(to_string(kind)) == kind);
        names.insert(to_string(kind));
    }
    CHECK(names.size() == std::variant_size_v<EventPayload>);
    CHECK(to_string(EventKind::severity_changed) == "severity_changed");
    CHECK_FALSE(parse_event_kind("Opened").has_value());
    CHECK_FALSE(kind_of(stored("escalated", json::object())).has_value());
    CHECK(kind_of(stored("notice_sent", json::object())) == EventKind::notice_sent);
}

TEST_CASE("events::encode writes the bytes the log has always held") {
    std::set<EventKind> covered;
    for (const auto& sample : samples()) {
        INFO(sample.stored);
        CHECK(to_string(kind_of(sample.payload)) == sample.kind);
        CHECK(encode(sample.payload).dump() == sample.stored);
        covered.insert(kind_of(sample.payload));
    }
    CHECK(covered.size() == all_event_kinds().size());
}

TEST_CASE("events::decode reads back every kind") {
    for (const auto& sample : samples()) {
        INFO(sample.stored);
        Event event = stored(sample.kind, json::parse(sample.stored));
        CHECK(decode(event, MissingField::error) == sample.payload);
        CHECK(decode(event, MissingField::empty) == sample.payload);
        CHECK(encode(decode(event, MissingField::error)).dump() == sample.stored);
    }

    SECTION("fields it does not know and an explicit version 1 are read") {
        Event event = stored("reopened", {{"note", "x"}, {"v", 1}, {"by_pager", true}});
        CHECK(decode(event, MissingField::error) == EventPayload{events::Reopened{.note = "x"}});
    }
    SECTION("rows of version 1, written before the kind's version 2, are read") {
        Event assessed =
            stored("assessed", json::parse(R"({"answers":{"scope":"room"},)"
                                           R"("next_update_due":"2026-11-22T11:10:00Z",)"
                                           R"("rule":"r","severity":"SEV2"})"));
        auto payload = std::get<events::Assessed>(decode(assessed, MissingField::error));
        CHECK(payload.next_update_due == at("2026-11-22T11:10:00Z"));
        CHECK_FALSE(payload.update_interval);
        CHECK_FALSE(payload.clocks);
        Event notice =
            stored("notice", json::parse(R"({"audience":"customers","channel":"email",)"
                                         R"("notice":2,"recipients":2,"template":"t"})"));
        auto notice_payload = std::get<events::Notice>(decode(notice, MissingField::error));
        CHECK_FALSE(notice_payload.clocks);
        CHECK_FALSE(notice_payload.identity);
        CHECK_FALSE(notice_payload.recipients_digest);
        Event sent =
            stored("notice_sent", json::parse(R"({"attempted":1,"audience":"a",)"
                                              R"("failed":0,"notice":1,"pending":0,"sent":1})"));
        CHECK_FALSE(std::get<events::NoticeSent>(decode(sent, MissingField::error)).states_digest);
    }
    SECTION("clocks that are not audience names to times") {
        Event event = stored("reopened", {{"note", "x"}, {"v", 2}, {"clocks", {{"a", "soon"}}}});
        CHECK(refusal(event).starts_with("event 12 (reopened): field 'clocks' is not an object of "
                                         "audience names to ISO 8601 times ("));
    }
    SECTION("null is an absent optional field") {
        Event event = stored("step", {{"step", "s"}, {"state", "done"}, {"note", nullptr}});
        CHECK(decode(event, MissingField::error) ==
              EventPayload{events::Step{"s", StepState::done, std::nullopt}});
    }
}

TEST_CASE("events::deadline_met keeps the time it was met when --at gave one") {
    events::DeadlineMet met{"nis2-early-warning", at("2026-11-24T07:00:00Z"), false,
                            "Sent through the CSIRT portal", at("2026-11-24T05:30:00Z")};
    std::string bytes = R"({"deadline":"nis2-early-warning","due_at":"2026-11-24T07:00:00Z",)"
                        R"("late":false,"met_at":"2026-11-24T05:30:00Z",)"
                        R"("note":"Sent through the CSIRT portal"})";
    CHECK(encode(met).dump() == bytes);
    CHECK(decode(stored("deadline_met", json::parse(bytes)), MissingField::error) ==
          EventPayload{met});
    // Without --at the field is left out: the event's own time is when it was met, and the
    // bytes are those outage always wrote.
    met.met_at.reset();
    CHECK(encode(met).dump().find("met_at") == std::string::npos);
    std::string message;
    CHECK(exit_of(
              [&] {
                  decode(stored("deadline_met", {{"deadline", "d"},
                                                 {"due_at", "2026-11-24T07:00:00Z"},
                                                 {"late", false},
                                                 {"met_at", "yesterday"}}),
                         MissingField::error);
              },
              message) == Exit::runtime);
    CHECK(message.starts_with("event 12 (deadline_met): field 'met_at' is not an ISO 8601 time ("));
}

TEST_CASE("events::decode of a row changed outside outage") {
    SECTION("a field of the wrong type") {
        Event event = stored("handoff", {{"from", "alice"}, {"to", "bob"}, {"note", 5}});
        CHECK(refusal(event) == "event 12 (handoff): field 'note' is not text" + verify_hint);
        CHECK(refusal(event, MissingField::empty) == refusal(event));
    }
    SECTION("each type names what it wanted") {
        // Other fields absent, so that the one given is the one refused.
        auto field_of = [](const char* kind, json payload) {
            return refusal(stored(kind, std::move(payload)), MissingField::empty);
        };
        CHECK(field_of("notice", {{"notice", "3"}})
                  .starts_with("event 12 (notice): field 'notice' is not a whole number ("));
        CHECK(field_of("deadline_met", {{"late", "yes"}})
                  .starts_with("event 12 (deadline_met): field 'late' is not true or false ("));
        CHECK(field_of("deadline_started", {{"due_at", "soon"}})
                  .starts_with("event 12 (deadline_started): field 'due_at' is not an ISO 8601 "
                               "time ("));
        CHECK(field_of("opened", {{"services", {"a", 1}}})
                  .starts_with("event 12 (opened): field 'services' is not a list of text ("));
        CHECK(field_of("assessed", {{"answers", json::array()}})
                  .starts_with("event 12 (assessed): field 'answers' is not a JSON object ("));
        CHECK(field_of("updated", {{"status", "fixed"}})
                  .starts_with("event 12 (updated): field 'status' is not investigating, "
                               "identified, monitoring or resolved ("));
        CHECK(field_of("closed", {{"recurrence", "never"}})
                  .starts_with("event 12 (closed): field 'recurrence' is not likely, unlikely or "
                               "unknown ("));
    }
    SECTION("a field the kind always writes is missing") {
        Event event = stored("closed", {{"actions", {"a"}}});
        CHECK(refusal(event) == "event 12 (closed): field 'resolution' is missing" + verify_hint);
        // What shows or counts the log reads it as empty, as it always did.
        CHECK(decode(event, MissingField::empty) ==
              EventPayload{events::Closed{.resolution = "", .actions = {"a"}}});
    }
    SECTION("a payload that is not an object, or not JSON") {
        CHECK(refusal(stored("closed", json::array())) ==
              "event 12 (closed): its fields are not a JSON object" + verify_hint);
        Event garbled = stored("closed", json::parse("{not json", nullptr, false));
        CHECK(refusal(garbled, MissingField::empty) ==
              "event 12 (closed): its fields are not a JSON object" + verify_hint);
    }
    SECTION("a kind this outage does not know") {
        CHECK(refusal(stored("escalated", json::object())) ==
              "event 12: kind 'escalated' is not one this outage knows" + verify_hint);
    }
    SECTION("a payload version this outage does not read") {
        CHECK(refusal(stored("reopened", {{"note", "x"}, {"v", 3}})) ==
              "event 12 (reopened): payload version 3 is not one this outage reads (it reads "
              "versions 1 to 2; did a newer outage write this log?)");
        CHECK(refusal(stored("step", {{"step", "s"}, {"state", "done"}, {"v", 2}})) ==
              "event 12 (step): payload version 2 is not one this outage reads (it reads "
              "version 1; did a newer outage write this log?)");
        CHECK(refusal(stored("notice", {{"notice", 1}, {"v", 3}})) ==
              "event 12 (notice): payload version 3 is not one this outage reads (it reads "
              "versions 1 to 2; did a newer outage write this log?)");
        CHECK(refusal(stored("reopened", {{"note", "x"}, {"v", "2"}}))
                  .starts_with("event 12 (reopened): field 'v' is not a whole number ("));
    }
}

TEST_CASE("events::FieldReader names the record it reads") {
    json fields = {{"note", "Looking"}, {"eta", 5}, {"count", 3}, {"none", nullptr}};
    FieldReader read(fields, "notice", 5);
    CHECK(read.record() == "notice 5");
    CHECK(read.text("note") == "Looking");
    CHECK_FALSE(read.text("workaround").has_value());
    CHECK_FALSE(read.text("none").has_value());
    CHECK(read.integer("count") == 3);
    std::string message;
    CHECK(exit_of([&] { read.text("eta"); }, message) == Exit::runtime);
    CHECK(message == "notice 5: field 'eta' is not text" + verify_hint);
    json list = json::array();
    CHECK(exit_of([&] { FieldReader{list, "notice", 6}; }, message) == Exit::runtime);
    CHECK(message == "notice 6: its fields are not a JSON object" + verify_hint);
}

TEST_CASE("events::a timeline folds with std::visit") {
    // The shape of a projection: state rebuilt from the log one event at a time.
    struct Owners {
        std::optional<std::string> owner;
        std::optional<std::string> severity;
        int handovers = 0;
    } state;
    for (const auto& sample : samples())
        std::visit(Overloaded{
                       [&](const events::Opened& e) { state.owner = e.owner; },
                       [&](const events::Handoff& e) {
                           state.owner = e.to;
                           ++state.handovers;
                       },
                       [&](const events::SeverityChanged& e) { state.severity = e.to; },
                       [](const auto&) {},
                   },
                   decode(stored(sample.kind, json::parse(sample.stored)), MissingField::error));
    CHECK(state.owner == "bob");
    CHECK(state.severity == "SEV1");
    CHECK(state.handovers == 2);
}

TEST_CASE("events::the store writes a typed payload as encode spells it") {
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    const Sample& sample = samples().front();
    Timestamp t0 = at("2026-11-22T10:00:00Z");
    Event written = write_transaction(*store, [&] {
        Incident incident;
        incident.title = "Flood in lab 2";
        incident.scenario = "lab-flood";
        incident.opened_at = t0;
        IncidentId id = store->insert_incident(incident);
        return store->append_event(id, {"tester", t0}, sample.payload);
    });
    auto events = store->timeline(written.incident_id);
    REQUIRE(events.size() == 1);
    CHECK(events[0].kind == "opened");
    CHECK(events[0].payload.dump() == sample.stored);
    CHECK(events[0].hash == chain_hash(1, written.incident_id, "2026-11-22T10:00:00Z", "opened",
                                       "tester", sample.stored, genesis_hash));
    CHECK(decode(events[0], MissingField::error) == sample.payload);
}
