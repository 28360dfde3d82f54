#include "outage/cli/commands.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/services/queries.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace outage::cli {

Command add_verify(CLI::App& command) {
    command.footer("Exits 1 naming the first event that does not match. The last hash it prints\n"
                   "can be kept elsewhere (a ticket, a chat message) to catch a truncated log.\n"
                   "Example:\n  outage verify");
    return {.run = [](const Given& given) {
        ChainCheck check = verify_timeline(given.log());
        if (check.first_mismatch) {
            const Event& bad = *check.first_mismatch;
            if (given.out().json)
                print_json({{"ok", false},
                            {"events_checked", check.events_checked},
                            {"first_mismatch",
                             {{"id", bad.id}, {"incident", bad.incident_id}, {"kind", bad.kind}}}});
            throw Error(Exit::runtime,
                        fmt::format("event {} (incident {}, {} by {}) does not match its hash: "
                                    "the log was changed outside outage at or after this event",
                                    bad.id, bad.incident_id, bad.kind, bad.actor));
        }
        if (given.out().json) {
            print_json(
                {{"ok", true}, {"events_checked", check.events_checked}, {"head", check.head}});
            return Exit::ok;
        }
        fmt::print("Timeline intact: {} events, last hash {}\n", check.events_checked, check.head);
        return Exit::ok;
    }};
}

} // namespace outage::cli
