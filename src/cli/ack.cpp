#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/report/describe.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

Command add_ack(CLI::App& command) {
    auto id = std::make_shared<IncidentId>(0);
    add_incident_id(command, *id);
    command.footer("The new owner runs it after a handoff: `outage due` lists handovers nobody "
                   "has\nacknowledged after 15 minutes.\nExample:\n  outage ack 12");
    return {.run = [id](const Given& given) {
        const Stamp& now = given.stamp();
        AckResult result = acknowledge(given.log(), *id, now);
        const Incident& incident = result.incident;
        if (given.out().json) {
            auto doc = incident_json(incident);
            doc["acknowledged"] = result.handed_off_at.has_value();
            print_json(doc);
            return Exit::ok;
        }
        if (!result.handed_off_at) {
            fmt::print("Nothing to acknowledge: no handover of incident {} is waiting ({} owns "
                       "it).\n",
                       incident.id, shown(incident.owner.value_or("nobody")));
            return Exit::ok;
        }
        std::string waited =
            now.at > *result.handed_off_at
                ? fmt::format(", {} ago", format_span(now.at - *result.handed_off_at))
                : "";
        fmt::print("{} has taken over incident {} (handed over {}{}).\n",
                   shown(incident.owner.value_or(now.actor)), incident.id,
                   format_local(*result.handed_off_at), waited);
        return Exit::ok;
    }};
}

} // namespace outage::cli
