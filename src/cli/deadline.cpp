#include "outage/model/deadline.hpp"
#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/report/describe.hpp"
#include "outage/runbook/load.hpp"
#include "outage/services/deadlines.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

namespace {
struct DeadlineOptions {
    IncidentId id = 0;
    std::string name;
    bool met = false;
    std::optional<std::string> note;
    std::optional<std::string> at;
    std::optional<Timestamp> met_at;
};
} // namespace

Command add_deadline(CLI::App& command) {
    auto options = std::make_shared<DeadlineOptions>();
    add_incident_id(command, options->id);
    command.add_option("name", options->name, "Deadline id (from `outage assess` or `due`)")
        ->required();
    command.add_flag("--met", options->met, "Record the deadline as met")->required();
    command.add_option("--note", options->note, "How it was met (reference number, who)");
    command
        .add_option("--at", options->at,
                    "When it was met, if earlier than now: 2026-11-24T07:30, 07:30 (today), 2h "
                    "(ago)")
        ->type_name("WHEN");
    command.footer("Works on closed incidents too: a deadline runs until it is met.\nExample:\n"
                   "  outage deadline 12 gdpr-authority --met --at 09:40 --note \"Reported via "
                   "the DPA portal, ref 2026-0413\"");
    return {
        .check =
            [options](const Given& given) {
                options->met_at = parse_time_option("--at", options->at, Direction::behind, given);
            },
        .run =
            [options](const Given& given) {
                Store& log = given.log();
                Incident incident = require_incident(log, options->id);
                Runbook runbook = load_runbook(given.runbooks(), incident.scenario);
                const Stamp& now = given.stamp();
                Deadline deadline = meet_deadline(log, runbook, options->id, options->name,
                                                  options->note, options->met_at, now);
                if (given.out().json) {
                    print_json(deadline_json(deadline, now.at));
                    return Exit::ok;
                }
                bool late = deadline_outcome(deadline, now.at) == DeadlineOutcome::met_late;
                fmt::print(
                    "Deadline {} of incident {} met{}{}.\n", shown(deadline.name),
                    deadline.incident_id,
                    options->met_at ? fmt::format(" at {}", format_local(*deadline.met_at))
                                    : std::string(),
                    late ? fmt::format(", {} late", format_span(*deadline.met_at - deadline.due_at))
                         : std::string(", on time"));
                return Exit::ok;
            }};
}

} // namespace outage::cli
