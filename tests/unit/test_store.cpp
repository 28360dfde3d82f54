#include "outage/model/error.hpp"
#include "outage/model/runbook.hpp"
#include "outage/store/hash_chain.hpp"
#include "outage/store/schema.hpp"
#include "outage/store/store.hpp"
#include "support.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <sstream>
#include <sys/stat.h>

using namespace outage;

namespace {

// Takes a log back to before schema 5, as a test of an older migration needs it.
void drop_claim_columns(SQLite::Database& db) {
    for (const char* column : {"claim_host", "claim_pid", "claim_started", "claimed_at", "staged",
                               "permanent", "retry_at"})
        db.exec(fmt::format("ALTER TABLE deliveries DROP COLUMN {}", column));
}

const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

Incident sample(const std::string& title = "Power cut at the Leeds office") {
    Incident incident;
    incident.title = title;
    incident.scenario = "power-loss";
    incident.owner = "alice";
    incident.services = {"phones", "email"};
    incident.affected = 120;
    incident.opened_at = t0;
    return incident;
}

mode_t mode_of(const std::string& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

std::string bytes_of(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

} // namespace

TEST_CASE("store::open_store creates a private log") {
    TempDir dir;
    std::string path = dir.file("new/nested/incidents.db");
    auto store = open_store(path, Access::create);
    CHECK(mode_of(path) == 0600);
    CHECK(mode_of(dir.file("new/nested")) == 0700);
    CHECK(mode_of(dir.file("new")) == 0700);

    SQLite::Database db(path);
    CHECK(db.execAndGet("PRAGMA user_version").getInt() == schema_version);
    CHECK(db.execAndGet("PRAGMA journal_mode").getString() == "wal");
    for (const char* table : {"incidents", "events", "assessments", "step_progress", "deadlines",
                              "notices", "deliveries"}) {
        INFO(table);
        CHECK(db.execAndGet(std::string("SELECT count(*) FROM sqlite_master WHERE name = '") +
                            table + "'")
                  .getInt() == 1);
    }
}

TEST_CASE("store::open_store refuses a missing log unless it may create it") {
    TempDir dir;
    std::string path = dir.file("missing/incidents.db");
    for (Access access : {Access::read_only, Access::change_existing}) {
        try {
            open_store(path, access);
            FAIL("opened a log that is not there");
        } catch (const Error& e) {
            CHECK(e.code() == Exit::not_found);
            CHECK(std::string(e.what()) ==
                  "no incident log at " + path +
                      ": create one with `outage init`, or give the right path with --db or "
                      "OUTAGE_DB");
        }
        CHECK_FALSE(std::filesystem::exists(dir.file("missing")));
    }
}

TEST_CASE("store::init_log creates an empty log once") {
    TempDir dir;
    std::string path = dir.file("new/incidents.db");
    LogInit first = init_log(path);
    CHECK(first.created);
    CHECK(first.up_to_date);
    CHECK(mode_of(path) == 0600);
    CHECK(mode_of(dir.file("new")) == 0700);
    CHECK(open_store(path, Access::read_only)->list_incidents({}).empty());

    {
        auto store = open_store(path, Access::change_existing);
        write_transaction(*store, [&] { store->insert_incident(sample()); });
    }
    // init on the log there: found, said whether it is up to date, not a byte changed.
    auto init_again = [&](bool up_to_date) {
        std::string before = bytes_of(path);
        LogInit found = init_log(path);
        CHECK_FALSE(found.created);
        CHECK(found.up_to_date == up_to_date);
        CHECK(bytes_of(path) == before);
    };
    init_again(true);

    SECTION("an older log is left for a command that writes") {
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE);
            db.exec("PRAGMA user_version = 1");
        }
        init_again(false);
    }
    SECTION("what is not a log is refused, untouched") {
        std::string text = dir.file("notes.txt");
        std::ofstream(text) << "this is not a database, it is a shopping list\n";
        CHECK_THROWS_AS(init_log(text), Error);
        CHECK(bytes_of(text) == "this is not a database, it is a shopping list\n");
    }
}

