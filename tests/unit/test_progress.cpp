#include "outage/model/error.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/progress.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace outage;
using namespace std::chrono;

namespace {

const std::string data = OUTAGE_TEST_DATA;
const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

struct Fixture {
    TempDir dir;
    std::unique_ptr<Store> store = open_store(dir.file("incidents.db"), Access::create);
    RunbookPath path = runbook_path(data + "/runbooks/good");
    Runbook runbook = load_runbook(path, "lab-flood");
    SeverityScale scale = load_severity_scale(path);

    IncidentId open_and_assess(const std::string& samples, Timestamp at) {
        OpenRequest open;
        open.scenario = "lab-flood";
        open.title = "Water";
        IncidentId id = open_incident(*store, plan_open(path, open), {"alice", at}).incident.id;
        Answers answers{{"scope", "room"},
                        {"samples_at_risk", samples},
                        {"people", 3},
                        {"realtime", "no"},
                        {"reporter", "Ann"}};
        assess_incident(*store, runbook, scale, id, answers, {"alice", at});
        return id;
    }
};

} // namespace

TEST_CASE("progress::mark_step") {
    Fixture f;
    IncidentId id = f.open_and_assess("no", t0);
    Stamp bob{"bob", t0 + minutes{3}};
    auto done =
        mark_step(*f.store, f.runbook, id, "power-off", StepState::done, "breaker 4 off", bob);
    CHECK(done.state == StepState::done);
    auto steps = steps_for(f.runbook, std::string("SEV3"), f.store->step_progress(id));
    REQUIRE(steps[0].progress);
    CHECK(steps[0].progress->note == "breaker 4 off");
    CHECK(steps[0].progress->actor == "bob");
    CHECK_FALSE(steps[1].progress);

    std::string message;
    CHECK(
        exit_of([&] { mark_step(*f.store, f.runbook, id, "power-off", StepState::done, {}, bob); },
                message) == Exit::conflict);
    CHECK(message == "step 'power-off' of incident 1 is already done (by bob)");
    CHECK(exit_of([&] { mark_step(*f.store, f.runbook, id, "mop", StepState::done, {}, bob); },
                  message) == Exit::not_found);
    CHECK(message == "no step 'mop' in the lab-flood runbook (steps: power-off, move-samples, "
                     "photos)");
    // Changing one's mind is allowed and recorded.
    mark_step(*f.store, f.runbook, id, "power-off", StepState::skipped, "wrong breaker", bob);
    CHECK(f.store->step_progress(id)[0].state == StepState::skipped);
    CHECK(f.store->timeline(id).back().payload["state"] == "skipped");
}

