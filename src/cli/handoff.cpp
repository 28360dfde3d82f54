#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/core/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

void add_handoff(CLI::App& command, Context& ctx) {
    auto id = std::make_shared<IncidentId>(0);
    auto request = std::make_shared<HandoffRequest>();
    add_incident_id(command, *id);
    command.add_option("--to", request->to, "The new owner")->required()->type_name("NAME");
    command
        .add_option("--note", request->note,
                    "What the new owner needs to know: state, next steps, open questions")
        ->required();
    command.footer("Example:\n  outage handoff 12 --to priya --note \"Vendor engineer due 14:00; "
                   "customers updated at 11:30\"");
    command.callback([&ctx, id, request] {
        auto store = open_log(ctx, Access::change_existing);
        Incident incident = hand_off(*store, *id, *request, stamp(ctx));
        print_changed(incident, ctx,
                      fmt::format("Incident {} handed over to {}.", incident.id, request->to));
    });
}

} // namespace outage::cli
