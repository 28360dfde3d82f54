#include "outage/cli/commands.hpp"
#include "outage/cli/output.hpp"
#include "outage/store/store.hpp"

#include <fmt/format.h>

#include <filesystem>

namespace outage::cli {

Command add_init(CLI::App& command) {
    command.footer("Read-only commands (list, due, status-page...) refuse a path with no log, so "
                   "that a typo\nor another HOME is not read as \"no incidents\"; init makes the "
                   "empty log they read.\nExample:\n  outage --db /srv/outage/incidents.db init");
    return {.run = [](const Given& given) {
        // The log as the user will find it again, whatever folder this ran in.
        std::string path = std::filesystem::absolute(given.log_path()).lexically_normal().string();
        LogInit result = init_log(given.log_path());
        if (given.out().json) {
            print_json(
                {{"path", path}, {"created", result.created}, {"up_to_date", result.up_to_date}});
            return Exit::ok;
        }
        if (result.created) {
            fmt::print("Created an empty incident log at {}.\n", path);
            fmt::print("Next: open an incident with `outage open --scenario ID --title TEXT` "
                       "(`outage runbook list` shows the scenarios).\n");
        } else if (result.up_to_date) {
            fmt::print("An incident log already exists at {}; left as it is.\n", path);
        } else {
            fmt::print("An incident log of an older outage already exists at {}; left as it is "
                       "(the next command that writes brings it up to date).\n",
                       path);
        }
        return Exit::ok;
    }};
}

} // namespace outage::cli