TEST_CASE("store::open_store refuses what it must not touch") {
    TempDir dir;
    std::string path = dir.file("incidents.db");

    SECTION("a newer schema") {
        open_store(path, Access::create);
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE);
            db.exec("PRAGMA user_version = 99");
        }
        std::string before = bytes_of(path);
        for (Access access : {Access::create, Access::read_only}) {
            try {
                open_store(path, access);
                FAIL("opened a newer schema");
            } catch (const Error& e) {
                CHECK(e.code() == Exit::runtime);
                CHECK_THAT(e.what(),
                           Catch::Contains(fmt::format("schema version 99, newer than this "
                                                       "outage knows ({})",
                                                       schema_version)));
                CHECK_THAT(e.what(), Catch::Contains("the file was not changed"));
            }
        }
        CHECK(bytes_of(path) == before);
    }
    SECTION("a SQLite file that is not an outage log") {
        {
            SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
            db.exec("CREATE TABLE photos (id INTEGER)");
        }
        std::string before = bytes_of(path);
        CHECK_THROWS_WITH(open_store(path, Access::create),
                          Catch::Contains("not an outage incident log"));
        CHECK(bytes_of(path) == before);
    }
    SECTION("a file that is not SQLite") {
        std::ofstream(path) << "this is not a database, it is a shopping list\n";
        try {
            open_store(path, Access::create);
            FAIL("opened a text file");
        } catch (const Error& e) {
            CHECK(e.code() == Exit::runtime);
            CHECK_THAT(e.what(), Catch::StartsWith("incident log " + path + ": "));
        }
    }
    SECTION("an empty path") {
        CHECK_THROWS_WITH(open_store("", Access::create),
                          "the incident log path is empty: pass --db or set OUTAGE_DB");
    }
}

TEST_CASE("store::incidents round-trip") {
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    Incident incident = sample();
    incident.eta = t0 + std::chrono::hours{2};
    incident.dedup_key = "alert-7";
    store->begin_write();
    incident.id = store->insert_incident(incident);
    store->commit();
    CHECK(incident.id == 1);

    auto loaded = store->find_incident(1);
    REQUIRE(loaded);
    CHECK(loaded->title == incident.title);
    CHECK(loaded->services == incident.services);
    CHECK(loaded->affected == 120);
    CHECK(loaded->eta == incident.eta);
    CHECK(loaded->status == Status::open);
    CHECK_FALSE(loaded->severity);
    CHECK(store->find_open_by_dedup_key("alert-7")->id == 1);
    CHECK_FALSE(store->find_open_by_dedup_key("alert-8"));
    CHECK_FALSE(store->find_incident(2));

    loaded->status = Status::closed;
    loaded->closed_at = t0 + std::chrono::hours{3};
    loaded->resolution = "power back";
    loaded->recurrence = Recurrence::unlikely;
    loaded->actions = {"buy a UPS"};
    store->begin_write();
    store->save_incident(*loaded);
    store->commit();
    auto closed = store->find_incident(1);
    CHECK(closed->status == Status::closed);
    CHECK(closed->recurrence == Recurrence::unlikely);
    CHECK(closed->actions == std::vector<std::string>{"buy a UPS"});
    CHECK_FALSE(store->find_open_by_dedup_key("alert-7"));
}

TEST_CASE("store::list_incidents filters") {
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    store->begin_write();
    for (int i = 0; i < 4; ++i) {
        Incident incident = sample("incident " + std::to_string(i));
        incident.opened_at = t0 + std::chrono::hours{i};
        incident.scenario = i % 2 ? "malware" : "power-loss";
        incident.severity = i == 3 ? std::optional<std::string>("SEV1") : std::nullopt;
        incident.status = i == 0 ? Status::closed : Status::open;
        store->insert_incident(incident);
    }
    store->commit();
    auto ids = [&](const IncidentFilter& filter) {
        std::vector<IncidentId> result;
        for (const auto& incident : store->list_incidents(filter))
            result.push_back(incident.id);
        return result;
    };
    CHECK(ids({}) == std::vector<IncidentId>{1, 2, 3, 4});
    CHECK(ids({Status::open, {}, {}, {}}) == std::vector<IncidentId>{2, 3, 4});
    CHECK(ids({Status::closed, {}, {}, {}}) == std::vector<IncidentId>{1});
    CHECK(ids({{}, "malware", {}, {}}) == std::vector<IncidentId>{2, 4});
    CHECK(ids({{}, {}, "SEV1", {}}) == std::vector<IncidentId>{4});
    CHECK(ids({{}, {}, {}, t0 + std::chrono::hours{2}}) == std::vector<IncidentId>{3, 4});
}

