#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/services/notify.hpp"

#include <fmt/format.h>

#include <iostream>

namespace outage::cli {

void add_outbox(CLI::App& command, Context& ctx) {
    auto flush = std::make_shared<bool>(false);
    command.add_flag("--flush", *flush, "Retry every queued delivery now");
    command.footer("Deliveries that could not be made (mail server or network down) stay "
                   "queued.\nExample (cron, every 5 minutes):\n  outage outbox --flush");
    command.callback([&ctx, flush] {
        if (!*flush) {
            auto store = open_log(ctx, Access::read_only);
            auto notices = store->notices_with_unsent();
            nlohmann::json array = nlohmann::json::array();
            for (const auto& notice : notices) {
                DeliveryCounts counts = store->delivery_counts(notice.id);
                auto unsent = store->unsent_deliveries(notice.id, 0, 1);
                array.push_back({{"notice", notice.id},
                                 {"incident", notice.incident_id},
                                 {"audience", notice.audience},
                                 {"template", notice.template_name},
                                 {"channel", notice.channel},
                                 {"created_at", format_iso_utc(notice.created_at)},
                                 {"pending", counts.pending},
                                 {"failed", counts.failed},
                                 {"sent", counts.sent},
                                 {"last_error", unsent.empty() || !unsent[0].last_error
                                                    ? nlohmann::json()
                                                    : nlohmann::json(*unsent[0].last_error)}});
            }
            if (ctx.options.json) {
                print_json(array);
                return;
            }
            if (array.empty()) {
                fmt::print("The outbox is empty: every delivery has been made.\n");
                return;
            }
            for (const auto& row : array)
                fmt::print("notice {:>4}  incident {:>4}  {:<12} {:<8} {} pending, {} failed{}\n",
                           row["notice"].get<std::int64_t>(), row["incident"].get<std::int64_t>(),
                           row["audience"].get<std::string>(), row["channel"].get<std::string>(),
                           row["pending"].get<std::int64_t>(), row["failed"].get<std::int64_t>(),
                           row["last_error"].is_null()
                               ? ""
                               : "; last error: " + row["last_error"].get<std::string>());
            return;
        }
        auto store = open_log(ctx, Access::change_existing);
        Config cfg = config(ctx);
        NotifyEnvironment env{runbooks(ctx), templates(ctx), cfg, outbox(cfg), std::cout};
        auto notices = store->notices_with_unsent();
        if (notices.empty() && !ctx.options.json)
            fmt::print("The outbox is empty.\n");
        nlohmann::json results = nlohmann::json::array();
        for (const auto& notice : notices) {
            NotifyResult result = resume_notice(*store, env, notice.id, stamp(ctx), {});
            if (ctx.options.json)
                results.push_back(notice_result_json(result, notice.audience));
            else
                print_notice_result(result, notice.audience);
            if (result.counts.failed > 0)
                ctx.exit_code = static_cast<int>(Exit::deliveries_failed);
        }
        if (ctx.options.json)
            print_json(results);
    });
}

} // namespace outage::cli
