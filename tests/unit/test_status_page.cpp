#include "outage/model/error.hpp"
#include "outage/report/status_page.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace outage;
using nlohmann::json;

namespace {

const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

Timestamp at_minute(int minutes) {
    return t0 + std::chrono::minutes(minutes);
}

Incident open_incident(IncidentId id, std::vector<std::string> services) {
    Incident incident;
    incident.id = id;
    incident.title = "Internal: db3 disk full after the Acme firmware update";
    incident.scenario = "hardware-failure";
    incident.owner = "alice";
    incident.services = std::move(services);
    incident.opened_at = t0;
    return incident;
}

NoticeRecord status_notice(std::int64_t id, Timestamp at, json fields) {
    NoticeRecord notice;
    notice.id = id;
    notice.audience = "status-page";
    notice.template_name = "status-page-notice";
    notice.channel = "file";
    notice.fields = std::move(fields);
    notice.created_at = at;
    notice.actor = "alice";
    return notice;
}

Event event(std::int64_t id, Timestamp at, std::string kind, json payload) {
    Event e;
    e.id = id;
    e.at = at;
    e.kind = std::move(kind);
    e.actor = "alice";
    e.payload = std::move(payload);
    return e;
}

std::string read_text(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

mode_t mode_of(const std::filesystem::path& file) {
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

} // namespace

TEST_CASE("report::impact_of maps severities to Statuspage impact") {
    CHECK(impact_of(std::nullopt) == "none");
    CHECK(impact_of(std::string("SEV1")) == "critical");
    CHECK(impact_of(std::string("SEV2")) == "major");
    CHECK(impact_of(std::string("SEV3")) == "minor");
    CHECK(impact_of(std::string("SEV4")) == "minor");
}

TEST_CASE("report::public_incident") {
    Incident incident = open_incident(7, {"phones", "chat"});
    incident.severity = "SEV2";
    incident.phase = Phase::identified;

    SECTION("an incident never sent to the status page is not public") {
        NoticeRecord staff = status_notice(1, at_minute(5), {{"note", "x"}});
        staff.audience = "staff";
        CHECK_FALSE(public_incident(incident, {}, {}).has_value());
        CHECK_FALSE(public_incident(incident, {}, {staff}).has_value());
    }

    SECTION("a notice sent with an internal template (internal fields) is not public") {
        NoticeRecord internal =
            status_notice(1, at_minute(5), {{"note", "x"}, {"title", incident.title}});
        CHECK_FALSE(public_incident(incident, {}, {internal}).has_value());
    }

    SECTION("notices and status changes become updates, newest first") {
        std::vector<Event> timeline = {
            event(1, t0, "opened", {{"title", incident.title}, {"owner", "alice"}}),
            event(2, at_minute(10), "updated", {{"status", "identified"}, {"note", "internal"}}),
            event(3, at_minute(12), "updated", {{"note", "only a note"}}),
            event(4, at_minute(30), "updated", {{"status", "monitoring"}}),
        };
        std::vector<NoticeRecord> notices = {
            status_notice(5, at_minute(10),
                          {{"status", "identified"},
                           {"note", "Calls <fail> & drop"},
                           {"workaround", "Use the mobile app"},
                           {"eta", "2026-11-22 13:00 CET"},
                           {"next_update", "2026-11-22 12:00 CET"}}),
        };
        auto shown = public_incident(incident, timeline, notices);
        REQUIRE(shown.has_value());
        CHECK(shown->reference == "INC-7");
        CHECK(shown->name == "Disruption of phones, chat");
        CHECK(shown->status == Phase::identified);
        CHECK(shown->impact == "major");
        CHECK(shown->started_at == t0);
        CHECK(shown->updated_at == at_minute(30));
        CHECK(shown->monitoring_at == at_minute(30));
        CHECK_FALSE(shown->resolved_at.has_value());
        REQUIRE(shown->updates.size() == 3);
        CHECK(shown->updates[0].id == "INC-7-event-4");
        CHECK(shown->updates[0].status == Phase::monitoring);
        CHECK(shown->updates[0].body == "A fix is in place and we are monitoring the results.");
        // At the same second the notice comes after the status change it reports.
        CHECK(shown->updates[1].id == "INC-7-notice-5");
        CHECK(shown->updates[1].body == "Calls <fail> & drop\nWorkaround: Use the mobile app\n"
                                        "Expected restoration: 2026-11-22 13:00 CET.\n"
                                        "Next update by 2026-11-22 12:00 CET.");
        CHECK(shown->updates[2].id == "INC-7-event-2");
        CHECK(shown->updates[2].body == "The cause has been found and a fix is being worked on.");
        for (const auto& update : shown->updates)
            CHECK(update.body.find("internal") == std::string::npos);
    }

    SECTION("a notice without text says what its status means") {
        auto shown =
            public_incident(incident, {}, {status_notice(1, at_minute(5), json::object())});
        REQUIRE(shown.has_value());
        REQUIRE(shown->updates.size() == 1);
        CHECK(shown->updates[0].status == Phase::investigating);
        CHECK(shown->updates[0].body == "We are investigating the problem.");
    }

    SECTION("closed and reopened") {
        incident.status = Status::closed;
        incident.phase = Phase::resolved;
        incident.closed_at = at_minute(90);
        std::vector<Event> timeline = {
            event(1, at_minute(40), "closed", {{"resolution", "Replaced the internal switch"}}),
            event(2, at_minute(50), "reopened", {{"note", "Back again"}}),
            event(3, at_minute(90), "closed", {{"resolution", "Replaced it again"}}),
        };
        auto shown = public_incident(
            incident, timeline,
            {status_notice(4, at_minute(5), {{"status", "investigating"}, {"note", "Looking"}})});
        REQUIRE(shown.has_value());
        CHECK(shown->status == Phase::resolved);
        CHECK(shown->resolved_at == at_minute(90));
        REQUIRE(shown->updates.size() == 4);
        CHECK(shown->updates[0].body == "This incident has been resolved.");
        CHECK(shown->updates[1].body == "The problem has returned; we are investigating.");
        CHECK(shown->updates[1].status == Phase::investigating);
        CHECK(shown->updates[3].body == "Looking");
    }

    SECTION("without services the name is generic") {
        auto shown = public_incident(open_incident(3, {}), {},
                                     {status_notice(1, at_minute(5), json::object())});
        REQUIRE(shown.has_value());
        CHECK(shown->name == "Service disruption");
    }
}

namespace {

PublicIncident shown_incident(IncidentId id, std::vector<std::string> services, std::string impact,
                              std::optional<Timestamp> resolved = {}) {
    PublicIncident incident;
    incident.id = id;
    incident.reference = "INC-" + std::to_string(id);
    incident.name = "Disruption of " + services.front();
    incident.status = resolved ? Phase::resolved : Phase::investigating;
    incident.impact = std::move(impact);
    incident.services = std::move(services);
    incident.started_at = t0;
    incident.updated_at = at_minute(5);
    incident.resolved_at = resolved;
    incident.updates.push_back({incident.reference + "-notice-1",
                                resolved ? Phase::resolved : Phase::investigating, "We are on it",
                                at_minute(5)});
    return incident;
}

StatusPage sample_page() {
    StatusPage page;
    page.settings = {"Example <Corp> status", "https://status.example.com/", "", 7};
    page.generated_at = at_minute(60);
    page.open.push_back(shown_incident(9, {"phones", "chat"}, "minor"));
    page.open.push_back(shown_incident(8, {"chat"}, "critical"));
    page.resolved.push_back(shown_incident(4, {"e-mail"}, "major", at_minute(30)));
    return page;
}

void check_keys(const json& object, const std::set<std::string>& keys) {
    REQUIRE(object.is_object());
    std::set<std::string> found;
    for (const auto& [key, value] : object.items())
        found.insert(key);
    CHECK(found == keys);
}

} // namespace

TEST_CASE("report::statuspage documents have the Statuspage v2 shape") {
    StatusPage page = sample_page();
    json summary = statuspage_summary(page);
    check_keys(summary, {"page", "components", "incidents", "scheduled_maintenances", "status"});
    check_keys(summary["page"], {"id", "name", "url", "time_zone", "updated_at"});
    CHECK(summary["page"]["name"] == "Example <Corp> status");
    CHECK(summary["page"]["updated_at"] == "2026-11-22T11:00:00Z");
    // The worst open impact decides the indicator, in Statuspage's own words.
    CHECK(summary["status"] ==
          json{{"indicator", "critical"}, {"description", "Major System Outage"}});
    // Only unresolved incidents in the summary.
    REQUIRE(summary["incidents"].size() == 2);
    CHECK(summary["incidents"][0]["id"] == "INC-9");

    REQUIRE(summary["components"].size() == 3);
    std::map<std::string, std::string> status;
    for (const auto& component : summary["components"]) {
        check_keys(component, {"id", "name", "status", "created_at", "updated_at", "position",
                               "description", "showcase", "start_date", "group_id", "page_id",
                               "group", "only_show_if_degraded"});
        CHECK(component["page_id"] == summary["page"]["id"]);
        status[component["name"]] = component["status"];
    }
    CHECK(status == std::map<std::string, std::string>{{"chat", "major_outage"},
                                                       {"e-mail", "operational"},
                                                       {"phones", "degraded_performance"}});

    json incidents = statuspage_incidents(page);
    check_keys(incidents, {"page", "incidents"});
    REQUIRE(incidents["incidents"].size() == 3);
    const json& resolved = incidents["incidents"][2];
    check_keys(resolved,
               {"id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at",
                "impact", "shortlink", "started_at", "page_id", "incident_updates", "components"});
    CHECK(resolved["status"] == "resolved");
    CHECK(resolved["resolved_at"] == "2026-11-22T10:30:00Z");
    CHECK(resolved["monitoring_at"].is_null());
    CHECK(resolved["shortlink"] == "https://status.example.com/#INC-4");
    REQUIRE(resolved["components"].size() == 1);
    CHECK(resolved["components"][0]["name"] == "e-mail");
    const json& update = resolved["incident_updates"][0];
    check_keys(update,
               {"id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
                "affected_components", "deliver_notifications", "custom_tweet", "tweet_id"});
    CHECK(update["incident_id"] == "INC-4");
    CHECK(update["body"] == "We are on it");

    check_keys(statuspage_status(page), {"page", "status"});

    SECTION("no open incident: all operational") {
        page.open.clear();
        CHECK(statuspage_status(page)["status"] ==
              json{{"indicator", "none"}, {"description", "All Systems Operational"}});
    }
    SECTION("major and minor") {
        page.open.pop_back();
        CHECK(statuspage_status(page)["status"]["indicator"] == "minor");
        page.open.push_back(shown_incident(10, {"wifi"}, "major"));
        CHECK(statuspage_status(page)["status"] ==
              json{{"indicator", "major"}, {"description", "Partial System Outage"}});
    }
    SECTION("without a url, shortlinks point into the page") {
        page.settings.url = "";
        CHECK(statuspage_incidents(page)["incidents"][0]["shortlink"] == "index.html#INC-9");
    }
}

TEST_CASE("report::status_page_html escapes every value") {
    StatusPage page = sample_page();
    page.settings.contact = "call <b>0800</b>";
    page.open[0].services = {"<script>alert(1)</script> & \"quotes\""};
    page.open[0].name = "Disruption of <script>alert(1)</script> & \"quotes\"";
    page.open[0].updates[0].body = "<img src=x onerror=alert(2)> 'single'";
    std::string html = status_page_html(page);
    CHECK(html.starts_with("<!DOCTYPE html>"));
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("<img") == std::string::npos);
    CHECK(html.find("<b>") == std::string::npos);
    CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;") !=
          std::string::npos);
    CHECK(html.find("&lt;img src=x onerror=alert(2)&gt; &apos;single&apos;") != std::string::npos);
    CHECK(html.find("<title>Example &lt;Corp&gt; status</title>") != std::string::npos);
    CHECK(html.find("call &lt;b&gt;0800&lt;/b&gt;") != std::string::npos);
    // Self-contained: nothing is fetched.
    CHECK(html.find("://") == std::string::npos);
    CHECK(html.find("<link") == std::string::npos);
    CHECK(html.find("Major System Outage") != std::string::npos);
    CHECK(html.find("Resolved in the last 7 days") != std::string::npos);
}

