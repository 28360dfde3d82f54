#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/report/describe.hpp"
#include "outage/runbook/load.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/progress.hpp"

#include <fmt/format.h>

namespace outage::cli {

namespace {
struct StepOptions {
    IncidentId id = 0;
    std::string step;
    bool done = false;
    bool skip = false;
    std::optional<std::string> note;
};
} // namespace

Command add_step(CLI::App& command) {
    auto options = std::make_shared<StepOptions>();
    add_incident_id(command, options->id);
    command.add_option("step", options->step, "Step id (from `outage steps ID`)")->required();
    command.add_flag("--done", options->done, "The step is done");
    command.add_flag("--skip", options->skip, "The step does not apply or is not worth doing");
    command.add_option("--note", options->note, "What was done, or why it was skipped");
    command.footer("Example:\n  outage step 12 isolate --done --note \"Switch ports 4-9 "
                   "disabled\"");
    return {.check =
                [options](const Given&) {
                    if (options->done == options->skip)
                        throw Error(Exit::usage, "pass exactly one of --done and --skip");
                },
            .run =
                [options](const Given& given) {
                    Store& log = given.log();
                    Incident incident = require_incident(log, options->id);
                    Runbook runbook = load_runbook(given.runbooks(), incident.scenario);
                    StepProgress progress =
                        mark_step(log, runbook, options->id, options->step,
                                  options->done ? StepState::done : StepState::skipped,
                                  options->note, given.stamp());
                    if (given.out().json) {
                        print_json(step_json({runbook.step(options->step), progress}));
                        return Exit::ok;
                    }
                    fmt::print("Step {} of incident {} marked {}.\n", options->step, options->id,
                               to_string(progress.state));
                    return Exit::ok;
                }};
}

} // namespace outage::cli
