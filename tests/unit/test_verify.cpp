#include "fake_channel.hpp"
#include "fake_store.hpp"
#include "support.hpp"

#include "outage/model/state.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/deadlines.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/notify.hpp"
#include "outage/services/progress.hpp"
#include "outage/services/verify.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <set>
#include <sstream>

using namespace outage;
using namespace std::chrono;
using nlohmann::json;

namespace {

const std::string data = OUTAGE_TEST_DATA;
const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

Stamp at(minutes offset, std::string actor = "alice") {
    return {std::move(actor), t0 + offset};
}

// One lab-flood incident through every service that writes its state, on a FakeStore.
struct Written {
    FakeStore store;
    std::ostringstream out;
    NotifyEnvironment env{runbook_path(data + "/runbooks/good"), template_path(data + "/templates"),
                          Config{}, "/nonexistent/outbox", out};
    FakeChannels channels;
    Runbook runbook = load_runbook(env.runbooks, "lab-flood");
    IncidentId id = 0;

    explicit Written(bool close = true) {
        OpenRequest open;
        open.scenario = "lab-flood";
        open.title = "Flood in lab 2";
        open.services = {"booking", "lab"};
        open.dedup_key = "flood-2";
        id = open_incident(store, plan_open(env.runbooks, open), at(0min)).incident.id;
        open.title = "Flood again";
        open_incident(store, plan_open(env.runbooks, open), at(1min)); // retriggered
        Answers answers{{"scope", "room"},
                        {"samples_at_risk", "no"},
                        {"people", 12},
                        {"realtime", "no"},
                        {"reporter", "Ann"}};
        assess_incident(store, runbook, load_severity_scale(env.runbooks), id, answers, at(5min));
        update_incident(store, id, {Phase::identified, "Pumps on", t0 + 2h, 14}, at(10min));
        hand_off(store, id, {"bob", "Samples moved"}, at(15min));
        acknowledge(store, id, at(16min, "bob"));
        mark_step(store, runbook, id, "power-off", StepState::done, "Breaker 4", at(20min));
        mark_step(store, runbook, id, "move-samples", StepState::skipped, {}, at(21min));
        mark_step(store, runbook, id, "move-samples", StepState::done, {}, at(22min));
        meet_deadline(store, runbook, id, "insurer", "Called", std::nullopt, at(25min));
        notify_customers({"ann@acme.example", "bo@acme.example"}, 30min);
        if (!close)
            return;
        close_incident(store, id, {"Pumped out", "A burst pipe", Recurrence::unlikely, {"Sensor"}},
                       at(60min));
        reopen_incident(store, id, "Water again", at(70min));
        close_incident(store, id, {"Pumped out again", {}, {}, {"Pipes"}}, at(80min));
    }

    NotifyResult notify_customers(std::vector<std::string> to, minutes when) {
        NotifyRequest request;
        request.id = id;
        request.audience = "customers";
        request.channel = "email";
        request.to = std::move(to);
        return notify(store, env, request, at(when), {}, {channels.factory(), {}});
    }

    VerifyResult verify(const std::optional<std::string>& head = std::nullopt) {
        return verify_log(store, head);
    }
};

// The single difference verify finds, as verify words it.
std::string only_difference(FakeStore& store) {
    VerifyResult result = verify_log(store, std::nullopt);
    CHECK_FALSE(result.ok());
    REQUIRE(result.state.differences.size() == 1);
    CHECK(result.state.problems.empty());
    return describe(result.state.differences[0]);
}

Incident& incident_of(FakeStore::Data& d) {
    return d.incidents.front();
}

} // namespace

