#include "outage/model/error.hpp"
#include "outage/services/lifecycle.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace outage;
using namespace std::chrono;

namespace {

const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");
const std::string data = OUTAGE_TEST_DATA;

struct Fixture {
    TempDir dir;
    std::unique_ptr<Store> store = open_store(dir.file("incidents.db"), Access::create);
    RunbookPath runbooks = runbook_path(data + "/runbooks/good");

    IncidentId open(const std::string& title = "Power cut", std::optional<std::string> key = {}) {
        OpenRequest request;
        request.scenario = "lab-flood";
        request.title = title;
        request.dedup_key = std::move(key);
        return open_incident(*store, plan_open(runbooks, request), {"alice", t0}).incident.id;
    }

    std::vector<std::string> kinds(IncidentId id) {
        std::vector<std::string> result;
        for (const auto& event : store->timeline(id))
            result.push_back(event.kind);
        return result;
    }
};

} // namespace

TEST_CASE("lifecycle::open_incident") {
    Fixture f;
    OpenRequest request;
    request.scenario = "lab-flood";
    request.title = "Power cut at the Leeds office";
    request.services = {"phones", "email", "phones"};
    request.affected = 120;
    request.note = "Facilities called it in";
    OpenResult result = open_incident(*f.store, plan_open(f.runbooks, request), {"alice", t0});
    CHECK_FALSE(result.retriggered);
    CHECK(result.incident.id == 1);
    CHECK(result.incident.owner == "alice");
    CHECK(result.incident.services == std::vector<std::string>{"phones", "email"});
    auto events = f.store->timeline(1);
    REQUIRE(events.size() == 2); // opened, and the fixture's unconditional deadline
    CHECK(events[0].kind == "opened");
    CHECK(events[0].actor == "alice");
    CHECK(events[0].payload["note"] == "Facilities called it in");
    CHECK(events[0].payload["affected"] == 120);
}

TEST_CASE("lifecycle::open_incident dedup key") {
    Fixture f;
    IncidentId first = f.open("Disk alert", "host1/disk");
    IncidentId again = f.open("Disk alert fired again", "host1/disk");
    CHECK(again == first);
    CHECK(f.kinds(first) == std::vector<std::string>{"opened", "deadline_started", "retriggered"});
    CHECK(f.store->list_incidents({}).size() == 1);

    close_incident(*f.store, first, {"disk replaced", {}, {}, {}}, {"alice", t0});
    IncidentId next = f.open("Disk alert, a week later", "host1/disk");
    CHECK(next != first);

    std::string message;
    CHECK(exit_of(
              [&] {
                  reopen_incident(*f.store, first, "again", {"alice", t0});
              },
              message) == Exit::conflict);
    CHECK(message == "incident 2 has the same dedup key 'host1/disk' and is open; update that "
                     "one instead");
}

TEST_CASE("lifecycle::update, handoff, close, reopen") {
    Fixture f;
    IncidentId id = f.open();
    Incident updated =
        update_incident(*f.store, id, {Phase::identified, "generator coming", t0 + hours{2}, 80},
                        {"bob", t0 + minutes{5}});
    CHECK(updated.phase == Phase::identified);
    CHECK(updated.eta == t0 + hours{2});
    CHECK(updated.affected == 80);

    Incident handed = hand_off(*f.store, id, {"priya", "vendor due at 14:00"}, {"alice", t0});
    CHECK(handed.owner == "priya");
    CHECK(handed.handed_off_at == t0);
    auto handoff = f.store->timeline(id).back();
    CHECK(handoff.payload["from"] == "alice");
    CHECK(handoff.payload["to"] == "priya");

    Incident closed = close_incident(*f.store, id,
                                     {"power back",
                                      "substation fault",
                                      Recurrence::unlikely,
                                      {"buy a UPS", "test the generator monthly"}},
                                     {"priya", t0 + hours{3}});
    CHECK(closed.status == Status::closed);
    CHECK(closed.phase == Phase::resolved);
    CHECK(closed.closed_at == t0 + hours{3});
    CHECK(closed.actions.size() == 2);

    Incident reopened = reopen_incident(*f.store, id, "power dropped again", {"priya", t0});
    CHECK(reopened.status == Status::open);
    CHECK_FALSE(reopened.closed_at);
    CHECK_FALSE(reopened.resolution);
    CHECK(reopened.actions.size() == 2); // prevention actions outlive a reopen
    CHECK(f.kinds(id) == std::vector<std::string>{"opened", "deadline_started", "updated",
                                                  "handoff", "closed", "reopened"});
    CHECK_FALSE(f.store->verify_chain().first_mismatch);
}

