#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

void add_steps(CLI::App& command, Context& ctx) {
    auto id = std::make_shared<IncidentId>(0);
    add_incident_id(command, *id);
    command.footer("Lists the runbook steps for the incident's current severity (all of them "
                   "before\nthe first assessment): [ ] to do, [x] done, [-] skipped.\nExample:\n"
                   "  outage steps 12");
    command.callback([&ctx, id] {
        auto store = open_log(ctx, Access::read_only);
        Incident incident = require_incident(*store, *id);
        Runbook runbook = load_runbook(runbooks(ctx), incident.scenario);
        auto steps = steps_for(runbook, incident.severity, store->step_progress(*id));
        if (ctx.options.json) {
            nlohmann::json array = nlohmann::json::array();
            for (const auto& view : steps)
                array.push_back(step_json(view));
            print_json(array);
            return;
        }
        fmt::print("Steps for incident {} ({}, {}):\n", incident.id, runbook.title,
                   severity_label(incident.severity, ctx.color));
        print_steps(steps);
    });
}

} // namespace outage::cli
