#include "outage/report/durations.hpp"
#include "outage/report/report.hpp"
#include "outage/report/stats.hpp"
#include "outage/report/svg.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/delivery_digest.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/progress.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <ctime>

using namespace outage;
using namespace std::chrono;

namespace {

const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");
const std::string data = OUTAGE_TEST_DATA;

Event event(const char* kind, minutes after, nlohmann::json payload = nlohmann::json::object()) {
    Event e;
    e.incident_id = 1;
    e.at = t0 + after;
    e.kind = kind;
    e.actor = "alice";
    e.payload = std::move(payload);
    return e;
}

Event severity(minutes after, const char* to) {
    return event("severity_changed", after, {{"from", nullptr}, {"to", to}, {"rule", "r"}});
}

Event sent(minutes after, const char* audience, int count) {
    return event("notice_sent", after,
                 {{"notice", 1}, {"audience", audience}, {"sent", count}, {"failed", 0}});
}

// Opened at t0, SEV3 at 20m, a frontline notice at 30m, customers failed at 40m and reached
// at 45m, SEV2 at 60m, closed at 180m.
IncidentClock first_response() {
    IncidentClock clock;
    for (const auto& e :
         {event("opened", 0min, {{"scenario", "power-loss"}}),
          event("assessed", 20min, {{"severity", "SEV3"}}), severity(20min, "SEV3"),
          sent(30min, "frontline", 1), sent(40min, "customers", 0), sent(45min, "customers", 2),
          event("assessed", 60min), severity(60min, "SEV2"), event("closed", 180min)})
        observe(clock, e, customer_facing_by_name);
    return clock;
}

} // namespace

TEST_CASE("durations::key durations and time per severity") {
    IncidentClock clock = first_response();
    Durations d = durations(clock, t0 + 300min);
    CHECK(d.to_assess == 20min);
    CHECK(d.to_customer_notice == 45min); // the failed attempt at 40m told nobody
    CHECK(d.to_resolve == 180min);
    CHECK(d.open == 180min);
    CHECK(d.per_level == std::map<std::string, seconds>{{"SEV3", 40min}, {"SEV2", 120min}});
    REQUIRE(d.periods.size() == 2);
    CHECK_FALSE(d.periods[1].ongoing);
    CHECK(clock.notices == 0);
    CHECK(clock.worst_severity == "SEV2");

    SECTION("an incident still open counts up to now") {
        IncidentClock open;
        for (const auto& e : {event("opened", 0min), severity(10min, "SEV4"),
                              severity(30min, "SEV1"), severity(50min, "SEV3")})
            observe(open, e, customer_facing_by_name);
        Durations now = durations(open, t0 + 100min);
        CHECK_FALSE(now.to_resolve);
        CHECK_FALSE(now.to_assess); // severity without an `assessed` event is not an assessment
        CHECK_FALSE(now.to_customer_notice);
        CHECK(now.open == 100min);
        CHECK(now.per_level ==
              std::map<std::string, seconds>{{"SEV1", 20min}, {"SEV3", 50min}, {"SEV4", 20min}});
        REQUIRE(now.periods.size() == 3);
        CHECK(now.periods.back().ongoing);
        CHECK(now.periods.back().to == t0 + 100min);
        CHECK(open.worst_severity == "SEV1");
        CHECK(open.severity == "SEV3");
    }

    SECTION("reopened: resolve counts to the last close, severity only while open") {
        for (const auto& e :
             {event("reopened", 240min), severity(250min, "SEV1"), event("closed", 300min)})
            observe(clock, e, customer_facing_by_name);
        Durations again = durations(clock, t0 + 400min);
        CHECK(clock.reopens == 1);
        CHECK(again.to_resolve == 300min);
        CHECK(again.open == 180min + 60min);
        CHECK(again.per_level ==
              std::map<std::string, seconds>{{"SEV3", 40min}, {"SEV2", 130min}, {"SEV1", 50min}});
        CHECK(again.periods.size() == 4);
    }

    SECTION("reopened and still open: not resolved") {
        observe(clock, event("reopened", 240min), customer_facing_by_name);
        Durations again = durations(clock, t0 + 270min);
        CHECK_FALSE(again.to_resolve);
        CHECK(again.open == 210min);
        CHECK(again.per_level.at("SEV2") == 150min);
        CHECK(again.periods.back().ongoing);
    }

    SECTION("which audiences face customers is the caller's to say") {
        IncidentClock mine;
        auto partners = [](std::string_view audience) { return audience == "partners"; };
        for (const auto& e :
             {event("opened", 0min), sent(5min, "customers", 3), sent(7min, "partners", 1)})
            observe(mine, e, partners);
        CHECK(durations(mine, t0).to_customer_notice == 7min);
    }

    SECTION("a clock replayed backwards never gives a negative span") {
        IncidentClock odd;
        for (const auto& e : {event("opened", 60min), event("assessed", 0min)})
            observe(odd, e, customer_facing_by_name);
        CHECK(durations(odd, t0).to_assess == 0s);
    }
}

