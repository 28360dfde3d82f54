#include "outage/services/outbox.hpp"
#include "outage/cli/commands.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/services/notify.hpp"
#include "outage/services/queued.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <iostream>

namespace outage::cli {

namespace {

// The queued notices: what is pending or failed of each and the last error.
Exit outbox_list(const Given& given) {
    auto queued = queued_notices(given.log());
    if (given.out().json) {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& [notice, counts, last_error] : queued)
            array.push_back(
                {{"notice", notice.id},
                 {"incident", notice.incident_id},
                 {"audience", notice.audience},
                 {"template", notice.template_name},
                 {"channel", notice.channel},
                 {"created_at", format_iso_utc(notice.created_at)},
                 {"pending", counts.pending},
                 {"failed", counts.failed},
                 {"sent", counts.sent},
                 {"last_error", last_error ? nlohmann::json(*last_error) : nlohmann::json()}});
        print_json(array);
        return Exit::ok;
    }
    if (queued.empty()) {
        fmt::print("The outbox is empty: every delivery has been made.\n");
        return Exit::ok;
    }
    for (const auto& [notice, counts, last_error] : queued)
        fmt::print("notice {:>4}  incident {:>4}  {:<12} {:<8} {} pending, {} failed{}\n",
                   notice.id, notice.incident_id, shown(notice.audience), shown(notice.channel),
                   counts.pending, counts.failed,
                   last_error ? "; last error: " + shown(*last_error) : "");
    return Exit::ok;
}

// Retries every queued notice, reporting each as it is done; exit 6 when a delivery failed.
Exit outbox_flush(const Given& given) {
    const Output& out = given.out();
    // The stdout channel's messages, escaped line by line (cli::shown).
    ShownStdout messages;
    NotifyEnvironment env{given.runbooks(), given.templates(), given.config(), given.outbox(),
                          messages};
    Exit code = Exit::ok;
    bool any = false;
    nlohmann::json results = nlohmann::json::array();
    flush_outbox(given.log(), env, given.stamp(),
                 [&](const NoticeRecord& notice, const NotifyResult& result) {
                     any = true;
                     if (out.json)
                         results.push_back(notice_result_json(result, notice.audience));
                     else
                         print_notice_result(result, notice.audience);
                     if (result.counts.failed > 0)
                         code = Exit::deliveries_failed;
                 });
    if (out.json)
        print_json(results);
    else if (!any)
        fmt::print("The outbox is empty.\n");
    return code;
}

} // namespace

Command add_outbox(CLI::App& command) {
    auto flush = std::make_shared<bool>(false);
    command.add_flag("--flush", *flush, "Retry every queued delivery now");
    command.footer("Deliveries that could not be made (mail server or network down) stay "
                   "queued.\nExample (cron, every 5 minutes):\n  outage outbox --flush");
    return {.run = [flush](const Given& given) {
        return *flush ? outbox_flush(given) : outbox_list(given);
    }};
}

} // namespace outage::cli
