#include "outage/report/stats.hpp"
#include "outage/report/svg.hpp"
#include "outage/store/store.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <ctime>

using namespace outage;
using namespace std::chrono;

namespace {

const Timestamp t0 = *parse_iso_utc("2026-11-22T10:00:00Z");

// Keeps TZ for the test's length: stats group months in the local zone.
struct Zone {
    std::string saved;
    bool had = false;
    explicit Zone(const char* zone) {
        if (const char* tz = std::getenv("TZ")) {
            saved = tz;
            had = true;
        }
        setenv("TZ", zone, 1);
        tzset();
    }
    ~Zone() {
        if (had)
            setenv("TZ", saved.c_str(), 1);
        else
            unsetenv("TZ");
        tzset();
    }
};

// A log written event by event, as the commands would, for the stats.
struct Log {
    TempDir dir;
    std::unique_ptr<Store> store = open_store(dir.file("incidents.db"), Access::create);

    void add(IncidentId id, const char* kind, Timestamp at, nlohmann::json payload = {}) {
        write_transaction(*store, [&] {
            store->append_event(id, {"alice", at}, kind,
                                payload.is_null() ? nlohmann::json::object() : payload);
        });
    }
    IncidentId open(const char* scenario, Timestamp at) {
        Incident incident;
        incident.title = "t";
        incident.scenario = scenario;
        incident.opened_at = at;
        IncidentId id = write_transaction(*store, [&] { return store->insert_incident(incident); });
        add(id, "opened", at, {{"scenario", scenario}});
        return id;
    }
};

} // namespace

TEST_CASE("stats::groups, means and medians") {
    Zone zone("Europe/Amsterdam");
    Log log;
    // power-loss: assessed after 10m and 30m, resolved after 60m and 120m; one reopened.
    IncidentId a = log.open("power-loss", t0);
    log.add(a, "assessed", t0 + 10min);
    log.add(a, "severity_changed", t0 + 10min, {{"from", nullptr}, {"to", "SEV3"}});
    log.add(a, "notice", t0 + 15min, {{"audience", "frontline"}});
    log.add(a, "notice", t0 + 16min, {{"audience", "customers"}});
    log.add(a, "closed", t0 + 60min);
    IncidentId b = log.open("power-loss", t0 + 24h);
    log.add(b, "assessed", t0 + 24h + 30min);
    log.add(b, "severity_changed", t0 + 24h + 30min, {{"from", nullptr}, {"to", "SEV1"}});
    log.add(b, "severity_changed", t0 + 24h + 40min, {{"from", "SEV1"}, {"to", "SEV2"}});
    log.add(b, "closed", t0 + 24h + 50min);
    log.add(b, "reopened", t0 + 24h + 55min);
    log.add(b, "closed", t0 + 24h + 120min);
    // malware: one open, never assessed; one assessed after 7m and resolved after 3m more...
    IncidentId c = log.open("malware", t0 + 2h);
    IncidentId d = log.open("malware", t0 + 3h);
    log.add(d, "assessed", t0 + 3h + 7min);
    log.add(d, "severity_changed", t0 + 3h + 7min, {{"from", nullptr}, {"to", "SEV3"}});
    log.add(d, "notice", t0 + 3h + 8min, {{"audience", "frontline"}});
    log.add(d, "closed", t0 + 3h + 10min);
    // ... and one more open one in December (local time), opened 23:30 UTC on 30 November.
    IncidentId e = log.open("malware", *parse_iso_utc("2026-11-30T23:30:00Z"));
    log.add(e, "assessed", *parse_iso_utc("2026-11-30T23:35:00Z"));
    (void)c;

    SECTION("by scenario") {
        Stats stats = compute_stats(*log.store, StatsGrouping::scenario, std::nullopt);
        REQUIRE(stats.groups.size() == 2);
        const StatsGroup& malware = stats.groups[0];
        const StatsGroup& power = stats.groups[1];
        CHECK(malware.key == "malware");
        CHECK(malware.incidents == 3);
        CHECK(malware.closed == 1);
        CHECK(malware.reopened == 0);
        CHECK(malware.notices == 1);
        CHECK(malware.to_assess.count == 2);
        CHECK(malware.to_assess.mean == 6min);   // (7 + 5) / 2
        CHECK(malware.to_assess.median == 6min); // the mean of the middle two
        CHECK(malware.to_resolve.count == 1);
        CHECK(malware.to_resolve.median == 10min);
        CHECK(power.key == "power-loss");
        CHECK(power.incidents == 2);
        CHECK(power.reopened == 1);
        CHECK(power.notices == 2);
        CHECK(power.to_assess.mean == 20min);
        CHECK(power.to_resolve.mean == 90min); // 60 and 120: to the last close
        CHECK(power.to_resolve.median == 90min);
        CHECK(stats.total.key == "total");
        CHECK(stats.total.incidents == 5);
        CHECK(stats.total.to_assess.count == 4);
        CHECK(stats.total.to_assess.median == 8min + 30s); // 5, 7, 10, 30: (7 + 10) / 2
        CHECK(stats.total.to_assess.mean == 13min);        // 52 / 4
        CHECK(stats.total.to_resolve.median == 60min);     // 10, 60, 120
        CHECK(stats.total.to_resolve.mean == 63min + 20s); // 190 / 3
    }

    SECTION("by severity: the worst level reached, unassessed last") {
        Stats stats = compute_stats(*log.store, StatsGrouping::severity, std::nullopt);
        std::vector<std::string> keys;
        for (const auto& g : stats.groups)
            keys.push_back(g.key + ":" + std::to_string(g.incidents));
        CHECK(keys == std::vector<std::string>{"SEV1:1", "SEV3:2", "unassessed:2"});
    }

    SECTION("by month, in the local zone") {
        Stats stats = compute_stats(*log.store, StatsGrouping::month, std::nullopt);
        REQUIRE(stats.groups.size() == 2);
        CHECK(stats.groups[0].key == "2026-11");
        CHECK(stats.groups[0].incidents == 4);
        CHECK(stats.groups[1].key == "2026-12");
        CHECK(stats.groups[1].to_assess.median == 5min);
    }

    SECTION("since leaves out incidents opened earlier, and their later events") {
        Stats stats = compute_stats(*log.store, StatsGrouping::scenario, t0 + 2h);
        REQUIRE(stats.groups.size() == 2);
        CHECK(stats.groups[0].incidents == 3);
        CHECK(stats.groups[1].key == "power-loss");
        CHECK(stats.groups[1].incidents == 1); // b, opened the next day
        CHECK(stats.groups[1].notices == 0);   // a's notices stay out
        CHECK(stats.total.incidents == 4);
        CHECK(stats.total.reopened == 1);
    }

    SECTION("json") {
        auto doc = stats_json(compute_stats(*log.store, StatsGrouping::scenario, t0 + 2h));
        CHECK(doc["by"] == "scenario");
        CHECK(doc["since"] == "2026-11-22T12:00:00Z");
        CHECK(doc["groups"][0]["key"] == "malware");
        CHECK(doc["groups"][0]["median_to_assess_seconds"] == 360);
        CHECK(doc["groups"][0]["mean_to_resolve_seconds"] == 600);
        CHECK(doc["groups"][0]["median_to_resolve_seconds"] == 600);
        CHECK(doc["total"]["median_to_resolve_seconds"] == 3900); // 10m and 120m
        CHECK(doc["total"]["incidents"] == 4);
        CHECK(doc["total"]["closed"] == 2);
        CHECK(doc["total"]["assessed"] == 3);
    }

    SECTION("an empty log") {
        TempDir dir;
        auto empty = open_store(dir.file("none.db"), Access::create);
        Stats stats = compute_stats(*empty, StatsGrouping::month, std::nullopt);
        CHECK(stats.groups.empty());
        CHECK(stats.total.incidents == 0);
        CHECK_FALSE(stats.total.to_resolve.median);
        CHECK(stats_json(stats)["total"]["median_to_resolve_seconds"].is_null());
    }
}

