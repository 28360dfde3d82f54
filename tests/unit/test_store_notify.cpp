// What the send path asks of the store beyond test_store.cpp's round trips
// (docs/architecture.md#the-send-path-notify-in-parts).
#include "outage/model/error.hpp"
#include "outage/store/store.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace outage;

namespace {

const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

Incident sample(const std::string& title) {
    Incident incident;
    incident.title = title;
    incident.scenario = "power-loss";
    incident.opened_at = t0;
    return incident;
}

} // namespace

TEST_CASE("store::set_notice_identity gives a recorded notice its identity") {
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    write_transaction(*store, [&] {
        NoticeRecord notice;
        notice.incident_id = store->insert_incident(sample("first"));
        notice.identity = "(being recorded)";
        notice.audience = "customers";
        notice.template_name = "t";
        notice.channel = "file";
        notice.created_at = t0;
        notice.actor = "alice";
        std::int64_t id = store->insert_notice(notice);
        store->set_notice_identity(id, "abc");
    });
    CHECK(store->find_notice_by_identity("abc")->id == 1);
    CHECK_FALSE(store->find_notice_by_identity("(being recorded)"));
    std::string message;
    CHECK(exit_of([&] { write_transaction(*store, [&] { store->set_notice_identity(9, "x"); }); },
                  message) == Exit::not_found);
    CHECK(message == "no notice 9");
}

TEST_CASE("store::last_handover_note is the newest handover's that has one") {
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    IncidentId first = 0, second = 0;
    write_transaction(*store, [&] {
        first = store->insert_incident(sample("first"));
        second = store->insert_incident(sample("second"));
    });
    CHECK(store->last_handover_note(first) == "");
    write_transaction(*store, [&] {
        store->append_event(first, {"alice", t0}, "handoff", {{"to", "bob"}, {"note", "one"}});
        store->append_event(first, {"bob", t0}, "handoff", {{"to", "carol"}, {"note", "two"}});
        store->append_event(first, {"carol", t0}, "updated", {{"note", "not a handover"}});
        store->append_event(first, {"carol", t0}, "handoff", {{"to", "dave"}});
        store->append_event(second, {"alice", t0}, "handoff", {{"to", "erin"}, {"note", "other"}});
    });
    CHECK(store->last_handover_note(first) == "two");
    CHECK(store->last_handover_note(second) == "other");
    CHECK(store->last_handover_note(3) == "");
}