TEST_CASE("store::times outside 2000..2100 read back and count as passed") {
    TempDir dir;
    std::string path = dir.file("incidents.db");
    auto store = open_store(path, Access::create);
    write_transaction(*store, [&] {
        for (int i = 0; i < 4; ++i) {
            Incident incident = sample("incident " + std::to_string(i));
            incident.next_update_due = t0 + std::chrono::hours{1};
            IncidentId id = store->insert_incident(incident);
            store->save_update_clocks(id, {{"customers", t0 + std::chrono::hours{1}}});
            store->save_deadline({.incident_id = id,
                                  .name = "gdpr",
                                  .title = "Tell the regulator",
                                  .started_at = t0,
                                  .due_at = t0 + std::chrono::hours{72}});
        }
    });
    {
        // What a log written before times were checked can hold.
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        for (const char* sql :
             {"UPDATE incidents SET next_update_due = '10000-01-01T00:59:00Z' WHERE id = 2",
              "UPDATE update_clocks SET due_at = '10000-01-01T00:59:00Z' WHERE incident_id = 2",
              "UPDATE update_clocks SET due_at = '9999-12-31T23:59:00Z' WHERE incident_id = 3",
              "UPDATE update_clocks SET due_at = '1970-01-01T00:00:00Z' WHERE incident_id = 4",
              "UPDATE deadlines SET due_at = '10000-01-03T23:59:00Z' WHERE incident_id = 2",
              "UPDATE deadlines SET due_at = '9999-12-31T23:59:00Z' WHERE incident_id = 3"})
            db.exec(sql);
    }
    CHECK(format_iso_utc(*store->find_incident(2)->next_update_due) == "10000-01-01T00:59:00Z");
    CHECK(store->list_incidents({}).size() == 4);
    std::vector<IncidentId> overdue;
    for (const auto& clock : store->overdue_clocks(t0))
        overdue.push_back(clock.incident_id);
    // Incident 1's update is due in an hour; the others' times cannot be real.
    CHECK(overdue == std::vector<IncidentId>{2, 4, 3}); // stored text order
    std::vector<IncidentId> deadlines;
    for (const auto& deadline : store->deadlines_due_before(t0 + std::chrono::hours{4}))
        deadlines.push_back(deadline.incident_id);
    CHECK(deadlines == std::vector<IncidentId>{2, 3});
}

TEST_CASE("store::write_transaction rolls back on failure") {
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    CHECK_THROWS_AS(write_transaction(*store,
                                      [&] {
                                          IncidentId id = store->insert_incident(sample());
                                          store->append_event(id, {"alice", t0}, "opened", {});
                                          throw Error(Exit::conflict, "changed my mind");
                                      }),
                    Error);
    CHECK(store->list_incidents({}).empty());
    CHECK(store->verify_chain().events_checked == 0);
}

TEST_CASE("store::hash chain") {
    TempDir dir;
    std::string path = dir.file("incidents.db");
    auto store = open_store(path, Access::create);
    write_transaction(*store, [&] {
        IncidentId id = store->insert_incident(sample());
        store->append_event(id, {"alice", t0}, "opened", {{"title", "Power cut"}});
        store->append_event(id, {"bob", t0 + std::chrono::minutes{5}}, "updated",
                            {{"note", "generator on its way"}});
        store->append_event(id, {"alice", t0 + std::chrono::minutes{9}}, "closed",
                            {{"resolution", "power back"}});
    });
    auto events = store->timeline(1);
    REQUIRE(events.size() == 3);
    CHECK(events[0].kind == "opened");
    CHECK(events[1].payload["note"] == "generator on its way");
    CHECK(events[0].hash == chain_hash(1, 1, "2026-11-22T10:00:00Z", "opened", "alice",
                                       R"({"title":"Power cut"})", genesis_hash));
    CHECK(events[1].hash == chain_hash(2, 1, "2026-11-22T10:05:00Z", "updated", "bob",
                                       R"({"note":"generator on its way"})", events[0].hash));

    ChainCheck intact = store->verify_chain();
    CHECK(intact.events_checked == 3);
    CHECK_FALSE(intact.first_mismatch);
    CHECK(intact.head == events[2].hash);

    auto tamper = [&](const char* sql) {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec(sql);
    };
    SECTION("an edited payload") {
        tamper(R"(UPDATE events SET payload = '{"note":"all fine"}' WHERE id = 2)");
        ChainCheck check = store->verify_chain();
        REQUIRE(check.first_mismatch);
        CHECK(check.first_mismatch->id == 2);
        CHECK(check.first_mismatch->kind == "updated");
    }
    SECTION("an edited actor") {
        tamper("UPDATE events SET actor = 'mallory' WHERE id = 1");
        CHECK(store->verify_chain().first_mismatch->id == 1);
    }
    SECTION("a deleted event") {
        tamper("DELETE FROM events WHERE id = 2");
        CHECK(store->verify_chain().first_mismatch->id == 3);
    }
    SECTION("a recomputed hash still breaks the next link") {
        std::string forged = chain_hash(2, 1, "2026-11-22T10:05:00Z", "updated", "bob",
                                        R"({"note":"all fine"})", events[0].hash);
        tamper(("UPDATE events SET payload = '{\"note\":\"all fine\"}', hash = '" + forged +
                "' WHERE id = 2")
                   .c_str());
        CHECK(store->verify_chain().first_mismatch->id == 3);
    }
}

