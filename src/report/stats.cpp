#include "outage/report/stats.hpp"

#include "outage/model/events.hpp"
#include "outage/model/runbook.hpp"
#include "outage/report/durations.hpp"
#include "outage/report/html.hpp"
#include "outage/report/svg.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <unordered_map>
#include <unordered_set>

namespace outage {
namespace {

using nlohmann::json;
using std::chrono::seconds;

// A group while the incidents are counted: the spans are kept for the medians.
struct Tally {
    StatsGroup group;
    std::vector<seconds> to_assess;
    std::vector<seconds> to_resolve;
};

// Whole seconds, rounded down; the median of an even count is the mean of the middle two.
SpanSummary summarise(std::vector<seconds>& spans) {
    SpanSummary summary;
    summary.count = static_cast<std::int64_t>(spans.size());
    if (spans.empty())
        return summary;
    seconds total{0};
    for (auto span : spans)
        total += span;
    summary.mean = total / summary.count;
    auto middle = spans.begin() + static_cast<std::ptrdiff_t>(spans.size() / 2);
    std::nth_element(spans.begin(), middle, spans.end());
    if (spans.size() % 2 == 1) {
        summary.median = *middle;
    } else {
        seconds upper = *middle;
        seconds lower = *std::max_element(spans.begin(), middle);
        summary.median = (lower + upper) / 2;
    }
    return summary;
}

void add(Tally& tally, const IncidentClock& clock) {
    Durations d = durations(clock, clock.opened_at.value_or(Timestamp{}));
    ++tally.group.incidents;
    if (clock.closed_at)
        ++tally.group.closed;
    if (clock.reopens > 0)
        ++tally.group.reopened;
    tally.group.notices += clock.notices;
    if (d.to_assess)
        tally.to_assess.push_back(*d.to_assess);
    if (d.to_resolve)
        tally.to_resolve.push_back(*d.to_resolve);
}

StatsGroup finish(Tally& tally) {
    tally.group.to_assess = summarise(tally.to_assess);
    tally.group.to_resolve = summarise(tally.to_resolve);
    return tally.group;
}

std::string group_key(const IncidentClock& clock, StatsGrouping by) {
    switch (by) {
    case StatsGrouping::scenario:
        return clock.scenario;
    case StatsGrouping::severity:
        return clock.worst_severity.value_or("unassessed");
    case StatsGrouping::month:
        return format_local(*clock.opened_at).substr(0, 7);
    }
    return "";
}

// SEV1 before SEV4 and unassessed last; scenarios and months ("2026-11") sort as text.
bool key_before(const std::string& a, const std::string& b) {
    auto rank = [](const std::string& key) {
        int r = severity_rank(key);
        return r == 0 ? 5 : r;
    };
    return rank(a) != rank(b) ? rank(a) < rank(b) : a < b;
}

json optional_seconds(const std::optional<seconds>& span) {
    return span ? json(span->count()) : json();
}

json group_json(const StatsGroup& g) {
    return {{"key", g.key},
            {"incidents", g.incidents},
            {"closed", g.closed},
            {"reopened", g.reopened},
            {"notices", g.notices},
            {"assessed", g.to_assess.count},
            {"mean_to_assess_seconds", optional_seconds(g.to_assess.mean)},
            {"median_to_assess_seconds", optional_seconds(g.to_assess.median)},
            {"mean_to_resolve_seconds", optional_seconds(g.to_resolve.mean)},
            {"median_to_resolve_seconds", optional_seconds(g.to_resolve.median)}};
}

std::string span_text(const std::optional<seconds>& span) {
    return span ? format_span(*span) : "—";
}

constexpr std::string_view stats_style = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:0;background:#f6f8fa}
main{max-width:960px;margin:0 auto;padding:1.5rem;background:#fff}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}.preface{color:#57606a}
table{border-collapse:collapse;width:100%;font-size:.92rem}
th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}thead th{background:#f0f3f6}
tr.total td{font-weight:600;background:#f6f8fa}svg{max-width:100%;height:auto}
)";

} // namespace

Stats compute_stats(Store& store, StatsGrouping by, std::optional<Timestamp> since) {
    std::unordered_map<IncidentId, IncidentClock> clocks;
    std::unordered_set<IncidentId> too_old;
    EventFilter filter;
    for (EventKind kind : clock_event_kinds())
        if (kind != EventKind::notice_sent) // only the report measures customer notices
            filter.kinds.push_back(kind);
    auto nobody = [](std::string_view) { return false; };
    store.each_event(filter, [&](const Event& event) {
        if (too_old.count(event.incident_id))
            return;
        if (kind_of(event) == EventKind::opened && since && event.at < *since) {
            too_old.insert(event.incident_id);
            clocks.erase(event.incident_id);
            return;
        }
        observe(clocks[event.incident_id], event, nobody);
    });

    std::map<std::string, Tally, decltype(&key_before)> tallies(&key_before);
    Tally total;
    for (const auto& [id, clock] : clocks) {
        if (!clock.opened_at)
            continue; // events whose `opened` is missing: not an incident we can measure
        std::string key = group_key(clock, by);
        Tally& tally = tallies[key];
        tally.group.key = key;
        add(tally, clock);
        add(total, clock);
    }

    Stats stats;
    stats.by = by;
    stats.since = since;
    for (auto& [key, tally] : tallies)
        stats.groups.push_back(finish(tally));
    total.group.key = "total";
    stats.total = finish(total);
    return stats;
}

json stats_json(const Stats& stats) {
    json groups = json::array();
    for (const auto& group : stats.groups)
        groups.push_back(group_json(group));
    return {{"by", to_string(stats.by)},
            {"since", stats.since ? json(format_iso_utc(*stats.since)) : json()},
            {"groups", groups},
            {"total", group_json(stats.total)}};
}

std::string stats_html(const Stats& stats, Timestamp generated_at) {
    std::string by(to_string(stats.by));
    std::string title = fmt::format("Incident statistics by {}", by);
    std::string scope = stats.since
                            ? fmt::format("Incidents opened since {}", format_local(*stats.since))
                            : std::string("All incidents");
    std::string out = html_page_start(title, stats_style);
    out +=
        fmt::format("<h1>{}</h1>\n<p class=\"preface\">{}; generated {}.</p>\n", html_escape(title),
                    html_escape(scope), html_escape(format_local(generated_at)));

    out += fmt::format("<table>\n<thead><tr><th>{}</th><th>Incidents</th><th>Closed</th>"
                       "<th>Mean to assess</th><th>Median to assess</th><th>Mean to resolve</th>"
                       "<th>Median to resolve</th><th>Reopened</th><th>Notices</th></tr></thead>\n"
                       "<tbody>\n",
                       static_cast<char>(by[0] - 'a' + 'A') + by.substr(1));
    auto row = [](const StatsGroup& g, const char* css) {
        return fmt::format(
            "<tr{}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
            "<td>{}</td><td>{}</td><td>{}</td></tr>\n",
            css, html_escape(g.key), g.incidents, g.closed,
            html_escape(span_text(g.to_assess.mean)), html_escape(span_text(g.to_assess.median)),
            html_escape(span_text(g.to_resolve.mean)), html_escape(span_text(g.to_resolve.median)),
            g.reopened, g.notices);
    };
    for (const auto& group : stats.groups)
        out += row(group, "");
    out += row(stats.total, " class=\"total\"");
    out += "</tbody>\n</table>\n";

    std::vector<Bar> counts, resolve;
    for (const auto& g : stats.groups) {
        counts.push_back({g.key, static_cast<double>(g.incidents), std::to_string(g.incidents)});
        resolve.push_back(
            {g.key,
             g.to_resolve.median
                 ? std::optional<double>(static_cast<double>(g.to_resolve.median->count()))
                 : std::nullopt,
             g.to_resolve.median ? format_span(*g.to_resolve.median) : std::string("none closed")});
    }
    out += fmt::format("<section id=\"incidents\">\n<h2>Incidents per {}</h2>\n{}</section>\n",
                       html_escape(by), bar_chart_svg(fmt::format("Incidents per {}", by), counts));
    out += fmt::format("<section id=\"resolve\">\n<h2>Median time to resolve per {}</h2>\n{}"
                       "</section>\n",
                       html_escape(by),
                       bar_chart_svg(fmt::format("Median time to resolve per {}", by), resolve));
    out += html_page_end;
    return out;
}

} // namespace outage
