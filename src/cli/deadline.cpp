#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/report/describe.hpp"
#include "outage/runbook/load.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/progress.hpp"

#include <fmt/format.h>

namespace outage::cli {

namespace {
struct DeadlineOptions {
    IncidentId id = 0;
    std::string name;
    bool met = false;
    std::optional<std::string> note;
};
} // namespace

Command add_deadline(CLI::App& command) {
    auto options = std::make_shared<DeadlineOptions>();
    add_incident_id(command, options->id);
    command.add_option("name", options->name, "Deadline id (from `outage assess` or `due`)")
        ->required();
    command.add_flag("--met", options->met, "Record the deadline as met")->required();
    command.add_option("--note", options->note, "How it was met (reference number, who)");
    command.footer("Example:\n  outage deadline 12 gdpr-authority --met --note \"Reported via "
                   "the DPA portal, ref 2026-0413\"");
    return {.run = [options](const Given& given) {
        Store& log = given.log();
        Incident incident = require_incident(log, options->id);
        Runbook runbook = load_runbook(given.runbooks(), incident.scenario);
        const Stamp& now = given.stamp();
        Deadline deadline =
            meet_deadline(log, runbook, options->id, options->name, options->note, now);
        if (given.out().json) {
            print_json(deadline_json(deadline, now.at));
            return Exit::ok;
        }
        fmt::print("Deadline {} of incident {} met{}.\n", deadline.name, deadline.incident_id,
                   *deadline.met_at > deadline.due_at
                       ? fmt::format(", {} late", format_span(*deadline.met_at - deadline.due_at))
                       : std::string());
        return Exit::ok;
    }};
}

} // namespace outage::cli