TEST_CASE("verify::what the services write is what the events give") {
    Written w;
    VerifyResult result = w.verify();
    CHECK(result.ok());
    CHECK(result.chain.events_checked > 15);
    CHECK(result.state.incidents == 1);
    CHECK(result.state.differences.empty());
    CHECK(result.state.problems.empty());
    CHECK(result.state.unproven.empty());
    CHECK(result.state.interrupted.empty());
    CHECK(result.clock_jumps.empty());

    // The projection has every table's rows.
    IncidentState state = project(w.id, w.store.timeline(w.id));
    CHECK(state.incident.title == "Flood in lab 2");
    CHECK(state.incident.status == Status::closed);
    CHECK(state.incident.actions == std::vector<std::string>{"Sensor", "Pipes"});
    CHECK(state.incident.update_interval == w.store.find_incident(w.id)->update_interval);
    CHECK(state.assessments.size() == 1);
    CHECK(state.steps.size() == 2);
    CHECK(state.deadlines.size() == w.store.deadlines(w.id).size());
    REQUIRE(state.notices.size() == 1);
    CHECK(state.notices[0].counts.sent == 2);
    CHECK(state.notices[0].states_digest);
}

TEST_CASE("verify::an edit of each table is a difference naming the fact") {
    Written w;
    using Data = FakeStore::Data;
    SECTION("incident fields") {
        w.store.tamper([](Data& d) { incident_of(d).severity = "SEV4"; });
        CHECK(only_difference(w.store) ==
              R"(incident 1: severity is "SEV2" in the log, "SEV4" in the table)");
    }
    SECTION("root cause") {
        w.store.tamper([](Data& d) { incident_of(d).root_cause = "Cosmic rays"; });
        CHECK(only_difference(w.store) ==
              R"(incident 1: root_cause is none in the log, "Cosmic rays" in the table)");
    }
    SECTION("status and closed_at") {
        w.store.tamper([](Data& d) {
            incident_of(d).status = Status::open;
            incident_of(d).closed_at.reset();
        });
        CHECK(w.verify().state.differences.size() == 2);
    }
    SECTION("owner, update interval, actions") {
        w.store.tamper([](Data& d) { incident_of(d).owner = "mallory"; });
        CHECK(only_difference(w.store) ==
              R"(incident 1: owner is "bob" in the log, "mallory" in the table)");
        w.store.tamper([](Data& d) {
            incident_of(d).owner = "bob";
            incident_of(d).update_interval = 24h;
        });
        CHECK(only_difference(w.store) ==
              "incident 1: update_interval is 3600 in the log, 86400 in the table");
        w.store.tamper([](Data& d) {
            incident_of(d).update_interval = 1h;
            incident_of(d).actions.pop_back();
        });
        CHECK(only_difference(w.store) ==
              R"(incident 1: actions is ["Sensor","Pipes"] in the log, ["Sensor"] in the table)");
    }
    SECTION("an assessment") {
        w.store.tamper([](Data& d) { d.assessments[0].answers["people"] = 2; });
        CHECK(only_difference(w.store).starts_with("incident 1: assessment 1 answers is {"));
    }
    SECTION("a step") {
        w.store.tamper([](Data& d) { d.steps[0].second.note = "Breaker 5"; });
        CHECK(
            only_difference(w.store) ==
            R"(incident 1: step power-off note is "Breaker 4" in the log, "Breaker 5" in the table)");
    }
    SECTION("a deadline met later than it was") {
        w.store.tamper([](Data& d) { d.deadlines.at(0).met_at = t0 + 72h; });
        CHECK(only_difference(w.store) ==
              "incident 1: deadline insurer met_at is \"2026-11-22T10:25:00Z\" in the log, "
              "\"2026-11-25T10:00:00Z\" in the table");
    }
    SECTION("a deadline added") {
        w.store.tamper([](Data& d) {
            d.deadlines.push_back({1, "regulator", "Tell them", t0, t0 + 1h, t0, {}});
        });
        CHECK(only_difference(w.store).starts_with(
            "incident 1: deadline regulator is none in the log, {"));
    }
    SECTION("a notice's values") {
        w.store.tamper([](Data& d) { d.notices[0].fields["note"] = "All fine"; });
        CHECK(only_difference(w.store).starts_with("incident 1: notice 1 fields is \""));
    }
    SECTION("a notice's recipients") {
        w.store.tamper([](Data& d) { d.deliveries[0].recipient = "eve@evil.example"; });
        CHECK(only_difference(w.store).starts_with("incident 1: notice 1 recipient_list is \""));
    }
    SECTION("a delivery that went out marked failed") {
        w.store.tamper([](Data& d) { d.deliveries[0].state = DeliveryState::failed; });
        CHECK(only_difference(w.store) ==
              R"(incident 1: notice 1 deliveries is {"failed":0,"pending":0,"sent":2} in the )"
              R"(log, {"failed":1,"pending":0,"sent":1} in the table)");
    }
    SECTION("an incident row removed, or one with no events") {
        w.store.tamper([](Data& d) { d.incidents.clear(); });
        VerifyResult result = w.verify();
        CHECK_FALSE(result.ok());
        CHECK(result.state.problems ==
              std::vector<std::string>{fmt::format("incident 1: the log has {} events of it, the "
                                                   "table does not have it",
                                                   result.chain.events_checked)});
    }
    SECTION("every event deleted") {
        w.store.tamper([](Data& d) { d.events.clear(); });
        VerifyResult result = w.verify();
        CHECK(result.chain.events_checked == 0);
        CHECK_FALSE(result.ok());
        CHECK(result.state.problems ==
              std::vector<std::string>{"incident 1: the table has it, the log has no event of it"});
    }
}

