#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

namespace {
struct UpdateOptions {
    IncidentId id = 0;
    std::optional<std::string> status;
    std::optional<std::string> note;
    std::optional<std::string> eta;
    std::optional<std::int64_t> affected;
    std::optional<When> eta_taken;
    UpdateRequest request;
};

// Every phase but resolved: closing records the resolution, and is its own command.
std::vector<std::string> open_phases() {
    auto phases = phase_names.names();
    std::erase(phases, std::string(to_string(Phase::resolved)));
    return phases;
}
} // namespace

Command add_update(CLI::App& command) {
    auto options = std::make_shared<UpdateOptions>();
    add_incident_id(command, options->id);
    command.add_option("--status", options->status, "Where the response stands")
        ->check(CLI::IsMember(open_phases()));
    command.add_option("--note", options->note, "What changed, for the timeline");
    command
        .add_option("--eta", options->eta,
                    "Estimated restore time: ISO 8601, HH:MM today, or from now: 90m, 2h, 1d")
        ->type_name("WHEN");
    command.add_option("--affected", options->affected, "How many people are affected now")
        ->check(whole_number);
    command.footer("Example:\n  outage update 12 --status identified --eta 2h --note \"Failed "
                   "disk found; replacement on its way\"");
    return {.check =
                [options](const Given& given) {
                    UpdateRequest& request = options->request;
                    if (options->status)
                        request.phase = parse_phase(*options->status);
                    request.note = options->note;
                    options->eta_taken = parse_eta_option(options->eta, given);
                    if (options->eta_taken)
                        request.eta = options->eta_taken->at;
                    request.affected = options->affected;
                },
            .run =
                [options](const Given& given) {
                    Incident incident =
                        update_incident(given.log(), options->id, options->request, given.stamp());
                    print_changed(incident, given.out(),
                                  fmt::format("Updated incident {}.", incident.id));
                    print_eta_day(options->eta, options->eta_taken);
                    return Exit::ok;
                }};
}

} // namespace outage::cli
