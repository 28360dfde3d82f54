#include "outage/model/error.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/lifecycle.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace outage;
using namespace std::chrono;
using nlohmann::json;

namespace {

const std::string data = OUTAGE_TEST_DATA;
const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

struct Lab {
    RunbookPath path = runbook_path(data + "/runbooks/good");
    Runbook runbook = load_runbook(path, "lab-flood");
    SeverityScale scale = load_severity_scale(path);
};

Answers answers(std::string scope, std::string samples, int people, std::string realtime) {
    return {{"scope", scope},
            {"samples_at_risk", samples},
            {"people", people},
            {"realtime", realtime},
            {"reporter", "Ann"}};
}

} // namespace

TEST_CASE("assessment::decide_severity first match wins") {
    Lab lab;
    auto verdict = [&](const Answers& a) {
        auto v = decide_severity(lab.runbook, a);
        return v.level + " " + v.rule;
    };
    CHECK(verdict(answers("floor", "no", 0, "no")) == "SEV1 whole-floor-or-samples");
    CHECK(verdict(answers("room", "yes", 10, "no")) == "SEV1 whole-floor-or-samples");
    CHECK(verdict(answers("room", "yes", 9, "no")) == "SEV3 room");
    CHECK(verdict(answers("corner", "no", 25, "no")) == "SEV2 many-people");
    CHECK(verdict(answers("corner", "yes", 3, "no")) == "SEV4 default");
}

TEST_CASE("assessment::holds") {
    Condition at_least{Condition::Op::at_least, "people", {}, 10, {}};
    CHECK(holds(at_least, {{"people", 10}}));
    CHECK(holds(at_least, {{"people", 10.5}}));
    CHECK_FALSE(holds(at_least, {{"people", 9}}));
    CHECK_FALSE(holds(at_least, {})); // unanswered satisfies nothing
    Condition negated{Condition::Op::negate, "", {}, 0, {at_least}};
    CHECK(holds(negated, {{"people", 1}}));
    Condition one_of{Condition::Op::one_of, "scope", {json("room"), json("floor")}, 0, {}};
    CHECK(holds(one_of, {{"scope", "floor"}}));
    CHECK_FALSE(holds(one_of, {{"scope", "corner"}}));
    Condition empty_all{Condition::Op::all, "", {}, 0, {}};
    CHECK(holds(empty_all, {}));
}

TEST_CASE("assessment::update_interval") {
    Lab lab;
    CHECK(update_interval(lab.runbook, lab.scale, "SEV1", answers("floor", "no", 0, "yes")) ==
          minutes{15});
    CHECK(update_interval(lab.runbook, lab.scale, "SEV1", answers("floor", "no", 0, "no")) ==
          minutes{30});
    CHECK(update_interval(lab.runbook, lab.scale, "SEV2", answers("floor", "no", 0, "yes")) ==
          hours{1}); // the real-time entry does not name SEV2: severity.yaml decides
    CHECK(update_interval(lab.runbook, lab.scale, "SEV4", answers("corner", "no", 0, "yes")) ==
          hours{12});
}

TEST_CASE("assessment::audiences_for") {
    Lab lab;
    auto calls = [&](const char* level, const Answers& a) {
        std::vector<std::string> result;
        for (const auto& call : audiences_for(lab.runbook, lab.scale.level(level), a))
            result.push_back(call.entry->audience + (call.now ? "" : " (on request)"));
        return result;
    };
    using Names = std::vector<std::string>;
    CHECK(calls("SEV1", answers("floor", "no", 0, "yes")) ==
          Names{"frontline", "customers", "vendor (on request)"});
    CHECK(calls("SEV1", answers("floor", "no", 0, "no")) == Names{"frontline", "customers"});
    CHECK(calls("SEV3", answers("room", "no", 0, "no")) == Names{"frontline"});
}

TEST_CASE("assessment::parse_answer") {
    Lab lab;
    const Question& scope = *lab.runbook.question("scope");
    const Question& samples = *lab.runbook.question("samples_at_risk");
    const Question& people = *lab.runbook.question("people");
    const Question& reporter = *lab.runbook.question("reporter");
    CHECK(*parse_answer(scope, "room", false).value == "room");
    CHECK(*parse_answer(scope, " 3 ", true).value == "floor");
    CHECK(parse_answer(scope, "3", false).error ==
          "'3' is not a choice; expected one of: corner, room, floor");
    CHECK(parse_answer(scope, "4", true).error ==
          "'4' is not a choice; expected one of: corner, room, floor (or 1 to 3)");
    for (const char* yes : {"yes", "Y", "true", "YES"})
        CHECK(*parse_answer(samples, yes, false).value == "yes");
    for (const char* no : {"no", "n", "False"})
        CHECK(*parse_answer(samples, no, false).value == "no");
    CHECK(parse_answer(samples, "maybe", false).error ==
          "'maybe' is not yes or no (y/n and true/false work too)");
    CHECK(*parse_answer(people, "12", false).value == 12);
    CHECK(parse_answer(people, "12", false).value->is_number_integer());
    CHECK(*parse_answer(people, "2.5", false).value == 2.5);
    CHECK(parse_answer(people, "-1", false).error == "'-1' is not a number of at least 0");
    CHECK(parse_answer(people, "lots", false).error == "'lots' is not a number of at least 0");
    CHECK(parse_answer(people, "nan", false).error == "'nan' is not a number of at least 0");
    CHECK(*parse_answer(reporter, "Ann at reception", false).value == "Ann at reception");
    CHECK(parse_answer(reporter, "", false).error == "an answer is needed: one line of text");
}

