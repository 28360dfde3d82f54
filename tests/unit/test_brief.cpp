#include "outage/services/assessment.hpp"
#include "outage/services/brief.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/progress.hpp"
#include "outage/runbook/catalog.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

using namespace outage;
using namespace std::chrono;

namespace {

const std::string data = OUTAGE_TEST_DATA;
const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

struct Fixture {
    TempDir dir;
    std::unique_ptr<Store> store = open_store(dir.file("incidents.db"), Access::create);
    RunbookPath path = runbook_path(data + "/runbooks/good");
    TemplatePath templates = template_path(data + "/templates");
    Runbook runbook = load_runbook(path, "lab-flood");
    IncidentId id = 0;

    Fixture() {
        OpenRequest open;
        open.scenario = "lab-flood";
        open.title = "Water";
        id = open_incident(*store, plan_open(path, open), {"alice", t0}).incident.id;
        Answers answers{{"scope", "room"},
                        {"samples_at_risk", "no"},
                        {"people", 12},
                        {"realtime", "no"},
                        {"reporter", "Ann"}};
        assess_incident(*store, runbook, load_severity_scale(path), id, answers,
                        {"alice", t0 + minutes{5}});
    }

    std::int64_t notice(const std::string& audience, const std::string& template_name, Timestamp at,
                        DeliveryState state) {
        return write_transaction(*store, [&] {
            NoticeRecord record;
            record.incident_id = id;
            record.identity = fmt::format("{}-{}", audience, format_iso_utc(at));
            record.audience = audience;
            record.template_name = template_name;
            record.channel = "email";
            record.fields = {{"reference", "INC-1"}, {"severity", "SEV2"}, {"title", "Water"}};
            record.created_at = at;
            record.actor = "alice";
            std::int64_t notice_id = store->insert_notice(record);
            for (const char* address : {"a@x.example", "b@x.example"}) {
                DeliveryRecord delivery;
                delivery.notice_id = notice_id;
                delivery.recipient = address;
                delivery.lang = "nl";
                store->insert_delivery(delivery, at);
            }
            auto deliveries = store->deliveries(notice_id, 0, 10);
            store->mark_delivery(deliveries[0].id, DeliveryState::sent, std::nullopt, at);
            if (state != DeliveryState::pending)
                store->mark_delivery(deliveries[1].id, state,
                                     state == DeliveryState::failed
                                         ? std::optional<std::string>("connection refused")
                                         : std::nullopt,
                                     at);
            return notice_id;
        });
    }
};

} // namespace

TEST_CASE("brief::what whoever takes over needs") {
    Fixture f;
    mark_step(*f.store, f.runbook, f.id, "photos", StepState::skipped, "no camera",
              {"alice", t0 + minutes{6}});
    mark_step(*f.store, f.runbook, f.id, "power-off", StepState::done, {},
              {"alice", t0 + minutes{7}});
    hand_off(*f.store, f.id, {"priya", "pumps at 11"}, {"alice", t0 + minutes{10}});
    acknowledge(*f.store, f.id, {"priya", t0 + minutes{12}});
    hand_off(*f.store, f.id, {"bob", "night shift"}, {"priya", t0 + minutes{30}});
    f.notice("frontline", "frontline-briefing", t0 + minutes{8}, DeliveryState::sent);
    std::int64_t queued =
        f.notice("customers", "customer-first-notice", t0 + minutes{9}, DeliveryState::failed);
    std::int64_t latest =
        f.notice("frontline", "frontline-briefing", t0 + minutes{20}, DeliveryState::pending);
    f.notice("vendor", "gone-template", t0 + minutes{21}, DeliveryState::sent);

    Brief brief = make_brief(*f.store, &f.runbook, f.templates, f.id);
    CHECK(brief.incident.owner == "bob");
    CHECK(brief.runbook_title == "Flood in the lab");
    REQUIRE(brief.assessment);
    CHECK(brief.assessment->rule == "many-people");
    CHECK(brief.assessment->severity == "SEV2");

    REQUIRE(brief.owners.size() == 3);
    CHECK(brief.owners[0].owner == "alice");
    CHECK_FALSE(brief.owners[0].handover);
    CHECK(brief.owners[0].since == t0);
    CHECK(brief.owners[1].owner == "priya");
    CHECK(brief.owners[1].from == "alice");
    CHECK(brief.owners[1].note == "pumps at 11");
    CHECK(brief.owners[1].acknowledged_at == t0 + minutes{12});
    CHECK(brief.owners[2].owner == "bob");
    CHECK(brief.owners[2].by == "priya");
    CHECK_FALSE(brief.owners[2].acknowledged_at);

    // Done in the order marked; pending is what applies at SEV2 and is not marked.
    REQUIRE(brief.done.size() == 2);
    CHECK(brief.done[0].step.id == "photos");
    CHECK(brief.done[0].step.title == "Take photos for the insurer");
    CHECK(brief.done[0].progress->state == StepState::skipped);
    CHECK(brief.done[1].step.id == "power-off");
    REQUIRE(brief.pending.size() == 1);
    CHECK(brief.pending[0].step.id == "move-samples");
    CHECK_FALSE(brief.pending[0].progress);

    REQUIRE(brief.deadlines.size() == 1);
    CHECK(brief.deadlines[0].name == "insurer");

    REQUIRE(brief.queued.size() == 2);
    CHECK(brief.queued[0].notice.id == queued);
    CHECK(brief.queued[0].counts.failed == 1);
    CHECK(brief.queued[0].last_error == "connection refused");
    CHECK(brief.queued[1].notice.id == latest);
    CHECK(brief.queued[1].counts.pending == 1);
    CHECK_FALSE(brief.queued[1].last_error);

    // One per audience, in the order first told, each the latest.
    REQUIRE(brief.last_notices.size() == 3);
    CHECK(brief.last_notices[0].notice.id == latest);
    CHECK(brief.last_notices[0].notice.created_at == t0 + minutes{20});
    CHECK(brief.last_notices[0].counts.sent == 1);
    CHECK(brief.last_notices[0].counts.pending == 1);
    // Rendered in the language the notice went out in (the test data has a Dutch briefing).
    CHECK(brief.last_notices[0].subject == "[INC-1] SEV2 Water");
    CHECK(brief.last_notices[1].notice.audience == "customers");
    CHECK(brief.last_notices[1].subject == "Storing  (INC-1)"); // no services in the fields
    CHECK(brief.last_notices[2].notice.audience == "vendor");
    CHECK_FALSE(brief.last_notices[2].subject); // its template is gone
}

TEST_CASE("brief::without the runbook") {
    Fixture f;
    mark_step(*f.store, f.runbook, f.id, "power-off", StepState::done, {}, {"alice", t0});
    Brief brief = make_brief(*f.store, nullptr, f.templates, f.id);
    CHECK_FALSE(brief.runbook_title);
    REQUIRE(brief.done.size() == 1);
    CHECK(brief.done[0].step.id == "power-off");
    CHECK(brief.done[0].step.title.empty());
    CHECK(brief.pending.empty());
    REQUIRE(brief.owners.size() == 1);
    CHECK(brief.owners[0].owner == "alice");

    std::string message;
    CHECK(exit_of([&] { make_brief(*f.store, nullptr, f.templates, 42); }, message) ==
          Exit::not_found);
    CHECK(message == "no incident 42");
}