TEST_CASE("lifecycle::errors leave the log unchanged") {
    Fixture f;
    IncidentId id = f.open();
    close_incident(*f.store, id, {"done", {}, {}, {}}, {"alice", t0});
    auto events_before = f.store->verify_chain().events_checked;
    std::string message;
    Stamp s{"bob", t0};

    CHECK(exit_of(
              [&] {
                  update_incident(*f.store, 99, {{}, "x", {}, {}}, s);
              },
              message) == Exit::not_found);
    CHECK(message == "no incident 99");
    CHECK(exit_of(
              [&] {
                  update_incident(*f.store, id, {{}, "x", {}, {}}, s);
              },
              message) == Exit::conflict);
    CHECK(message == "cannot update incident 1: it is closed (reopen it first with `outage "
                     "reopen 1 --note TEXT`)");
    CHECK(exit_of([&] { hand_off(*f.store, id, {"bob", "x"}, s); }, message) == Exit::conflict);
    CHECK(exit_of(
              [&] {
                  close_incident(*f.store, id, {"again", {}, {}, {}}, s);
              },
              message) == Exit::conflict);
    CHECK(exit_of([&] { update_incident(*f.store, id, {}, s); }, message) == Exit::usage);
    CHECK(message == "nothing to update: pass --status, --note, --eta or --affected");
    CHECK(exit_of(
              [&] {
                  update_incident(*f.store, id, {{}, {}, {}, -1}, s);
              },
              message) == Exit::usage);
    CHECK(message == "--affected must be 0 or more, not -1");

    IncidentId open_id = f.open("second");
    CHECK(exit_of([&] { reopen_incident(*f.store, open_id, "x", s); }, message) == Exit::conflict);
    CHECK(message == "incident 2 is already open");
    CHECK(exit_of(
              [&] {
                  hand_off(*f.store, open_id, {"alice", "x"}, s);
              },
              message) == Exit::conflict);
    CHECK(message == "incident 2 is already owned by alice");

    OpenRequest bad;
    bad.scenario = "lab-flood";
    bad.title = "two\nlines";
    CHECK(exit_of([&] { open_incident(*f.store, plan_open(f.runbooks, bad), s); }, message) ==
          Exit::usage);
    bad.title = "fine";
    bad.scenario = "flood"; // neither in the fixtures nor bundled
    CHECK(exit_of([&] { open_incident(*f.store, plan_open(f.runbooks, bad), s); }, message) ==
          Exit::not_found);

    CHECK(f.store->verify_chain().events_checked == events_before + 2); // only the second open
    CHECK(f.store->list_incidents({}).size() == 2);
}

TEST_CASE("lifecycle::acknowledge") {
    Fixture f;
    IncidentId id = f.open();
    std::string message;

    SECTION("nothing waiting: nothing recorded") {
        AckResult result = acknowledge(*f.store, id, {"alice", t0});
        CHECK_FALSE(result.handed_off_at);
        CHECK(result.incident.owner == "alice");
        CHECK(f.kinds(id) == std::vector<std::string>{"opened", "deadline_started"});
    }

    SECTION("the new owner takes over") {
        hand_off(*f.store, id, {"priya", "vendor due at 14:00"}, {"alice", t0});
        auto before = f.store->verify_chain().events_checked;
        CHECK(exit_of(
                  [&] {
                      acknowledge(*f.store, id, {"alice", t0 + minutes{5}});
                  },
                  message) == Exit::conflict);
        CHECK(message ==
              "incident 1 was handed over to priya; only they can acknowledge it (you are alice)");
        CHECK(f.store->verify_chain().events_checked == before);
        CHECK(f.store->find_incident(id)->handed_off_at == t0);

        AckResult result = acknowledge(*f.store, id, {"priya", t0 + minutes{20}});
        CHECK(result.handed_off_at == t0);
        CHECK_FALSE(result.incident.handed_off_at);
        CHECK_FALSE(f.store->find_incident(id)->handed_off_at);
        auto event = f.store->timeline(id).back();
        CHECK(event.kind == "acknowledged");
        CHECK(event.actor == "priya");
        CHECK(event.payload ==
              nlohmann::json{{"owner", "priya"}, {"handed_off_at", "2026-11-22T10:00:00Z"}});
        // Again: nothing is waiting any more.
        CHECK_FALSE(acknowledge(*f.store, id, {"priya", t0 + minutes{21}}).handed_off_at);
        CHECK(f.kinds(id).back() == "acknowledged");
    }

    SECTION("a closed or unknown incident") {
        close_incident(*f.store, id, {"done", {}, {}, {}}, {"alice", t0});
        CHECK(exit_of(
                  [&] {
                      acknowledge(*f.store, id, {"alice", t0});
                  },
                  message) == Exit::conflict);
        CHECK(message == "cannot acknowledge incident 1: it is closed (reopen it first with "
                         "`outage reopen 1 --note TEXT`)");
        CHECK(exit_of(
                  [&] {
                      acknowledge(*f.store, 7, {"alice", t0});
                  },
                  message) == Exit::not_found);
        CHECK(message == "no incident 7");
    }
}