TEST_CASE("assessment::assess_incident") {
    Lab lab;
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    OpenRequest open;
    open.scenario = "lab-flood";
    open.title = "Water under the door";
    Stamp alice{"alice", t0};
    RunbookPath path = lab.path;
    IncidentId id = open_incident(*store, plan_open(path, open), alice).incident.id;
    // The insurer clock has no condition: it starts when the incident opens.
    REQUIRE(store->deadlines(id).size() == 1);
    CHECK(store->deadlines(id)[0].due_at == t0 + hours{48});

    SECTION("missing answers name every question") {
        auto gathered = gather_answers(*store, lab.runbook, id, {{"scope", "room"}});
        REQUIRE(gathered.missing.size() == 4);
        CHECK(gathered.missing[0]->id == "samples_at_risk");
        CHECK_THROWS_WITH(
            assess_incident(*store, lab.runbook, lab.scale, id, gathered.answers, alice),
            "missing answers: samples_at_risk (Are samples at risk?); people (How "
            "many people cannot work?); realtime (Is the booking system down?); "
            "reporter (Who reported it?); pass --answer ID=VALUE or answer on a "
            "terminal");
    }
    SECTION("invalid given answers") {
        CHECK_THROWS_WITH(gather_answers(*store, lab.runbook, id, {{"scpoe", "room"}}),
                          "unknown question 'scpoe' for scenario lab-flood (questions: scope, "
                          "samples_at_risk, people, realtime, reporter)");
        CHECK_THROWS_WITH(gather_answers(*store, lab.runbook, id, {{"scope", "hall"}}),
                          "invalid answer 'hall' to question 'scope': expected one of: corner, "
                          "room, floor");
    }
    SECTION("a first assessment, then a worse one") {
        auto first = assess_incident(*store, lab.runbook, lab.scale, id,
                                     answers("room", "no", 2, "no"), {"alice", t0 + minutes{5}});
        CHECK(first.record.severity == "SEV3");
        CHECK(first.record.rule == "room");
        CHECK_FALSE(first.previous_severity);
        CHECK(first.interval == hours{4});
        CHECK(first.incident.next_update_due == t0 + minutes{5} + hours{4});
        CHECK(first.steps.size() == 2); // move-samples needs SEV2

        // Later answers are laid over the earlier ones.
        auto gathered =
            gather_answers(*store, lab.runbook, id, {{"samples_at_risk", "yes"}, {"people", "15"}});
        CHECK(gathered.missing.empty());
        auto second = assess_incident(*store, lab.runbook, lab.scale, id, gathered.answers,
                                      {"bob", t0 + minutes{20}});
        CHECK(second.record.severity == "SEV1");
        CHECK(second.previous_severity == "SEV3");
        CHECK(second.interval == minutes{30});
        CHECK(second.incident.next_update_due == t0 + minutes{50});
        CHECK(store->update_clocks(id) == UpdateClocks{{first_update, t0 + minutes{50}}});
        CHECK(second.steps.size() == 3);
        REQUIRE(second.deadlines.size() == 2);
        CHECK(second.deadlines[0].name == "sample-owner");
        CHECK(second.deadlines[0].started_at == t0 + minutes{20});

        std::vector<std::string> kinds;
        for (const auto& event : store->timeline(id))
            kinds.push_back(event.kind);
        CHECK(kinds == std::vector<std::string>{"opened", "deadline_started", "assessed",
                                                "severity_changed", "assessed", "severity_changed",
                                                "deadline_started"});

        // A milder re-assessment does not push back an update already owed.
        auto third = assess_incident(*store, lab.runbook, lab.scale, id,
                                     answers("corner", "no", 0, "no"), {"bob", t0 + minutes{25}});
        CHECK(third.record.severity == "SEV4");
        CHECK(third.incident.next_update_due == t0 + minutes{50});
        CHECK(store->deadlines(id).size() == 2); // a running clock keeps running
    }
}
