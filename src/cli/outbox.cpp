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

// " at 10:05" for the next retry of a queued notice, or nothing.
std::string retry_time(const QueuedNotice& queued) {
    return queued.next_retry ? " at " + format_local(*queued.next_retry) : "";
}

// The queued notices: what is pending, being sent, failed or refused of each, and why.
Exit outbox_list(const Given& given) {
    auto queued = queued_notices(given.log());
    auto text = [](const std::optional<std::string>& value) {
        return value ? nlohmann::json(*value) : nlohmann::json();
    };
    if (given.out().json) {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& item : queued)
            array.push_back(
                {{"notice", item.notice.id},
                 {"incident", item.notice.incident_id},
                 {"audience", item.notice.audience},
                 {"template", item.notice.template_name},
                 {"channel", item.notice.channel},
                 {"created_at", format_iso_utc(item.notice.created_at)},
                 {"pending", item.waiting},
                 {"sending", item.sending},
                 {"failed", item.retrying},
                 {"refused", item.counts.permanent},
                 {"sent", item.counts.sent},
                 {"next_retry", item.next_retry ? nlohmann::json(format_iso_utc(*item.next_retry))
                                                : nlohmann::json()},
                 {"last_error", text(item.last_error)},
                 {"refused_because", text(item.refused)}});
        print_json(array);
        return Exit::ok;
    }
    if (queued.empty()) {
        fmt::print("The outbox is empty: every delivery has been made.\n");
        return Exit::ok;
    }
    for (const auto& item : queued) {
        const DeliveryCounts& counts = item.counts;
        std::string line =
            fmt::format("notice {:>4}  incident {:>4}  {:<12} {:<8} {} pending", item.notice.id,
                        item.notice.incident_id, shown(item.notice.audience),
                        shown(item.notice.channel), item.waiting);
        if (item.sending > 0)
            line += fmt::format(", {} being sent", item.sending);
        line += fmt::format(", {} failed", item.retrying);
        if (item.retrying > 0 && item.next_retry)
            line += fmt::format(" (next try{})", retry_time(item));
        if (counts.permanent > 0)
            line += fmt::format(", {} refused for good", counts.permanent);
        fmt::print("{}\n", line);
        if (item.last_error)
            fmt::print("      last error: {}\n", shown(*item.last_error));
        if (item.refused && item.refused != item.last_error)
            fmt::print("      refused: {}\n", shown(*item.refused));
    }
    return Exit::ok;
}

// Retries every queued notice, reporting each as it is done; exit 6 while anything that may
// be retried is left undelivered (docs/notify.md#failures).
Exit outbox_flush(const Given& given, bool retry_failed) {
    const Output& out = given.out();
    // The stdout channel's messages, escaped line by line (cli::shown).
    ShownStdout messages;
    NotifyEnvironment env{given.runbooks(), given.templates(), given.config(), given.outbox(),
                          messages};
    Exit code = Exit::ok;
    bool any = false;
    nlohmann::json results = nlohmann::json::array();
    SendOptions options{.retry_now = retry_failed, .permanent_too = retry_failed};
    flush_outbox(
        given.log(), env, given.stamp(), options,
        [&](const NoticeRecord& notice, const FlushedOutcome& outcome) {
            const NotifyResult& result = outcome.result;
            // Refused for good, and not asked to retry: `outbox` and `due` list it
            // for a person; cron is not told again and again.
            bool retryable = result.counts.failed > result.counts.permanent;
            // Asked to try the refused ones again, and refused again: the person asking hears.
            retryable |= retry_failed && result.attempted > 0 && result.counts.permanent > 0;
            if (outcome.error || result.stopped || retryable)
                code = Exit::deliveries_failed;
            if (!outcome.error && result.attempted == 0 && !retryable)
                return;
            any = true;
            if (out.json) {
                nlohmann::json item = notice_result_json(result, notice.audience);
                item["error"] = outcome.error ? nlohmann::json(*outcome.error) : nlohmann::json();
                results.push_back(std::move(item));
            } else if (outcome.error) {
                fmt::print("Notice {} to {} was not tried: {}\n", notice.id, shown(notice.audience),
                           shown(*outcome.error));
            } else if (result.attempted == 0) {
                fmt::print("Notice {} to {}: {} failed, waiting to be retried{}.\n", notice.id,
                           shown(notice.audience), result.counts.failed - result.counts.permanent,
                           retry_time(outcome.left));
            } else {
                print_notice_result(result, notice.audience);
            }
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
    auto retry_failed = std::make_shared<bool>(false);
    command.add_flag("--flush", *flush, "Send every queued delivery whose time has come");
    command
        .add_flag("--retry-failed", *retry_failed,
                  "With --flush: also those refused for good and those waiting to be retried")
        ->needs(command.get_option("--flush"));
    command.footer("Deliveries that could not be made (mail server or network down) stay "
                   "queued.\nExample (cron, every 5 minutes):\n  outage outbox --flush");
    return {.run = [flush, retry_failed](const Given& given) {
        return *flush ? outbox_flush(given, *retry_failed) : outbox_list(given);
    }};
}

} // namespace outage::cli
