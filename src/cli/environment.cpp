#include "outage/cli/environment.hpp"

#include "outage/model/error.hpp"
#include "outage/model/text.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <pwd.h>
#include <unistd.h>

namespace outage::cli {
namespace {

namespace fs = std::filesystem;

std::string env(const char* name) {
    const char* value = std::getenv(name);
    return value ? value : "";
}

// $XDG_<kind>_HOME, else $HOME/<fallback>, per the XDG base directory specification.
fs::path xdg_home(const char* variable, const char* fallback) {
    std::string xdg = env(variable);
    if (!xdg.empty() && fs::path(xdg).is_absolute())
        return xdg;
    std::string home = env("HOME");
    if (home.empty())
        return {};
    return fs::path(home) / fallback;
}

// $XDG_CONFIG_HOME/outage/<name>: the user's runbooks, templates and config file.
fs::path user_config_dir(const char* name) {
    fs::path config = xdg_home("XDG_CONFIG_HOME", ".config");
    return config.empty() ? fs::path() : config / "outage" / name;
}

std::string login_name() {
    char buffer[256];
    if (getlogin_r(buffer, sizeof buffer) == 0 && buffer[0] != '\0')
        return buffer;
    if (const passwd* entry = getpwuid(geteuid()); entry && entry->pw_name)
        return entry->pw_name;
    return "uid:" + std::to_string(geteuid());
}

} // namespace

Output output_for(const GlobalOptions& options) {
    return {.json = options.json,
            .color = isatty(STDOUT_FILENO) && env("NO_COLOR").empty() && !options.json,
            .interactive = isatty(STDIN_FILENO) && !options.no_input};
}

std::string db_path(const GlobalOptions& options) {
    if (!options.db.empty())
        return options.db;
    fs::path data = xdg_home("XDG_DATA_HOME", ".local/share");
    if (data.empty())
        throw Error(Exit::usage, "no incident log given: pass --db PATH or set OUTAGE_DB "
                                 "(neither XDG_DATA_HOME nor HOME is set)");
    return (data / "outage" / "incidents.db").string();
}

RunbookPath runbook_dirs(const GlobalOptions& options) {
    RunbookPath path = runbook_path(options.runbooks.empty() ? user_config_dir("runbooks")
                                                             : fs::path(options.runbooks));
    // Parsed runbooks, by the SHA-256 of their bytes (runbook/cache.hpp).
    if (fs::path cache = xdg_home("XDG_CACHE_HOME", ".cache"); !cache.empty())
        path.cache = cache / "outage" / "runbooks";
    return path;
}

TemplatePath template_dirs(const GlobalOptions& options) {
    if (!options.templates.empty())
        return template_path(options.templates);
    return template_path(user_config_dir("templates"));
}

Config load_config_file(const GlobalOptions& options) {
    if (!options.config.empty()) {
        std::error_code ec;
        if (!fs::exists(options.config, ec))
            throw Error(Exit::usage, fmt::format("--config {}: no such file", options.config));
        return load_config(options.config);
    }
    return load_config(user_config_dir("config.yaml"));
}

fs::path outbox_dir(const Config& config) {
    if (config.outbox)
        return *config.outbox;
    fs::path data = xdg_home("XDG_DATA_HOME", ".local/share");
    if (data.empty())
        throw Error(Exit::usage, "no outbox folder: set outbox in the config file");
    return data / "outage" / "outbox";
}

std::function<Timestamp()> clock_source() {
    const char* fixed = std::getenv("OUTAGE_NOW");
    if (fixed && *fixed)
        return [at = clock_now(fixed)] { return at; };
    return [] { return clock_now(nullptr); };
}

std::string read_actor(const GlobalOptions& options) {
    std::string actor = options.actor.empty() ? login_name() : options.actor;
    check_line("--as", actor);
    return actor;
}

} // namespace outage::cli
