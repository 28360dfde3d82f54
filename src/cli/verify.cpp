#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>

namespace outage::cli {

void add_verify(CLI::App& command, Context& ctx) {
    command.footer("Exits 1 naming the first event that does not match. The last hash it prints\n"
                   "can be kept elsewhere (a ticket, a chat message) to catch a truncated log.\n"
                   "Example:\n  outage verify");
    command.callback([&ctx] {
        auto store = open_log(ctx, Access::read_only);
        ChainCheck check = store->verify_chain();
        if (check.first_mismatch) {
            const Event& bad = *check.first_mismatch;
            if (ctx.options.json)
                print_json({{"ok", false},
                            {"events_checked", check.events_checked},
                            {"first_mismatch",
                             {{"id", bad.id}, {"incident", bad.incident_id}, {"kind", bad.kind}}}});
            throw Error(Exit::runtime,
                        fmt::format("event {} (incident {}, {} by {}) does not match its hash: "
                                    "the log was changed outside outage at or after this event",
                                    bad.id, bad.incident_id, bad.kind, bad.actor));
        }
        if (ctx.options.json) {
            print_json(
                {{"ok", true}, {"events_checked", check.events_checked}, {"head", check.head}});
            return;
        }
        fmt::print("Timeline intact: {} events, last hash {}\n", check.events_checked, check.head);
    });
}

} // namespace outage::cli
