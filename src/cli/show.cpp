#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

void add_show(CLI::App& command, Context& ctx) {
    auto id = std::make_shared<IncidentId>(0);
    add_incident_id(command, *id);
    command.footer("Example:\n  outage show 12\n  outage show 12 --json | jq '.timeline[].kind'");
    command.callback([&ctx, id] {
        auto store = open_log(ctx, Access::read_only);
        Incident incident = require_incident(*store, *id);
        auto events = store->timeline(*id);
        if (ctx.options.json) {
            auto object = incident_json(incident);
            object["timeline"] = nlohmann::json::array();
            for (const auto& event : events)
                object["timeline"].push_back(event_json(event));
            print_json(object);
            return;
        }
        print_incident(incident, ctx);
        fmt::print("\n");
        print_timeline(events);
    });
}

} // namespace outage::cli