TEST_CASE("store::chain_hash separates fields") {
    // The same bytes split differently between fields must not collide.
    CHECK(chain_hash(1, 1, "t", "ab", "c", "{}", genesis_hash) !=
          chain_hash(1, 1, "t", "a", "bc", "{}", genesis_hash));
    CHECK(chain_hash(1, 1, "t", "k", "a", "{}", genesis_hash).size() == 64);
}

TEST_CASE("store::each_event filters and streams in log order") {
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    write_transaction(*store, [&] {
        IncidentId first = store->insert_incident(sample("first"));
        IncidentId second = store->insert_incident(sample("second"));
        store->append_event(first, {"alice", t0}, "opened", {});
        store->append_event(second, {"bob", t0 + std::chrono::minutes{1}}, "opened", {});
        store->append_event(first, {"alice", t0 + std::chrono::minutes{2}}, "assessed", {});
        store->append_event(second, {"bob", t0 + std::chrono::minutes{3}}, "closed", {});
    });
    auto ids = [&](const EventFilter& filter) {
        std::vector<std::int64_t> seen;
        store->each_event(filter, [&](const Event& event) { seen.push_back(event.id); });
        return seen;
    };
    auto filter = [](std::optional<IncidentId> incident, std::vector<EventKind> kinds,
                     std::optional<Timestamp> since) {
        EventFilter f;
        f.incident = incident;
        f.kinds = std::move(kinds);
        f.since = since;
        return f;
    };
    using Ids = std::vector<std::int64_t>;
    CHECK(ids({}) == Ids{1, 2, 3, 4});
    CHECK(ids(filter(2, {}, {})) == Ids{2, 4});
    CHECK(ids(filter({}, {EventKind::assessed, EventKind::closed}, {})) == Ids{3, 4});
    CHECK(ids(filter({}, {}, t0 + std::chrono::minutes{2})) == Ids{3, 4});
    CHECK(ids(filter(1, {EventKind::opened}, t0)) == Ids{1});
    CHECK(ids(filter(3, {}, {})).empty());
}

TEST_CASE("store::notices of an incident, oldest first") {
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    write_transaction(*store, [&] {
        IncidentId first = store->insert_incident(sample("first"));
        IncidentId second = store->insert_incident(sample("second"));
        for (auto [incident, audience] :
             {std::pair{first, "frontline"}, std::pair{second, "customers"},
              std::pair{first, "customers"}}) {
            NoticeRecord notice;
            notice.incident_id = incident;
            notice.identity = fmt::format("{}-{}", incident, audience);
            notice.audience = audience;
            notice.template_name = "t";
            notice.channel = "stdout";
            notice.fields = nlohmann::json::object();
            notice.created_at = t0;
            notice.actor = "alice";
            store->insert_notice(notice);
        }
    });
    auto notices = store->notices(1);
    REQUIRE(notices.size() == 2);
    CHECK(notices[0].audience == "frontline");
    CHECK(notices[1].audience == "customers");
    CHECK(store->notices(3).empty());
}

