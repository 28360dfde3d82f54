#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

void add_ack(CLI::App& command, Context& ctx) {
    auto id = std::make_shared<IncidentId>(0);
    add_incident_id(command, *id);
    command.footer("The new owner runs it after a handoff: `outage due` lists handovers nobody "
                   "has\nacknowledged after 15 minutes.\nExample:\n  outage ack 12");
    command.callback([&ctx, id] {
        auto store = open_log(ctx, Access::change_existing);
        Stamp now = stamp(ctx);
        AckResult result = acknowledge(*store, *id, now);
        const Incident& incident = result.incident;
        if (ctx.options.json) {
            auto doc = incident_json(incident);
            doc["acknowledged"] = result.handed_off_at.has_value();
            print_json(doc);
            return;
        }
        if (!result.handed_off_at) {
            fmt::print("Nothing to acknowledge: no handover of incident {} is waiting ({} owns "
                       "it).\n",
                       incident.id, incident.owner.value_or("nobody"));
            return;
        }
        std::string waited =
            now.at > *result.handed_off_at
                ? fmt::format(", {} ago", format_span(now.at - *result.handed_off_at))
                : "";
        fmt::print("{} has taken over incident {} (handed over {}{}).\n",
                   incident.owner.value_or(now.actor), incident.id,
                   format_local(*result.handed_off_at), waited);
    });
}

} // namespace outage::cli
