#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/report/describe.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

namespace {
struct OpenOptions {
    OpenRequest request;
    std::optional<OpenPlan> plan;
};
} // namespace

Command add_open(CLI::App& command) {
    auto options = std::make_shared<OpenOptions>();
    OpenRequest& request = options->request;
    command.add_option("--scenario", request.scenario, "Runbook id (`outage runbook list`)")
        ->required();
    command.add_option("--title", request.title, "One line saying what is wrong")->required();
    command.add_option("--service", request.services, "Affected service (repeatable)")
        ->type_name("NAME");
    command.add_option("--affected", request.affected, "How many people are affected")
        ->check(whole_number);
    command.add_option("--owner", request.owner, "Incident owner (default: whoever opens it)")
        ->type_name("NAME");
    command
        .add_option("--dedup-key", request.dedup_key,
                    "Alert key: while an incident with it is open, opening again only "
                    "records a re-trigger on it")
        ->type_name("KEY");
    command.add_option("--note", request.note, "First note on the timeline");
    command.footer("Example:\n  outage open --scenario power-loss --title \"Power cut at the "
                   "Leeds office\" --service phones --affected 120");
    return {
        // The runbook is loaded and every value checked here, before the log is created: a
        // bad call leaves no file behind.
        .check =
            [options](const Given& given) {
                options->plan = plan_open(given.runbooks(), options->request);
            },
        .run =
            [options](const Given& given) {
                OpenResult result = open_incident(given.log(), *options->plan, given.stamp());
                if (given.out().json) {
                    auto object = incident_json(result.incident);
                    object["retriggered"] = result.retriggered;
                    print_json(object);
                    return Exit::ok;
                }
                const Incident& incident = result.incident;
                if (result.retriggered)
                    fmt::print(
                        "Incident {} is already open for dedup key {}; recorded the re-trigger.\n",
                        incident.id, shown(*incident.dedup_key));
                else
                    fmt::print("Opened incident {}: {}\nNext: assess it with `outage assess {}`.\n",
                               incident.id, shown(incident.title), incident.id);
                return Exit::ok;
            }};
}

} // namespace outage::cli
