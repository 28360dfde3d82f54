#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/core/error.hpp"
#include "outage/core/progress.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace outage::cli {

namespace {
struct DueOptions {
    bool fail_if_overdue = false;
    std::string within = "4h";
};
} // namespace

void add_due(CLI::App& command, Context& ctx) {
    auto options = std::make_shared<DueOptions>();
    command.add_flag("--fail-if-overdue", options->fail_if_overdue,
                     "Exit 7 when an update or a deadline is overdue (for cron and CI)");
    command
        .add_option("--within", options->within, "Also list deadlines falling due within this time")
        ->capture_default_str()
        ->type_name("DURATION");
    command.footer("Example (cron, every 5 minutes):\n  outage due --fail-if-overdue || "
                   "notify-oncall \"incident updates overdue\"");
    command.callback([&ctx, options] {
        auto horizon = parse_duration(options->within);
        if (!horizon)
            throw Error(Exit::usage, fmt::format("--within: invalid duration '{}': expected "
                                                 "such as 90m, 4h, 1d",
                                                 options->within));
        Timestamp now = cli::now();
        auto store = open_log(ctx, Access::read_only);
        DueReport report = due_report(*store, now, *horizon);
        bool overdue = !report.overdue.empty() ||
                       std::any_of(report.deadlines.begin(), report.deadlines.end(),
                                   [&](const Deadline& d) { return d.due_at < now; });
        if (options->fail_if_overdue && overdue)
            ctx.exit_code = static_cast<int>(Exit::overdue);

        if (ctx.options.json) {
            nlohmann::json array = nlohmann::json::array();
            for (const auto& incident : report.overdue)
                array.push_back(
                    {{"kind", "update"},
                     {"incident", incident.id},
                     {"title", incident.title},
                     {"severity",
                      incident.severity ? nlohmann::json(*incident.severity) : nlohmann::json()},
                     {"owner", incident.owner ? nlohmann::json(*incident.owner) : nlohmann::json()},
                     {"due_at", format_iso_utc(*incident.next_update_due)},
                     {"overdue_minutes", (now - *incident.next_update_due).count() / 60}});
            for (const auto& deadline : report.deadlines) {
                auto object = deadline_json(deadline, now);
                object["kind"] = "deadline";
                array.push_back(object);
            }
            print_json(array);
            return;
        }
        if (report.overdue.empty() && report.deadlines.empty()) {
            fmt::print("Nothing overdue; no deadline within {}.\n", format_span(*horizon));
            return;
        }
        if (!report.overdue.empty()) {
            fmt::print("Updates overdue:\n");
            fmt::print("  {:>5}  {:<10}  {:<10}  {:<12}  {}\n", "ID", "SEVERITY", "OVERDUE",
                       "OWNER", "TITLE");
            for (const auto& incident : report.overdue)
                fmt::print("  {:>5}  {:<10}  {:<10}  {:<12}  {}\n", incident.id,
                           incident.severity.value_or("-"),
                           format_span(now - *incident.next_update_due),
                           incident.owner.value_or("-"), incident.title);
        }
        if (!report.deadlines.empty()) {
            fmt::print("{}Deadlines missed or due within {}:\n", report.overdue.empty() ? "" : "\n",
                       format_span(*horizon));
            fmt::print("  {:>5}  {:<22} {:<36} {}\n", "ID", "DEADLINE", "STATE", "TITLE");
            for (const auto& deadline : report.deadlines)
                fmt::print("  {:>5}  {:<22} {:<36} {}\n", deadline.incident_id, deadline.name,
                           deadline_state(deadline, now), deadline.title);
        }
    });
}

} // namespace outage::cli
