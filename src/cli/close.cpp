#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/core/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

namespace {
struct CloseOptions {
    IncidentId id = 0;
    CloseRequest request;
    std::optional<std::string> recurrence;
};
} // namespace

void add_close(CLI::App& command, Context& ctx) {
    auto options = std::make_shared<CloseOptions>();
    add_incident_id(command, options->id);
    command.add_option("--resolution", options->request.resolution, "How service was restored")
        ->required();
    command.add_option("--root-cause", options->request.root_cause, "Why it happened");
    command.add_option("--recurrence", options->recurrence, "Can it happen again")
        ->check(CLI::IsMember({"likely", "unlikely", "unknown"}));
    command
        .add_option("--action", options->request.actions,
                    "An action that prevents a recurrence (repeatable)")
        ->type_name("TEXT");
    command.footer("Example:\n  outage close 12 --resolution \"Disk replaced, array rebuilt\" "
                   "--root-cause \"Disk wear-out\" --recurrence likely --action \"Alert on SMART "
                   "errors\"");
    command.callback([&ctx, options] {
        CloseRequest request = options->request;
        if (options->recurrence)
            request.recurrence = parse_recurrence(*options->recurrence);
        auto store = open_log(ctx, Access::change_existing);
        Incident incident = close_incident(*store, options->id, request, stamp(ctx));
        print_changed(incident, ctx, fmt::format("Closed incident {}.", incident.id));
    });
}

} // namespace outage::cli
