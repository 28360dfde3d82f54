#include "fake_channel.hpp"
#include "fake_store.hpp"
#include "support.hpp"

#include "outage/model/deadline.hpp"
#include "outage/model/events.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/deadlines.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/notify.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace outage;
using namespace std::chrono;

namespace {

const std::string data = OUTAGE_TEST_DATA;
const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

std::string read_text(const std::string& file) {
    std::ifstream in(file);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// lab-flood on a FakeStore, its sample-owner deadline met by the first frontline message
// delivered; opened and assessed at t0 with samples at risk: insurer (48h) and sample-owner
// (24h) run.
struct Fixture {
    TempDir dir;
    FakeStore store;
    std::ostringstream out;
    NotifyEnvironment env;
    FakeChannels channels;
    Runbook runbook;
    IncidentId id = 0;

    static RunbookPath runbooks(const TempDir& dir) {
        std::string text = read_text(data + "/runbooks/good/lab-flood.yaml");
        std::string when = "    when: {question: samples_at_risk, equals: yes}\n";
        auto at = text.rfind(when);
        REQUIRE(at != std::string::npos);
        text.insert(at + when.size(), "    met-by: {audience: frontline}\n");
        std::ofstream(dir.file("lab-flood.yaml")) << text;
        std::ofstream(dir.file("severity.yaml"))
            << read_text(data + "/runbooks/good/severity.yaml");
        return runbook_path(dir.path.string());
    }

    Fixture()
        : env{runbooks(dir), template_path(data + "/templates"), Config{}, "/nonexistent/outbox",
              out} {
        runbook = load_runbook(env.runbooks, "lab-flood");
        OpenRequest open;
        open.scenario = "lab-flood";
        open.title = "Flood in lab 2";
        id = open_incident(store, plan_open(env.runbooks, open), {"alice", t0}).incident.id;
        Answers answers{{"scope", "room"},
                        {"samples_at_risk", "yes"},
                        {"people", 3},
                        {"realtime", "no"},
                        {"reporter", "Ann"}};
        assess_incident(store, runbook, load_severity_scale(env.runbooks), id, answers,
                        {"alice", t0});
    }

    NotifyResult tell(const std::string& audience, Timestamp at) {
        NotifyRequest request;
        request.id = id;
        request.audience = audience;
        request.to = {"help@lab.example"};
        request.note = "Lab 2 closed";
        return notify(store, env, request, {"alice", at}, {}, {channels.factory(), {}});
    }

    Deadline deadline(const std::string& name) {
        for (const auto& d : store.deadlines(id))
            if (d.name == name)
                return d;
        FAIL("no deadline " << name);
        return {};
    }

    std::vector<events::DeadlineMet> met_events() {
        std::vector<events::DeadlineMet> result;
        for (const auto& event : store.timeline(id))
            if (kind_of(event) == EventKind::deadline_met)
                result.push_back(std::get<events::DeadlineMet>(decode(event, MissingField::error)));
        return result;
    }
};

} // namespace

TEST_CASE("deadlines::outcome depends on the due and met times alone") {
    Timestamp due = t0 + hours{24};
    CHECK(deadline_outcome(due, due, t0 + days{40}) == DeadlineOutcome::met_on_time);
    CHECK(deadline_outcome(due, due + seconds{1}, t0) == DeadlineOutcome::met_late);
    CHECK(deadline_outcome(due, std::nullopt, due) == DeadlineOutcome::running);
    CHECK(deadline_outcome(due, std::nullopt, due + seconds{1}) == DeadlineOutcome::missed);
    CHECK(to_string(DeadlineOutcome::met_on_time) == "met on time");
}

TEST_CASE("deadlines::meet_deadline") {
    Fixture f;
    std::string message;
    Stamp late{"alice", t0 + hours{50}};
    CHECK(exit_of([&] { meet_deadline(f.store, f.runbook, f.id, "press", {}, {}, late); },
                  message) == Exit::not_found);
    CHECK(message == "no deadline 'press' in the lab-flood runbook (deadlines: insurer, "
                     "sample-owner)");
    Deadline met = meet_deadline(f.store, f.runbook, f.id, "insurer", "claim 991", {}, late);
    CHECK(met.met_at == t0 + hours{50});
    CHECK(deadline_outcome(met, late.at) == DeadlineOutcome::met_late);
    REQUIRE(f.met_events().size() == 1);
    CHECK(f.met_events()[0] ==
          events::DeadlineMet{"insurer", t0 + hours{48}, true, "claim 991", std::nullopt});
    CHECK(exit_of([&] { meet_deadline(f.store, f.runbook, f.id, "insurer", {}, {}, late); },
                  message) == Exit::conflict);
    CHECK(message == "deadline 'insurer' of incident 1 was already met at 2026-11-24T12:00:00Z");

    SECTION("a deadline the answers did not start") {
        OpenRequest open;
        open.scenario = "lab-flood";
        open.title = "Damp";
        IncidentId other =
            open_incident(f.store, plan_open(f.env.runbooks, open), {"alice", t0}).incident.id;
        CHECK(
            exit_of([&] { meet_deadline(f.store, f.runbook, other, "sample-owner", {}, {}, late); },
                    message) == Exit::conflict);
        CHECK(message == "deadline 'sample-owner' is not running on incident 2: the answers so "
                         "far do not call for it");
    }
}

TEST_CASE("deadlines::meet_deadline --at: when it was met, not when it was recorded") {
    Fixture f;
    Stamp later{"alice", t0 + hours{30}}; // sample-owner was due at +24h
    std::string before = f.store.dump();
    std::string message;

    SECTION("met on time though recorded after the due time") {
        Deadline met = meet_deadline(f.store, f.runbook, f.id, "sample-owner", "phoned",
                                     t0 + hours{20}, later);
        CHECK(met.met_at == t0 + hours{20});
        CHECK(deadline_outcome(met, t0 + days{40}) == DeadlineOutcome::met_on_time);
        REQUIRE(f.met_events().size() == 1);
        CHECK(f.met_events()[0] ==
              events::DeadlineMet{"sample-owner", t0 + hours{24}, false, "phoned", t0 + hours{20}});
        CHECK(f.store.timeline(f.id).back().at == later.at);
    }
    SECTION("late is counted from the time it was met") {
        Deadline met =
            meet_deadline(f.store, f.runbook, f.id, "sample-owner", {}, t0 + hours{25}, later);
        CHECK(deadline_outcome(met, later.at) == DeadlineOutcome::met_late);
        CHECK(f.met_events()[0].late);
    }
    SECTION("a time in the future, or before the clock started, is refused") {
        auto refusal = [&](Timestamp at) {
            CHECK(
                exit_of(
                    [&] { meet_deadline(f.store, f.runbook, f.id, "sample-owner", {}, at, later); },
                    message) == Exit::usage);
            CHECK(f.store.dump() == before);
            return message;
        };
        CHECK(refusal(t0 + hours{31}) == "--at: 2026-11-23 18:00 CET is in the future (it is "
                                         "2026-11-23 17:00 CET now)");
        CHECK(refusal(t0 - minutes{5}) == "--at: 2026-11-22 10:55 CET is before deadline "
                                          "'sample-owner' of incident 1 started (2026-11-22 "
                                          "11:00 CET)");
    }
    SECTION("a closed incident's deadline, without reopening it") {
        close_incident(f.store, f.id, {"Pumped out", {}, {}, {}}, {"alice", t0 + hours{12}});
        CHECK(unmet_deadlines(f.store, f.id).size() == 2);
        meet_deadline(f.store, f.runbook, f.id, "sample-owner", {}, t0 + hours{20}, later);
        CHECK(f.store.find_incident(f.id)->status == Status::closed);
        auto unmet = unmet_deadlines(f.store, f.id);
        REQUIRE(unmet.size() == 1);
        CHECK(unmet[0].name == "insurer");
    }
}

TEST_CASE("deadlines::a delivered notice meets the deadline its runbook names") {
    Fixture f;
    Timestamp ten_minutes_in = t0 + minutes{10};

    SECTION("the first message delivered stops the clock, in its own transaction") {
        int commits = f.store.commits();
        NotifyResult sent = f.tell("frontline", ten_minutes_in);
        CHECK(sent.counts.sent == 1);
        Deadline met = f.deadline("sample-owner");
        CHECK(met.met_at == ten_minutes_in);
        CHECK(met.note == "met by notice 1 to frontline");
        CHECK_FALSE(f.deadline("insurer").met_at);
        // record the notice, claim the delivery, mark it (and meet the deadline), notice_sent
        CHECK(f.store.commits() - commits == 4);
        auto timeline = f.store.timeline(f.id);
        REQUIRE(timeline.size() >= 2);
        CHECK(timeline[timeline.size() - 2].kind == "deadline_met");
        CHECK(timeline.back().kind == "notice_sent");
        CHECK(f.met_events() ==
              std::vector<events::DeadlineMet>{{"sample-owner", t0 + hours{24}, false,
                                                "met by notice 1 to frontline", std::nullopt}});
        // A second notice meets nothing more.
        f.tell("frontline", ten_minutes_in + minutes{5});
        CHECK(f.met_events().size() == 1);
    }
    SECTION("a failed delivery meets nothing; the resend that gets through does") {
        f.channels.channel.refuse_at = 1;
        NotifyResult failed = f.tell("frontline", ten_minutes_in);
        CHECK(failed.counts.failed == 1);
        CHECK_FALSE(f.deadline("sample-owner").met_at);
        CHECK(f.met_events().empty());
        resume_notice(f.store, f.env, failed.notice_id, {"alice", t0 + hours{25}}, {}, {},
                      {f.channels.factory(), {}});
        Deadline met = f.deadline("sample-owner");
        CHECK(met.met_at == t0 + hours{25});
        CHECK(deadline_outcome(met, t0 + hours{25}) == DeadlineOutcome::met_late);
    }
    SECTION("another audience meets nothing") {
        NotifyRequest request;
        request.id = f.id;
        request.audience = "customers";
        request.to = {"a@x.example", "b@x.example"};
        request.eta = t0 + hours{2};
        request.force = true;
        notify(f.store, f.env, request, {"alice", ten_minutes_in}, {}, {f.channels.factory(), {}});
        CHECK_FALSE(f.deadline("sample-owner").met_at);
    }
    SECTION("a deadline already met by hand is left as it was") {
        meet_deadline(f.store, f.runbook, f.id, "sample-owner", "phoned", {}, {"bob", t0});
        f.tell("frontline", ten_minutes_in);
        CHECK(f.deadline("sample-owner").met_at == t0);
        CHECK(f.met_events().size() == 1);
    }
    SECTION("a closed incident's clock still runs and a notice after the close meets it") {
        close_incident(f.store, f.id, {"Pumped out", {}, {}, {}}, {"alice", t0 + hours{1}});
        f.tell("frontline", t0 + hours{2});
        CHECK(f.deadline("sample-owner").met_at == t0 + hours{2});
    }
}