TEST_CASE("report::build_report and its three formats") {
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    RunbookPath path = runbook_path(data + "/runbooks/good");
    Runbook runbook = load_runbook(path, "lab-flood");
    SeverityScale scale = load_severity_scale(path);
    auto at = [](minutes m) { return Stamp{"alice", t0 + m}; };
    auto answers = [](std::string scope, int people) {
        return Answers{{"scope", scope},
                       {"samples_at_risk", "no"},
                       {"people", people},
                       {"realtime", "no"},
                       {"reporter", "Ann"}};
    };

    OpenRequest request;
    request.scenario = "lab-flood";
    request.title = "Water <in> the | lab";
    request.services = {"booking"};
    request.affected = 12;
    IncidentId id = open_incident(*store, plan_open(path, request), at(0min)).incident.id;
    assess_incident(*store, runbook, scale, id, answers("room", 0), at(15min));
    mark_step(*store, runbook, id, "power-off", StepState::done, std::string("breaker 4\nand 5"),
              at(20min));
    assess_incident(*store, runbook, scale, id, answers("room", 12), at(40min));
    hand_off(*store, id, {"bob", "samples moved"}, at(50min));
    write_transaction(*store, [&] {
        for (auto [audience, sent, failed] :
             {std::tuple{"frontline", 1, 0}, std::tuple{"customers", 2, 1}}) {
            NoticeRecord notice;
            notice.incident_id = id;
            notice.identity = audience;
            notice.audience = audience;
            notice.template_name = "t";
            notice.channel = "file";
            notice.created_at = t0 + 55min;
            notice.actor = "bob";
            std::int64_t n = store->insert_notice(notice);
            for (int i = 0; i < sent + failed; ++i) {
                DeliveryRecord delivery;
                delivery.notice_id = n;
                delivery.recipient = fmt::format("{}{}@example.com", audience, i);
                store->insert_delivery(delivery, t0 + 55min);
            }
            int i = 0;
            for (const auto& delivery : store->unsent_deliveries(n, 0, 10))
                store->mark_delivery(delivery.id,
                                     i++ < sent ? DeliveryState::sent : DeliveryState::failed,
                                     std::nullopt, t0 + 55min);
            // The events notify writes for what the tables now hold.
            DeliveryDigests recorded = delivery_digests(*store, n);
            store->append_event(id, {"bob", t0 + 55min},
                                events::Notice{.notice = n,
                                               .audience = audience,
                                               .template_name = "t",
                                               .channel = "file",
                                               .recipients = sent + failed,
                                               .identity = notice.identity,
                                               .fields_digest = fields_digest(notice.fields),
                                               .recipients_digest = recorded.recipients});
            store->append_event(id, {"bob", t0 + 55min},
                                events::NoticeSent{.notice = n,
                                                   .audience = audience,
                                                   .attempted = sent + failed,
                                                   .sent = sent,
                                                   .failed = failed,
                                                   .states_digest = recorded.states});
        }
    });
    CloseRequest close;
    close.resolution = "Pumped out";
    close.root_cause = "A burst pipe";
    close.recurrence = Recurrence::unlikely;
    close.actions = {"Fit a leak sensor", "1. Check pipes yearly"};
    close_incident(*store, id, close, at(130min));

    Report report = build_report(*store, path, id, t0 + 48h + 1min);
    CHECK(report.scenario_title == "Flood in the lab");
    CHECK_FALSE(report.runbook_problem);
    REQUIRE(report.severity_changes.size() == 2);
    CHECK_FALSE(report.severity_changes[0].from);
    CHECK(report.severity_changes[0].to == "SEV3");
    CHECK(report.severity_changes[1].from == "SEV3");
    CHECK(report.severity_changes[1].to == "SEV2");
    CHECK(report.severity_changes[1].rule == "many-people");
    REQUIRE(report.handovers.size() == 1);
    CHECK(report.handovers[0].from == "alice");
    CHECK(report.handovers[0].to == "bob");
    CHECK(report.durations.to_assess == 15min);
    CHECK(report.durations.to_customer_notice == 55min);
    CHECK(report.durations.to_resolve == 130min);
    CHECK(report.durations.per_level ==
          std::map<std::string, seconds>{{"SEV3", 25min}, {"SEV2", 90min}});
    REQUIRE(report.audiences.size() == 2);
    CHECK(report.audiences[1].audience == "customers");
    CHECK(report.audiences[1].customer_facing);
    CHECK(report.audiences[1].counts.sent == 2);
    CHECK(report.audiences[1].counts.failed == 1);
    CHECK_FALSE(report.audiences[0].customer_facing);
    // Steps at SEV2: all three; power-off done, the others open.
    REQUIRE(report.steps.size() == 3);
    CHECK(report.steps[0].progress->state == StepState::done);
    CHECK_FALSE(report.steps[1].progress);
    REQUIRE(report.deadlines.size() == 1);
    CHECK(report.deadlines[0].outcome == DeadlineOutcome::missed); // 48h passed, never met

    SECTION("json") {
        auto doc = report_json(report);
        CHECK(doc["incident"]["id"] == id);
        CHECK(doc["incident"]["root_cause"] == "A burst pipe");
        CHECK(doc["scenario_title"] == "Flood in the lab");
        CHECK(doc["durations"]["to_assess_seconds"] == 900);
        CHECK(doc["durations"]["to_first_customer_notice_seconds"] == 3300);
        CHECK(doc["durations"]["to_resolve_seconds"] == 7800);
        CHECK(doc["durations"]["severity_seconds"] ==
              nlohmann::json{{"SEV2", 5400}, {"SEV3", 1500}});
        CHECK(doc["handovers"][0]["note"] == "samples moved");
        CHECK(doc["audiences"][1]["failed"] == 1);
        CHECK(doc["steps"][0]["state"] == "done");
        CHECK(doc["steps"][1]["state"] == "open");
        CHECK(doc["deadlines"][0]["outcome"] == "missed");
        CHECK(doc["timeline"].size() == report.timeline.size());
        CHECK(doc["timeline"][0]["text"].get<std::string>().rfind("opened \"Water", 0) == 0);
    }

    SECTION("markdown") {
        std::string md = report_markdown(report);
        for (const char* heading :
             {"\n## Summary\n", "\n### Severity changes\n", "\n### Owner and handovers\n",
              "\n## Key durations\n", "\n## Timeline\n", "\n## Notices\n", "\n### Per audience\n",
              "\n## Steps (1 done, 0 skipped, 2 open)\n", "\n## Deadlines\n", "\n## Resolution\n",
              "\n### Prevention actions\n"})
            CHECK(md.find(heading) != std::string::npos);
        CHECK(md.find("| Time to assess | 15m |") != std::string::npos);
        CHECK(md.find("| Time to first customer notice | 55m |") != std::string::npos);
        CHECK(md.find("| Time to resolve | 2h 10m |") != std::string::npos);
        CHECK(md.find("| Time at SEV2 | 1h 30m |") != std::string::npos);
        CHECK(md.find("| customers | yes | 1 | 2 | 1 | 0 |") != std::string::npos);
        // Markup in values stays text: no HTML tag, no broken table, no list from "1.".
        CHECK(md.find("**Water \\<in\\> the \\| lab**") != std::string::npos);
        CHECK(md.find("<in>") == std::string::npos);
        CHECK(md.find("breaker 4<br>and 5") != std::string::npos);
        CHECK(md.find("- 1\\. Check pipes yearly\n") != std::string::npos);
    }

    SECTION("html") {
        std::string html = report_html(report);
        CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
        CHECK(html.find("Water &lt;in&gt; the | lab") != std::string::npos);
        CHECK(html.find("<in>") == std::string::npos);
        CHECK(html.find("<script") == std::string::npos);
        CHECK(html.find("http://www.w3.org/2000/svg") != std::string::npos); // the namespace only
        CHECK(html.find("src=") == std::string::npos);
        CHECK(html.find("<svg") != std::string::npos);
        CHECK(html.find("class=\"handover\"") != std::string::npos);
        CHECK(html.find("breaker 4<br>and 5") != std::string::npos);
    }

    SECTION("a runbook gone since still gives a report from the log") {
        Report bare = build_report(*store, runbook_path(dir.file("nothing-here")), id, t0);
        CHECK(bare.scenario_title == "lab-flood");
        REQUIRE(bare.runbook_problem);
        REQUIRE(bare.steps.size() == 1); // only what the log knows: the step that was marked
        CHECK(bare.steps[0].step.id == "power-off");
        CHECK(bare.steps[0].step.title.empty());
        CHECK(bare.durations.to_customer_notice == 55min); // by name: customers
    }

    SECTION("an unknown incident") {
        std::string message;
        CHECK(exit_of([&] { build_report(*store, path, 99, t0); }, message) == Exit::not_found);
        CHECK(message == "no incident 99");
    }
}
