#include "outage/report/stats.hpp"
#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace outage::cli {

namespace {

struct StatsOptions {
    std::string by = "scenario";
    std::optional<std::string> since;
    std::optional<std::string> html;
    std::optional<Timestamp> since_time;
};

std::string stats_span(const std::optional<std::chrono::seconds>& span) {
    return span ? format_span(*span) : "-";
}

void print_stats_table(const Stats& stats) {
    std::string by(to_string(stats.by));
    size_t width = by.size();
    for (const auto& group : stats.groups)
        width = std::max(width, shown(group.key).size());
    constexpr std::string_view row = "{:<{}}  {:>9}  {:>6}  {:>11}  {:>13}  {:>12}  {:>14}  {:>8}  "
                                     "{:>7}\n";
    std::transform(by.begin(), by.end(), by.begin(), [](char c) { return c - 'a' + 'A'; });
    fmt::print(fmt::runtime(row), by, width, "INCIDENTS", "CLOSED", "ASSESS MEAN", "ASSESS MEDIAN",
               "RESOLVE MEAN", "RESOLVE MEDIAN", "REOPENED", "NOTICES");
    auto print_group = [&](const StatsGroup& g) {
        fmt::print(fmt::runtime(row), shown(g.key), width, g.incidents, g.closed,
                   stats_span(g.to_assess.mean), stats_span(g.to_assess.median),
                   stats_span(g.to_resolve.mean), stats_span(g.to_resolve.median), g.reopened,
                   g.notices);
    };
    for (const auto& group : stats.groups)
        print_group(group);
    print_group(stats.total);
}

Exit stats_run(const StatsOptions& options, const Given& given) {
    Stats stats =
        compute_stats(given.log(), *stats_grouping_names.parse(options.by), options.since_time);
    if (options.html)
        // Counts and scenario ids only, nothing internal: readable like any page.
        write_output_file(*options.html, stats_html(stats, given.now()), 0644, "--html");
    if (given.out().json) {
        print_json(stats_json(stats));
        return Exit::ok;
    }
    if (stats.total.incidents == 0)
        fmt::print("No incidents{}.\n", options.since_time ? " opened since then" : "");
    else
        print_stats_table(stats);
    if (options.html)
        fmt::print("Charts written to {}.\n", *options.html);
    return Exit::ok;
}

} // namespace

Command add_stats(CLI::App& command) {
    auto options = std::make_shared<StatsOptions>();
    command
        .add_option("--by", options->by, "Group by scenario, severity (the worst reached) or month")
        ->capture_default_str()
        ->check(one_of(stats_grouping_names));
    command
        .add_option("--since", options->since,
                    "Only incidents opened since: ISO 8601, HH:MM today, or ago: 2h, 30d")
        ->type_name("WHEN");
    command.add_option("--html", options->html, "Also write a page with bar charts to FILE")
        ->type_name("FILE");
    command.footer("Example:\n  outage stats --since 90d --by severity\n"
                   "  outage stats --by month --html stats.html");
    return {.check =
                [options](const Given& given) {
                    options->since_time =
                        parse_time_option("--since", options->since, Direction::behind, given);
                },
            .run = [options](const Given& given) { return stats_run(*options, given); }};
}

} // namespace outage::cli