TEST_CASE("verify::update clocks and what a notice keeps for later ones") {
    Written w(false);
    REQUIRE(w.verify().ok());
    NotifyRequest request;
    request.id = w.id;
    request.audience = "customers";
    request.channel = "email";
    request.to = {"cy@acme.example", "di@acme.example"};
    request.workaround = "Use the second-floor lab";
    request.eta = t0 + 3h;
    notify(w.store, w.env, request, at(40min), {}, {w.channels.factory(), {}});
    REQUIRE(w.verify().ok());
    IncidentState state = project(w.id, w.store.timeline(w.id));
    CHECK(state.incident.workaround == "Use the second-floor lab");
    CHECK(state.incident.eta == t0 + 3h);
    CHECK(state.clocks == w.store.update_clocks(w.id));
    REQUIRE_FALSE(state.clocks.empty());

    using Data = FakeStore::Data;
    SECTION("a clock pushed back") {
        w.store.tamper([&](Data& d) { d.clocks[w.id].begin()->second += 24h; });
        CHECK(only_difference(w.store).starts_with("incident 1: update_clocks is {"));
    }
    SECTION("the workaround") {
        w.store.tamper([](Data& d) { incident_of(d).workaround = "Work from home"; });
        CHECK(only_difference(w.store) == R"(incident 1: workaround is "Use the second-floor )"
                                          R"(lab" in the log, "Work from home" in the table)");
    }
    SECTION("closed, the clocks are gone") {
        close_incident(w.store, w.id, {"Dry", {}, {}, {}}, at(50min));
        CHECK(w.store.update_clocks(w.id).empty());
        CHECK(w.verify().ok());
        w.store.tamper([&](Data& d) { d.clocks[w.id][""] = t0; });
        CHECK(only_difference(w.store) ==
              R"(incident 1: update_clocks is {} in the log, {"":"2026-11-22T10:00:00Z"} in the )"
              "table");
    }
}

