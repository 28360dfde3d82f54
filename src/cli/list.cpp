#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/runbook.hpp"
#include "outage/report/describe.hpp"
#include "outage/services/queries.hpp"

#include <fmt/format.h>

namespace outage::cli {

namespace {
struct ListOptions {
    std::string status = "open";
    std::optional<std::string> scenario;
    std::optional<std::string> severity;
    std::optional<std::string> since;
    IncidentFilter filter;
};
} // namespace

Command add_list(CLI::App& command) {
    auto options = std::make_shared<ListOptions>();
    command.add_option("--status", options->status, "Which incidents: open, closed or all")
        ->capture_default_str()
        ->check(one_of(status_names, {"all"}));
    command.add_option("--scenario", options->scenario, "Only this scenario")->type_name("ID");
    command.add_option("--severity", options->severity, "Only this severity")
        ->check(CLI::IsMember(
            std::vector<std::string>(severity_levels.begin(), severity_levels.end())));
    command
        .add_option("--since", options->since,
                    "Only incidents opened since: ISO 8601, HH:MM today, or ago: 2h, 7d")
        ->type_name("WHEN");
    command.footer("Example:\n  outage list --status all --since 7d --scenario malware");
    return {.check =
                [options](const Given& given) {
                    IncidentFilter& filter = options->filter;
                    if (options->status != "all")
                        filter.status = parse_status(options->status);
                    filter.scenario = options->scenario;
                    filter.severity = options->severity;
                    filter.opened_since =
                        parse_time_option("--since", options->since, Direction::behind, given);
                },
            .run =
                [options](const Given& given) {
                    if (given.out().json) {
                        JsonArrayPrinter printer;
                        nlohmann::json object = nlohmann::json::object();
                        find_incidents(given.log(), options->filter, [&](const Incident& incident) {
                            fill_incident_json(object, incident);
                            printer.add(object);
                        });
                        printer.finish();
                        return Exit::ok;
                    }
                    print_incident_table(find_incidents(given.log(), options->filter), given.out());
                    return Exit::ok;
                }};
}

} // namespace outage::cli
