#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

Command add_reopen(CLI::App& command) {
    auto id = std::make_shared<IncidentId>(0);
    auto note = std::make_shared<std::string>();
    add_incident_id(command, *id);
    command.add_option("--note", *note, "Why it is open again")->required();
    command.footer(
        "Example:\n  outage reopen 12 --note \"Array degraded again after the rebuild\"");
    return {.run = [id, note](const Given& given) {
        Incident incident = reopen_incident(given.log(), *id, *note, given.stamp());
        print_changed(incident, given.out(), fmt::format("Reopened incident {}.", incident.id));
        return Exit::ok;
    }};
}

} // namespace outage::cli
