#include "outage/report/status_page.hpp"
#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/config/config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace outage::cli {

namespace {

struct StatusPageOptions {
    std::string out;
    int days = 7;
    StatusPageSettings settings;
};

StatusPageSettings status_page_settings(const Config& config, int days) {
    StatusPageSettings settings;
    settings.name = config.status_page.name;
    if (settings.name.empty())
        settings.name = config.organisation.empty() ? std::string("Service status")
                                                    : config.organisation + " status";
    settings.url = config.status_page.url;
    settings.contact = config.contact;
    settings.recent_days = days;
    return settings;
}

Exit status_page_run(const StatusPageOptions& options, const Given& given) {
    StatusPage page = build_status_page(given.log(), options.settings, given.now());
    auto files = write_status_page(page, options.out);
    nlohmann::json status = statuspage_status(page)["status"];
    if (given.out().json) {
        nlohmann::json open = nlohmann::json::array(), resolved = nlohmann::json::array();
        for (const auto& incident : page.open)
            open.push_back(incident.id);
        for (const auto& incident : page.resolved)
            resolved.push_back(incident.id);
        std::vector<std::string> paths;
        for (const auto& file : files)
            paths.push_back(file.string());
        print_json({{"out", options.out},
                    {"files", paths},
                    {"indicator", status["indicator"]},
                    {"description", status["description"]},
                    {"open", open},
                    {"resolved", resolved},
                    {"unpublished", page.unpublished}});
        return Exit::ok;
    }
    fmt::print("Status page written to {}: {}; {} open incident{}, {} resolved in the last {} "
               "day{}.\n",
               options.out, status["description"].get<std::string>(), page.open.size(),
               page.open.size() == 1 ? "" : "s", page.resolved.size(), options.days,
               options.days == 1 ? "" : "s");
    if (!page.unpublished.empty())
        fmt::print("Not on the page, no status-page notice yet: incident{} {}. Publish with "
                   "`outage notify ID --audience status-page`.\n",
                   page.unpublished.size() == 1 ? "" : "s", fmt::join(page.unpublished, ", "));
    return Exit::ok;
}

} // namespace

Command add_status_page(CLI::App& command) {
    auto options = std::make_shared<StatusPageOptions>();
    command.add_option("--out", options->out, "Folder for index.html and api/v2/*.json")
        ->required()
        ->type_name("DIR");
    command.add_option("--days", options->days, "How many days a resolved incident stays listed")
        ->capture_default_str()
        ->check(CLI::Range(0, 3650));
    command.footer("Only incidents sent to the status-page audience (outage notify ID "
                   "--audience status-page) appear.\nExample:\n  outage status-page --out "
                   "/var/www/status\n  * * * * *  outage status-page --out /var/www/status "
                   "--no-input >/dev/null   (cron)");
    return {// The page's settings come from the config, read before the log is opened.
            .check =
                [options](const Given& given) {
                    options->settings = status_page_settings(given.config(), options->days);
                },
            .run = [options](const Given& given) { return status_page_run(*options, given); }};
}

} // namespace outage::cli
