#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/report/describe.hpp"
#include "outage/services/queries.hpp"

#include <fmt/format.h>

namespace outage::cli {

Command add_show(CLI::App& command) {
    auto id = std::make_shared<IncidentId>(0);
    add_incident_id(command, *id);
    command.footer("Example:\n  outage show 12\n  outage show 12 --json | jq '.timeline[].kind'");
    return {.run = [id](const Given& given) {
        IncidentTimeline shown = incident_timeline(given.log(), *id);
        if (given.out().json) {
            auto object = incident_json(shown.incident);
            object["timeline"] = nlohmann::json::array();
            for (const auto& event : shown.events)
                object["timeline"].push_back(event_json(event));
            print_json(object);
            return Exit::ok;
        }
        print_incident(shown.incident, given.out());
        fmt::print("\n");
        print_timeline(shown.events);
        return Exit::ok;
    }};
}

} // namespace outage::cli