TEST_CASE("svg::charts") {
    SECTION("bars scale to the largest value; no value, no bar") {
        std::string svg =
            bar_chart_svg("Incidents <per> scenario",
                          {{"a&b", 4.0, "4"}, {"c", 2.0, "2"}, {"d", std::nullopt, "—"}});
        CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
        CHECK(svg.find("<title>Incidents &lt;per&gt; scenario</title>") != std::string::npos);
        CHECK(svg.find("width=\"360.0\"") != std::string::npos);
        CHECK(svg.find("width=\"180.0\"") != std::string::npos);
        CHECK(svg.find(">a&amp;b<") != std::string::npos);
        size_t rects = 0;
        for (size_t at = svg.find("<rect"); at != std::string::npos; at = svg.find("<rect", at + 1))
            ++rects;
        CHECK(rects == 2);
        CHECK(svg.substr(svg.size() - 7) == "</svg>\n");
    }

    SECTION("severity steps, a gap while closed, and marks") {
        std::vector<SeverityPeriod> periods = {{"SEV3", t0, t0 + 1h, false},
                                               {"SEV1", t0 + 1h, t0 + 2h, false},
                                               {"SEV1", t0 + 3h, t0 + 4h, true}};
        std::string svg = severity_chart_svg(
            "x", t0, t0 + 4h, periods,
            {{t0 + 30min, MarkKind::notice, "n"}, {t0 + 90min, MarkKind::handover, "h"}});
        size_t levels = 0, joins = 0;
        for (size_t at = svg.find("class=\"level\""); at != std::string::npos;
             at = svg.find("class=\"level\"", at + 1))
            ++levels;
        for (size_t at = svg.find("stroke=\"#888\""); at != std::string::npos;
             at = svg.find("stroke=\"#888\"", at + 1))
            ++joins;
        CHECK(levels == 3);
        CHECK(joins == 1); // SEV3 → SEV1 joined; nothing across the closed hour
        CHECK(svg.find("<g class=\"notice\">") != std::string::npos);
        CHECK(svg.find("<g class=\"handover\">") != std::string::npos);
        // The SEV3 stretch spans the first quarter of the 630-pixel axis from x=70.
        CHECK(svg.find("x1=\"70.0\" y1=\"102\" x2=\"227.5\" y2=\"102\"") != std::string::npos);
    }
}
