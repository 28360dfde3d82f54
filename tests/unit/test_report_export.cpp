#include "outage/report/export.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/services/lifecycle.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace outage;
using nlohmann::json;

namespace {

const Timestamp opened = *parse_iso_utc("2026-11-22T10:00:00Z");

// Two incidents, the second with a note that needs quoting in CSV.
struct ExportLog {
    TempDir dir;
    std::unique_ptr<Store> store = open_store(dir.file("incidents.db"), Access::create);

    ExportLog() {
        RunbookPath runbooks = runbook_path(std::string(OUTAGE_TEST_DATA) + "/runbooks/good");
        for (const char* title : {"Water", "Damp, then \"mould\""}) {
            OpenRequest request;
            request.scenario = "lab-flood";
            request.title = title;
            open_incident(*store, plan_open(runbooks, request), {"alice", opened});
        }
    }

    // The export as one text, and what it counted.
    std::pair<std::string, ExportCounts> run(ExportFormat format, bool events,
                                             const IncidentFilter& filter = {}) {
        std::string text;
        ExportCounts counts = export_incidents(*store, filter, format, events,
                                               [&text](std::string_view piece) { text += piece; });
        return {text, counts};
    }
};

} // namespace

TEST_CASE("report::export_incidents as JSON") {
    ExportLog log;
    auto [text, counts] = log.run(ExportFormat::json, false);
    CHECK(counts.incidents == 2);
    CHECK(counts.events == 0);
    json doc = json::parse(text);
    REQUIRE(doc.size() == 2);
    CHECK(doc[1]["title"] == "Damp, then \"mould\"");
    CHECK_FALSE(doc[0].contains("timeline"));
    // One incident per line, as `list --json` prints them.
    CHECK(std::count(text.begin(), text.end(), '\n') == 4);

    // Each incident has two events: opened, and the runbook's unconditional deadline started.
    auto [with_events, event_counts] = log.run(ExportFormat::json, true);
    CHECK(event_counts.events == 4);
    json timeline = json::parse(with_events)[0]["timeline"];
    REQUIRE(timeline.size() == 2);
    CHECK(timeline[0]["kind"] == "opened");

    IncidentFilter none;
    none.status = Status::closed;
    CHECK(log.run(ExportFormat::json, true, none).first == "[]\n");
}

TEST_CASE("report::export_incidents as CSV") {
    ExportLog log;
    auto [text, counts] = log.run(ExportFormat::csv, false);
    CHECK(counts.incidents == 2);
    auto rows = read_csv(text);
    REQUIRE(rows.size() == 3);
    CHECK(rows[0][0] == "id");
    CHECK(rows[0][1] == "title");
    CHECK(rows[2][1] == "Damp, then \"mould\"");

    auto [events, event_counts] = log.run(ExportFormat::csv, true);
    CHECK(event_counts.incidents == 2);
    CHECK(event_counts.events == 4);
    auto event_rows = read_csv(events);
    REQUIRE(event_rows.size() == 5);
    CHECK(event_rows[0] == std::vector<std::string>{"incident", "event", "at", "kind", "actor",
                                                    "description", "payload"});
    CHECK(event_rows[1][0] == "1");
    CHECK(event_rows[1][3] == "opened");
    CHECK(event_rows[3][0] == "2");
}