TEST_CASE("report::write_status_page replaces the files atomically") {
    TempDir dir;
    std::filesystem::path out = dir.path / "site";
    StatusPage page = sample_page();
    auto files = write_status_page(page, out);
    REQUIRE(files.size() == 4);
    CHECK(files.back() == out / "index.html");
    for (const auto& file : files)
        CHECK(mode_of(file) == 0644);
    CHECK(json::parse(read_text(out / "api/v2/summary.json")) == statuspage_summary(page));
    CHECK(json::parse(read_text(out / "api/v2/incidents.json")) == statuspage_incidents(page));
    CHECK(json::parse(read_text(out / "api/v2/status.json")) == statuspage_status(page));

    page.open.clear();
    write_status_page(page, out);
    CHECK(read_text(out / "index.html") == status_page_html(page));
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(out))
        names.insert(std::filesystem::relative(entry.path(), out).string());
    CHECK(names == std::set<std::string>{"api", "api/v2", "api/v2/incidents.json",
                                         "api/v2/status.json", "api/v2/summary.json",
                                         "index.html"});

    SECTION("temporary files of a run that was killed are removed") {
        pid_t gone = ::fork();
        if (gone == 0)
            ::_exit(0);
        ::waitpid(gone, nullptr, 0);
        std::string left = ".index.html.tmp" + std::to_string(gone);
        std::ofstream(out / left) << "<p>half";
        std::ofstream(out / "api/v2" / (".summary.json.tmp" + std::to_string(gone))) << "{";
        write_status_page(page, out);
        CHECK(std::distance(std::filesystem::directory_iterator(out),
                            std::filesystem::directory_iterator()) == 2);
        CHECK(std::distance(std::filesystem::directory_iterator(out / "api/v2"),
                            std::filesystem::directory_iterator()) == 3);
    }

    SECTION("an unusable folder is a runtime error naming it") {
        std::ofstream(dir.file("plain")) << "a file";
        std::string message;
        CHECK(exit_of([&] { write_status_page(page, dir.path / "plain"); }, message) ==
              Exit::runtime);
        CHECK(message.starts_with("cannot create " + (dir.path / "plain/api/v2").string()));
    }
}