TEST_CASE("store::deliveries pages through a notice in every state") {
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    std::int64_t notice_id = write_transaction(*store, [&] {
        IncidentId incident = store->insert_incident(sample());
        NoticeRecord notice;
        notice.incident_id = incident;
        notice.identity = "n";
        notice.audience = "customers";
        notice.template_name = "t";
        notice.channel = "email";
        notice.created_at = t0;
        notice.actor = "alice";
        std::int64_t id = store->insert_notice(notice);
        for (const char* address : {"a@example.com", "b@example.com", "c@example.com"}) {
            DeliveryRecord delivery;
            delivery.notice_id = id;
            delivery.recipient = address;
            delivery.lang = address[0] == 'b' ? "nl" : "en";
            delivery.columns = {{"name", std::string(1, address[0])}};
            store->insert_delivery(delivery, t0);
        }
        return id;
    });
    auto all = store->deliveries(notice_id, 0, 10);
    REQUIRE(all.size() == 3);
    write_transaction(*store, [&] {
        store->mark_delivery(all[0].id, DeliveryState::sent, std::nullopt, t0);
        store->mark_delivery(all[1].id, DeliveryState::failed, std::string("refused"), t0);
    });

    auto first = store->deliveries(notice_id, 0, 2);
    REQUIRE(first.size() == 2);
    CHECK(first[0].recipient == "a@example.com");
    CHECK(first[0].state == DeliveryState::sent);
    CHECK(first[1].state == DeliveryState::failed);
    CHECK(first[1].last_error == "refused");
    CHECK(first[1].lang == "nl");
    CHECK(first[1].columns == nlohmann::json{{"name", "b"}});
    auto rest = store->deliveries(notice_id, first[1].id, 2);
    REQUIRE(rest.size() == 1);
    CHECK(rest[0].recipient == "c@example.com");
    CHECK(rest[0].state == DeliveryState::pending);
    CHECK(store->deliveries(notice_id, rest[0].id, 2).empty());
    // Sent ones are not unsent.
    CHECK(store->unsent_deliveries(notice_id, 0, 10).size() == 2);
}

TEST_CASE("store::migrates a version 1 log forward") {
    TempDir dir;
    std::string path = dir.file("incidents.db");
    {
        auto store = open_store(path, Access::create);
        write_transaction(*store, [&] { store->insert_incident(sample()); });
    }
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        db.exec("DROP INDEX incidents_status");
        drop_claim_columns(db);
        db.exec("DROP TABLE legacy_events");
        db.exec("DROP TABLE update_clocks");
        db.exec("ALTER TABLE incidents DROP COLUMN workaround");
        db.exec("PRAGMA user_version = 1");
    }
    auto store = open_store(path, Access::change_existing);
    CHECK(store->find_incident(1)->title == "Power cut at the Leeds office");
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    CHECK(db.execAndGet("PRAGMA user_version").getInt() == schema_version);
    SQLite::Statement plan(db, "EXPLAIN QUERY PLAN SELECT id FROM incidents WHERE status = ? "
                               "ORDER BY id");
    plan.bind(1, "open");
    REQUIRE(plan.executeStep());
    CHECK_THAT(plan.getColumn(3).getString(), Catch::Contains("incidents_status"));
}

TEST_CASE("store::version 3 carries an older log's one clock over as the first-update clock") {
    TempDir dir;
    std::string path = dir.file("incidents.db");
    const Timestamp due = *parse_iso_utc("2026-11-22T11:00:00Z");
    {
        auto store = open_store(path, Access::create);
        write_transaction(*store, [&] {
            Incident open = sample();
            open.next_update_due = due;
            store->insert_incident(open);
            Incident closed = sample();
            closed.status = Status::closed;
            closed.next_update_due = due; // a notice after the close used to set one
            store->insert_incident(closed);
        });
    }
    {
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        drop_claim_columns(db);
        db.exec("DROP TABLE legacy_events");
        db.exec("DROP TABLE update_clocks");
        db.exec("ALTER TABLE incidents DROP COLUMN workaround");
        db.exec("PRAGMA user_version = 2");
    }
    auto store = open_store(path, Access::change_existing);
    CHECK(store->update_clocks(1) == UpdateClocks{{first_update, due}});
    CHECK(store->find_incident(1)->next_update_due == due);
    CHECK(store->update_clocks(2).empty());
    CHECK_FALSE(store->find_incident(2)->next_update_due);
}

TEST_CASE("store::the v4 migration marks where an earlier outage's events end") {
    TempDir dir;
    std::string path = dir.file("incidents.db");
    {
        auto store = open_store(path, Access::create);
        CHECK(store->last_legacy_event() == 0);
        write_transaction(*store, [&] {
            IncidentId id = store->insert_incident(sample());
            store->append_event(id, {"ann", sample().opened_at}, "opened", {{"title", "t"}});
            store->append_event(id, {"ann", sample().opened_at}, "updated", {{"note", "n"}});
        });
        CHECK(store->last_legacy_event() == 0);
    }
    {
        // As an outage of schema 2 left it.
        SQLite::Database db(path, SQLite::OPEN_READWRITE);
        drop_claim_columns(db);
        db.exec("DROP TABLE legacy_events");
        db.exec("PRAGMA user_version = 3");
    }
    auto store = open_store(path, Access::change_existing);
    CHECK(store->last_legacy_event() == 2);
    write_transaction(*store, [&] {
        store->append_event(1, {"ann", sample().opened_at}, "updated", {{"note", "m"}});
    });
    CHECK(store->last_legacy_event() == 2);
}