TEST_CASE("verify::a send the table shows further along is interrupted, not forged") {
    Written w(false);
    // The second notice: the first message refused, so one failed and one sent.
    w.channels.channel.refuse_at = w.channels.channel.attempts + 1;
    NotifyResult sent = w.notify_customers({"cy@acme.example", "di@acme.example"}, 40min);
    REQUIRE(sent.counts.failed == 1);
    REQUIRE(w.verify().ok());
    using Data = FakeStore::Data;

    SECTION("failed to sent after the last event: a note") {
        w.store.tamper([](Data& d) {
            for (auto& delivery : d.deliveries)
                delivery.state = DeliveryState::sent;
        });
        VerifyResult result = w.verify();
        CHECK(result.ok());
        REQUIRE(result.state.interrupted.size() == 1);
        CHECK(result.state.interrupted[0].notice == sent.notice_id);
        CHECK(result.state.interrupted[0].log.failed == 1);
        CHECK(result.state.interrupted[0].table.sent == 2);
    }
    SECTION("the same counts with the states swapped: a difference") {
        w.store.tamper([](Data& d) {
            for (auto& delivery : d.deliveries)
                if (delivery.notice_id == 2)
                    delivery.state = delivery.state == DeliveryState::sent ? DeliveryState::failed
                                                                           : DeliveryState::sent;
        });
        CHECK(only_difference(w.store).starts_with(
            R"(incident 1: notice 2 deliveries is {"failed":1,"pending":0,"sent":1,"states":")"));
    }
    SECTION("sent back to pending: a difference") {
        w.store.tamper([](Data& d) { d.deliveries[0].state = DeliveryState::pending; });
        CHECK_FALSE(w.verify().ok());
    }
    SECTION("a send cut off before its notice_sent: a note") {
        w.store.tamper([](Data& d) { d.events.pop_back(); });
        VerifyResult result = w.verify();
        CHECK(result.ok());
        REQUIRE(result.state.interrupted.size() == 1);
        CHECK(result.state.interrupted[0].log.pending == 2);
    }
}

TEST_CASE("verify::what an earlier outage's events cannot prove is unproven, not forged") {
    Written w;
    // The same log as an outage before payload version 2 wrote it: no update interval, no
    // notice identity, values, recipients or delivery states in the events.
    FakeStore::Data tables;
    w.store.tamper([&](FakeStore::Data& d) { tables = d; });
    std::vector<Event> events = tables.events;
    tables.events.clear();
    FakeStore legacy;
    legacy.tamper([&](FakeStore::Data& d) { d = tables; });
    write_transaction(legacy, [&] {
        for (Event event : events) {
            for (const char* key : {"v", "update_interval", "identity", "fields_digest",
                                    "recipients_digest", "states_digest"})
                event.payload.erase(key);
            legacy.append_event(event.incident_id, {event.actor, event.at}, event.kind,
                                event.payload);
        }
    });

    SECTION("before the migration's mark: notes") {
        legacy.mark_events_legacy();
        VerifyResult result = verify_log(legacy, std::nullopt);
        CHECK(result.ok());
        std::set<FactName> unproven;
        for (const auto& fact : result.state.unproven)
            unproven.insert(fact.fact);
        // The close proved the update clocks (none) and the next update (none) again.
        CHECK(unproven == std::set<FactName>{{"", "update_interval"},
                                             {"notice 1", "identity"},
                                             {"notice 1", "fields"},
                                             {"notice 1", "recipient_list"},
                                             {"notice 1", "delivery_states"}});
        // Such a fact can be changed unseen; what the events do carry cannot.
        legacy.tamper([](FakeStore::Data& d) { incident_of(d).update_interval = 24h; });
        CHECK(verify_log(legacy, std::nullopt).ok());
        legacy.tamper([](FakeStore::Data& d) { incident_of(d).severity = "SEV1"; });
        CHECK(only_difference(legacy) ==
              R"(incident 1: severity is "SEV2" in the log, "SEV1" in the table)");
    }
    SECTION("after it: outage always writes them, so their absence is a difference") {
        VerifyResult result = verify_log(legacy, std::nullopt);
        CHECK_FALSE(result.ok());
        CHECK(result.state.unproven.empty());
        CHECK(describe(result.state.differences.at(0)) ==
              "incident 1: update_interval is none in the log, 3600 in the table");
    }
}

TEST_CASE("verify::times that go back and the head kept elsewhere") {
    Written w(false);
    std::string head = w.verify().chain.head;
    SECTION("the head is found however many events came since") {
        update_incident(w.store, w.id, {.note = "Later"}, at(50min));
        VerifyResult result = w.verify(head);
        CHECK(result.ok());
        CHECK(result.head_event == result.chain.events_checked - 1);
        CHECK(result.events_since_head == 1);
    }
    SECTION("a head the chain does not hold fails") {
        VerifyResult result = w.verify(std::string(64, 'a'));
        CHECK_FALSE(result.ok());
        CHECK_FALSE(result.head_event);
    }
    SECTION("back by the tolerance is fine, further is flagged") {
        update_incident(w.store, w.id, {.note = "Skew"}, at(30min - clock_tolerance));
        CHECK(w.verify().ok());
        update_incident(w.store, w.id, {.note = "Back-dated"}, at(20min));
        VerifyResult result = w.verify();
        CHECK(result.ok()); // flagged, not failed
        REQUIRE(result.clock_jumps.size() == 1);
        CHECK(result.clock_jumps[0].kind == "updated");
        CHECK(result.clock_jumps[0].earlier_at == t0 + 30min);
        CHECK(result.state.matches());
    }
}

TEST_CASE("verify::the commands that print an incident check it") {
    Written w;
    auto check = [&](StateScope scope) {
        return check_incident(w.store, *w.store.find_incident(w.id), w.store.timeline(w.id), scope);
    };
    CHECK(check(StateScope::full).matches());
    w.store.tamper([](FakeStore::Data& d) { d.steps[0].second.note = "x"; });
    // `show` and `export` print the incident's row: a step is not theirs to check.
    CHECK(check(StateScope::incident).matches());
    CHECK_FALSE(check(StateScope::full).matches());
    w.store.tamper([](FakeStore::Data& d) {
        incident_of(d).severity = "SEV1";
        incident_of(d).root_cause = "x";
    });
    std::string message;
    CHECK(exit_of([&] { require_matching_state(check(StateScope::incident)); }, message) ==
          Exit::runtime);
    CHECK(message == R"(incident 1: severity is "SEV2" in the log, "SEV1" in the table (and 1 )"
                     "more difference): the log was changed outside outage; `outage verify` "
                     "lists what does not match");
}

TEST_CASE("state::apply") {
    auto event = [](std::int64_t id, std::string_view kind, json payload, minutes when = 0min) {
        return Event{id, 1, t0 + when, std::string(kind), "alice", std::move(payload), ""};
    };
    SECTION("events out of place are anomalies") {
        IncidentState state = project(
            1,
            {event(1, "updated", {{"note", "x"}}),
             event(
                 2, "opened",
                 {{"title", "t"}, {"scenario", "s"}, {"owner", "o"}, {"services", json::array()}}),
             event(3, "deadline_met",
                   {{"deadline", "gdpr"}, {"due_at", "2026-11-23T10:00:00Z"}, {"late", false}}),
             event(4, "notice_sent",
                   {{"notice", 9},
                    {"audience", "a"},
                    {"attempted", 1},
                    {"sent", 1},
                    {"failed", 0},
                    {"pending", 0}})});
        CHECK(state.anomalies ==
              std::vector<std::string>{
                  "event 1 (updated) comes before the incident's `opened` event",
                  "event 3 (deadline_met) meets deadline 'gdpr', which never started",
                  "event 4 (notice_sent) sends notice 9, which was never recorded"});
    }
    SECTION("an event that cannot be read is an error naming it") {
        std::string message;
        CHECK(exit_of(
                  [&] {
                      project(1, {event(5, "opened", {{"title", 3}})});
                  },
                  message) == Exit::runtime);
        CHECK(message.starts_with("event 5 (opened): field 'title' is not text"));
    }
    SECTION("a later assessment proves the update interval again") {
        json v1 = {{"severity", "SEV2"},
                   {"rule", "r"},
                   {"answers", json::object()},
                   {"next_update_due", "2026-11-22T11:00:00Z"}};
        json v2 = v1;
        v2["v"] = 2;
        v2["update_interval"] = 1800;
        v2["clocks"] = {{"", "2026-11-22T11:00:00Z"}};
        json opened = {
            {"title", "t"}, {"scenario", "s"}, {"owner", "o"}, {"services", json::array()}};
        IncidentState state = project(1, {event(1, "opened", opened), event(2, "assessed", v1)});
        CHECK(state.unproven.at({"", "update_interval"}) == 2);
        state = project(
            1, {event(1, "opened", opened), event(2, "assessed", v1), event(3, "assessed", v2)});
        CHECK(state.unproven.empty());
        CHECK(state.incident.update_interval == 30min);
    }
}
