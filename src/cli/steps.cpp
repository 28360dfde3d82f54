#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/report/describe.hpp"
#include "outage/runbook/load.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/progress.hpp"

#include <fmt/format.h>

namespace outage::cli {

Command add_steps(CLI::App& command) {
    auto id = std::make_shared<IncidentId>(0);
    add_incident_id(command, *id);
    command.footer("Lists the runbook steps for the incident's current severity (all of them "
                   "before\nthe first assessment): [ ] to do, [x] done, [-] skipped.\nExample:\n"
                   "  outage steps 12");
    return {.run = [id](const Given& given) {
        Incident incident = require_incident(given.log(), *id);
        Runbook runbook = load_runbook(given.runbooks(), incident.scenario);
        auto steps = incident_steps(given.log(), runbook, incident);
        if (given.out().json) {
            nlohmann::json array = nlohmann::json::array();
            for (const auto& view : steps)
                array.push_back(step_json(view));
            print_json(array);
            return Exit::ok;
        }
        fmt::print("Steps for incident {} ({}, {}):\n", incident.id, shown(runbook.title),
                   severity_label(incident.severity, given.out().color));
        print_steps(steps);
        return Exit::ok;
    }};
}

} // namespace outage::cli