TEST_CASE("progress::due_report") {
    Fixture f;
    IncidentId calm = f.open_and_assess("no", t0);                  // SEV3: update due at +4h
    IncidentId urgent = f.open_and_assess("yes", t0 + minutes{30}); // SEV3, sample clock 24h
    // A note tells nobody outside anything: the clock stays where the assessment set it.
    update_incident(*f.store, calm, {{}, "still wet", {}, {}}, {"alice", t0 + hours{1}});
    CHECK(f.store->find_incident(calm)->next_update_due == t0 + hours{4});
    CHECK(f.store->update_clocks(calm) == UpdateClocks{{first_update, t0 + hours{4}}});

    auto report = due_report(*f.store, t0 + hours{3}, hours{4}, f.scale);
    CHECK(report.overdue.empty());
    CHECK(report.deadlines.empty());
    CHECK(report.unassessed.empty());

    // At the promised time exactly, the update is due.
    report = due_report(*f.store, t0 + hours{4}, hours{4}, f.scale);
    REQUIRE(report.overdue.size() == 1);
    CHECK(report.overdue[0].incident.id == calm);
    CHECK(report.overdue[0].audience == first_update);
    CHECK(report.overdue[0].due_at == t0 + hours{4});

    report = due_report(*f.store, t0 + hours{6}, hours{4}, f.scale);
    REQUIRE(report.overdue.size() == 2);
    CHECK(report.overdue[0].incident.id == calm); // due at +4h, more overdue than urgent's +4h30m
    CHECK(report.overdue[1].incident.id == urgent);

    report = due_report(*f.store, t0 + hours{22}, hours{4}, f.scale);
    REQUIRE(report.deadlines.size() == 1);
    CHECK(report.deadlines[0].name == "sample-owner");
    CHECK(report.deadlines[0].incident_id == urgent);

    close_incident(*f.store, urgent, {"dry", {}, {}, {}}, {"alice", t0 + hours{7}});
    CHECK(f.store->update_clocks(urgent).empty());
    CHECK_FALSE(f.store->find_incident(urgent)->next_update_due);
    report = due_report(*f.store, t0 + hours{60}, hours{4}, f.scale);
    REQUIRE(report.overdue.size() == 1);
    CHECK(report.overdue[0].incident.id == calm);
    // Deadlines outlive the incident: the closed one's still nag, earliest due first.
    REQUIRE(report.deadlines.size() == 3);
    CHECK(
        (report.deadlines[0].incident_id == urgent && report.deadlines[0].name == "sample-owner"));
    CHECK((report.deadlines[1].incident_id == calm && report.deadlines[1].name == "insurer"));
    CHECK((report.deadlines[2].incident_id == urgent && report.deadlines[2].name == "insurer"));

    // Reopened, the first update is owed an interval after the reopening.
    reopen_incident(*f.store, urgent, "wet again", {"alice", t0 + hours{61}});
    CHECK(f.store->update_clocks(urgent) == UpdateClocks{{first_update, t0 + hours{65}}});
    CHECK(f.store->find_incident(urgent)->next_update_due == t0 + hours{65});
}

TEST_CASE("progress::an incident nobody assessed is due after assess-within") {
    Fixture f;
    CHECK(f.scale.assess_within == minutes{15});
    OpenRequest open;
    open.scenario = "lab-flood";
    open.title = "Alarm from the sensor";
    IncidentId hook = open_incident(*f.store, plan_open(f.path, open), {"monitor", t0}).incident.id;
    IncidentId later =
        open_incident(*f.store, plan_open(f.path, open), {"monitor", t0 + minutes{10}}).incident.id;
    CHECK(due_report(*f.store, t0 + minutes{14}, hours{4}, f.scale).unassessed.empty());
    auto report = due_report(*f.store, t0 + minutes{25}, hours{4}, f.scale);
    REQUIRE(report.unassessed.size() == 2);
    CHECK(report.unassessed[0].id == hook); // the longest waiting first
    CHECK(report.unassessed[1].id == later);
    CHECK(report.overdue.empty()); // no clock runs before the assessment

    f.scale.assess_within = hours{1};
    CHECK(due_report(*f.store, t0 + minutes{25}, hours{4}, f.scale).unassessed.empty());
    f.scale.assess_within = minutes{15};
    Answers answers{{"scope", "room"},
                    {"samples_at_risk", "no"},
                    {"people", 3},
                    {"realtime", "no"},
                    {"reporter", "Ann"}};
    assess_incident(*f.store, f.runbook, f.scale, hook, answers, {"alice", t0 + hours{3}});
    report = due_report(*f.store, t0 + hours{3}, hours{4}, f.scale);
    REQUIRE(report.unassessed.size() == 1);
    CHECK(report.unassessed[0].id == later);
}

