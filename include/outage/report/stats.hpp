#pragma once

#include "outage/model/incident.hpp"
#include "outage/store/store.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

enum class StatsGrouping { scenario, severity, month };

inline constexpr NameTable stats_grouping_names{std::pair{StatsGrouping::scenario, "scenario"},
                                                std::pair{StatsGrouping::severity, "severity"},
                                                std::pair{StatsGrouping::month, "month"}};

inline std::string_view to_string(StatsGrouping grouping) {
    return stats_grouping_names.name(grouping);
}

// A mean and a median over the incidents that have the measure.
struct SpanSummary {
    std::int64_t count = 0; // incidents measured
    std::optional<std::chrono::seconds> mean;
    std::optional<std::chrono::seconds> median;
};

// The figures of one group of incidents (or of all of them: the total).
struct StatsGroup {
    std::string key; // scenario id, SEV1..SEV4 or "unassessed", or the month "2026-11"
    std::int64_t incidents = 0;
    std::int64_t closed = 0;
    std::int64_t reopened = 0; // incidents reopened at least once
    std::int64_t notices = 0;  // notify calls recorded
    SpanSummary to_assess;     // opened → first assessment
    SpanSummary to_resolve;    // opened → last close, closed incidents only
};

struct Stats {
    StatsGrouping by = StatsGrouping::scenario;
    std::optional<Timestamp> since;
    std::vector<StatsGroup> groups; // sorted: scenario ids, SEV1 first, months oldest first
    StatsGroup total;
};

// Counts and times over the incidents opened at or after `since`, grouped. Walks the log's
// events once with the store's streaming reader, keeping a few numbers per incident, so a log
// of millions of events never sits in memory. A severity group is the worst level an incident
// reached; a month is the local month it was opened in.
Stats compute_stats(Store& store, StatsGrouping by, std::optional<Timestamp> since);

// {"by", "since", "groups": [...], "total": {...}} with times in seconds (docs/reports.md).
nlohmann::json stats_json(const Stats& stats);

// One self-contained HTML page: a table and bar charts (inline SVG) of incidents and of median
// time to resolve per group.
std::string stats_html(const Stats& stats, Timestamp generated_at);

} // namespace outage