TEST_CASE("report::build_status_page reads the log") {
    TempDir dir;
    auto store = open_store(dir.file("incidents.db"), Access::create);
    Stamp stamp{"alice", t0};
    auto add = [&](std::vector<std::string> services, bool publish) {
        Incident incident = open_incident(0, std::move(services));
        IncidentId id = store->insert_incident(incident);
        store->append_event(id, stamp, "opened", {{"title", incident.title}});
        if (publish) {
            NoticeRecord notice = status_notice(0, at_minute(5), {{"note", "On it"}});
            notice.incident_id = id;
            notice.identity = "notice-" + std::to_string(id);
            store->insert_notice(notice);
        }
        return id;
    };
    auto close = [&](IncidentId id, Timestamp at) {
        Incident incident = *store->find_incident(id);
        incident.status = Status::closed;
        incident.phase = Phase::resolved;
        incident.closed_at = at;
        store->save_incident(incident);
        store->append_event(id, {"alice", at}, "closed", {{"resolution", "fixed"}});
    };
    store->begin_write();
    IncidentId published = add({"phones"}, true);
    IncidentId quiet = add({"db3"}, false);
    IncidentId old = add({"fax"}, true);
    close(old, t0 - std::chrono::days(8));
    IncidentId recent = add({"chat"}, true);
    close(recent, t0 - std::chrono::days(6));
    IncidentId newer = add({"wifi"}, true);
    close(newer, t0 - std::chrono::days(1));
    store->commit();

    StatusPage page = build_status_page(*store, {"Status", "", "", 7}, t0);
    REQUIRE(page.open.size() == 1);
    CHECK(page.open[0].id == published);
    CHECK(page.unpublished == std::vector<IncidentId>{quiet});
    REQUIRE(page.resolved.size() == 2);
    CHECK(page.resolved[0].id == newer);
    CHECK(page.resolved[1].id == recent);

    page = build_status_page(*store, {"Status", "", "", 0}, t0);
    CHECK(page.resolved.empty());
}