TEST_CASE("progress::unfinished_steps") {
    Fixture f;
    IncidentId id = f.open_and_assess("no", t0); // SEV3: move-samples needs SEV2
    auto ids = [&] {
        std::vector<std::string> result;
        Incident incident = *f.store->find_incident(id);
        for (const Step* step : unfinished_steps(f.runbook, incident, f.store->step_progress(id)))
            result.push_back(step->id);
        return result;
    };
    // photos is optional, move-samples does not apply at SEV3.
    CHECK(ids() == std::vector<std::string>{"power-off"});
    mark_step(*f.store, f.runbook, id, "power-off", StepState::skipped, {}, {"bob", t0});
    CHECK(ids().empty());

    // Before the first assessment every step applies.
    OpenRequest open;
    open.scenario = "lab-flood";
    open.title = "Damp";
    Incident fresh = open_incident(*f.store, plan_open(f.path, open), {"alice", t0}).incident;
    std::vector<std::string> all;
    for (const Step* step : unfinished_steps(f.runbook, fresh, {}))
        all.push_back(step->id);
    CHECK(all == std::vector<std::string>{"power-off", "move-samples"});
}

TEST_CASE("progress::unacknowledged_handovers") {
    auto incident = [](IncidentId id, std::optional<Timestamp> handed_off_at,
                       Status status = Status::open) {
        Incident result;
        result.id = id;
        result.status = status;
        result.handed_off_at = handed_off_at;
        return result;
    };
    Timestamp now = t0 + hours{1};
    auto ids = [&](std::vector<Incident> incidents) {
        std::vector<IncidentId> result;
        for (const auto& found : unacknowledged_handovers(std::move(incidents), now))
            result.push_back(found.id);
        return result;
    };
    CHECK(ids({incident(1, std::nullopt)}).empty());
    // Exactly 15 minutes is still within the window; a second more is not.
    CHECK(ids({incident(1, now - minutes{15})}).empty());
    CHECK(ids({incident(1, now - minutes{15} - seconds{1})}) == std::vector<IncidentId>{1});
    CHECK(ids({incident(1, now - hours{2}, Status::closed)}).empty());
    // Longest waiting first.
    CHECK(ids({incident(1, now - minutes{20}), incident(2, now - minutes{50}),
               incident(3, now - minutes{5}), incident(4, now - minutes{30})}) ==
          std::vector<IncidentId>{2, 4, 1});
}

TEST_CASE("progress::due_report lists handovers nobody acknowledged") {
    Fixture f;
    IncidentId first = f.open_and_assess("no", t0);
    IncidentId second = f.open_and_assess("no", t0);
    hand_off(*f.store, first, {"priya", "pumps at 11"}, {"alice", t0 + minutes{10}});
    hand_off(*f.store, second, {"bob", "over to you"}, {"alice", t0 + minutes{20}});

    CHECK(due_report(*f.store, t0 + minutes{25}, hours{1}, f.scale).unacknowledged.empty());
    auto report = due_report(*f.store, t0 + minutes{36}, hours{1}, f.scale);
    REQUIRE(report.unacknowledged.size() == 2);
    CHECK(report.unacknowledged[0].id == first);
    CHECK(report.unacknowledged[1].id == second);
    CHECK(report.overdue.empty());

    acknowledge(*f.store, first, {"priya", t0 + minutes{40}});
    close_incident(*f.store, second, {"dry", {}, {}, {}}, {"bob", t0 + minutes{41}});
    CHECK(due_report(*f.store, t0 + minutes{45}, hours{1}, f.scale).unacknowledged.empty());
}

TEST_CASE("progress::incident_steps and unfinished_steps read the log") {
    Fixture f;
    IncidentId id = f.open_and_assess("no", t0); // SEV3
    mark_step(*f.store, f.runbook, id, "photos", StepState::done, "six", {"bob", t0});
    Incident incident = *f.store->find_incident(id);

    auto steps = incident_steps(*f.store, f.runbook, incident);
    REQUIRE(steps.size() == 2); // move-samples needs SEV2
    CHECK(steps[0].step->id == "power-off");
    CHECK_FALSE(steps[0].progress);
    CHECK(steps[1].step->id == "photos");
    REQUIRE(steps[1].progress);
    CHECK(steps[1].progress->note == "six");

    auto unfinished = unfinished_steps(*f.store, f.runbook, incident);
    REQUIRE(unfinished.size() == 1);
    CHECK(unfinished[0]->id == "power-off");
}
