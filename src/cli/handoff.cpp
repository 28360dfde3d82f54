#include "outage/cli/brief.hpp"
#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

Command add_handoff(CLI::App& command) {
    auto id = std::make_shared<IncidentId>(0);
    auto request = std::make_shared<HandoffRequest>();
    add_incident_id(command, *id);
    command.add_option("--to", request->to, "The new owner")->required()->type_name("NAME");
    command
        .add_option("--note", request->note,
                    "What the new owner needs to know: state, next steps, open questions")
        ->required();
    command.footer("Prints the brief for the new owner, who acknowledges with `outage ack ID`.\n"
                   "Example:\n  outage handoff 12 --to priya --note \"Vendor engineer due 14:00; "
                   "customers updated at 11:30\"");
    return {.run = [id, request](const Given& given) {
        Store& log = given.log();
        Incident incident = hand_off(log, *id, *request, given.stamp());
        if (given.out().json) {
            print_changed(incident, given.out(), "");
            return Exit::ok;
        }
        fmt::print("Incident {} handed over to {}.\n{}: once you have it, say so with `outage ack "
                   "{}`.\n\n",
                   incident.id, shown(request->to), shown(request->to), incident.id);
        Brief brief = load_brief(log, given.runbooks(), given.templates(), incident.id);
        print_brief(brief, given.out(), given.now());
        return Exit::ok;
    }};
}

} // namespace outage::cli
