#include "outage/model/error.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/outbox.hpp"
#include "outage/services/queries.hpp"
#include "outage/services/queued.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace outage;
using namespace std::chrono;

namespace {

const std::string data = OUTAGE_TEST_DATA;
const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

// A log with two incidents of the test runbook: 1 open, 2 closed.
struct Log {
    TempDir dir;
    std::unique_ptr<Store> store = open_store(dir.file("incidents.db"), Access::create);
    RunbookPath runbooks = runbook_path(data + "/runbooks/good");
    TemplatePath templates = template_path(data + "/templates");
    int notices = 0;

    Log() {
        for (const char* title : {"Water", "Damp"}) {
            OpenRequest request;
            request.scenario = "lab-flood";
            request.title = title;
            open_incident(*store, plan_open(runbooks, request), {"alice", t0});
        }
        close_incident(*store, 2, {"Dried out", {}, {}, {}}, {"alice", t0 + minutes{30}});
    }

    // A notice to the front line on the stdout channel with one delivery per state given.
    std::int64_t notice(IncidentId incident, const std::vector<DeliveryState>& states) {
        return write_transaction(*store, [&] {
            NoticeRecord record;
            record.incident_id = incident;
            record.identity = "notice-" + std::to_string(++notices);
            record.audience = "frontline";
            record.template_name = "frontline-briefing";
            record.channel = "stdout";
            record.fields = {{"reference", "INC-1"}, {"severity", "SEV3"}, {"title", "Water"}};
            record.created_at = t0;
            record.actor = "alice";
            std::int64_t id = store->insert_notice(record);
            for (size_t i = 0; i < states.size(); ++i) {
                DeliveryRecord delivery;
                delivery.notice_id = id;
                delivery.recipient = "person" + std::to_string(i) + "@lab.example";
                store->insert_delivery(delivery, t0);
            }
            auto deliveries = store->deliveries(id, 0, 10);
            for (size_t i = 0; i < states.size(); ++i)
                if (states[i] != DeliveryState::pending)
                    store->mark_delivery(deliveries[i].id, states[i],
                                         states[i] == DeliveryState::failed
                                             ? std::optional<std::string>("mailbox full")
                                             : std::nullopt,
                                         t0);
            return id;
        });
    }
};

} // namespace

TEST_CASE("queries::find_incidents") {
    Log log;
    IncidentFilter open;
    open.status = Status::open;
    auto found = find_incidents(*log.store, open);
    REQUIRE(found.size() == 1);
    CHECK(found[0].title == "Water");

    std::vector<IncidentId> visited;
    find_incidents(*log.store, {},
                   [&](const Incident& incident) { visited.push_back(incident.id); });
    CHECK(visited == std::vector<IncidentId>{1, 2});
}

TEST_CASE("queries::incident_timeline") {
    Log log;
    IncidentTimeline shown = incident_timeline(*log.store, 2);
    CHECK(shown.incident.status == Status::closed);
    // Opening starts the runbook's unconditional deadline.
    REQUIRE(shown.events.size() == 3);
    CHECK(shown.events[0].kind == "opened");
    CHECK(shown.events[1].kind == "deadline_started");
    CHECK(shown.events[2].kind == "closed");

    std::string message;
    CHECK(exit_of([&] { incident_timeline(*log.store, 9); }, message) == Exit::not_found);
    CHECK(message == "no incident 9");
}

TEST_CASE("queued::queued_notices") {
    Log log;
    log.notice(1, {DeliveryState::sent, DeliveryState::sent});
    std::int64_t failed = log.notice(1, {DeliveryState::sent, DeliveryState::failed});
    std::int64_t pending = log.notice(2, {DeliveryState::pending});

    auto queued = queued_notices(*log.store);
    REQUIRE(queued.size() == 2);
    CHECK(queued[0].notice.id == failed);
    CHECK(queued[0].counts.sent == 1);
    CHECK(queued[0].counts.failed == 1);
    CHECK(queued[0].last_error == "mailbox full");
    CHECK(queued[1].notice.id == pending);
    CHECK(queued[1].notice.incident_id == 2);
    CHECK(queued[1].counts.pending == 1);
    CHECK_FALSE(queued[1].last_error);
    auto of_incident_2 = queued_notices(*log.store, 2);
    REQUIRE(of_incident_2.size() == 1);
    CHECK(of_incident_2[0].notice.id == pending);
    CHECK(queued_notices(*log.store, 3).empty());
}

TEST_CASE("outbox::flush_outbox") {
    Log log;
    std::int64_t failed = log.notice(1, {DeliveryState::sent, DeliveryState::failed});
    std::int64_t pending = log.notice(2, {DeliveryState::pending, DeliveryState::pending});
    std::ostringstream out;
    NotifyEnvironment env{log.runbooks, log.templates, Config{}, log.dir.path / "outbox", out};

    std::vector<std::pair<std::int64_t, NotifyResult>> flushed;
    flush_outbox(*log.store, env, {"bob", t0 + hours{1}}, {},
                 [&](const NoticeRecord& notice, const FlushedOutcome& outcome) {
                     CHECK_FALSE(outcome.error);
                     flushed.emplace_back(notice.id, outcome.result);
                 });
    REQUIRE(flushed.size() == 2);
    CHECK(flushed[0].first == failed);
    CHECK(flushed[0].second.resumed);
    CHECK(flushed[0].second.attempted == 1);
    CHECK(flushed[0].second.counts.sent == 2);
    CHECK(flushed[1].first == pending);
    CHECK(flushed[1].second.attempted == 2);
    CHECK(out.str().find("[INC-1] SEV3 Water") != std::string::npos);
    CHECK(queued_notices(*log.store).empty());

    // Nothing queued: nothing is called.
    flush_outbox(*log.store, env, {"bob", t0 + hours{2}}, {},
                 [](const NoticeRecord&, const FlushedOutcome&) { FAIL("nothing to flush"); });
}
