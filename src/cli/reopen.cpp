#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

void add_reopen(CLI::App& command, Context& ctx) {
    auto id = std::make_shared<IncidentId>(0);
    auto note = std::make_shared<std::string>();
    add_incident_id(command, *id);
    command.add_option("--note", *note, "Why it is open again")->required();
    command.footer(
        "Example:\n  outage reopen 12 --note \"Array degraded again after the rebuild\"");
    command.callback([&ctx, id, note] {
        auto store = open_log(ctx, Access::change_existing);
        Incident incident = reopen_incident(*store, *id, *note, stamp(ctx));
        print_changed(incident, ctx, fmt::format("Reopened incident {}.", incident.id));
    });
}

} // namespace outage::cli
