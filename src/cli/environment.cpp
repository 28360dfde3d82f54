#include "outage/cli/context.hpp"

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

void settle(Context& ctx) {
    ctx.color = isatty(STDOUT_FILENO) && env("NO_COLOR").empty() && !ctx.options.json;
    ctx.interactive = isatty(STDIN_FILENO) && !ctx.options.no_input;
}

std::string db_path(const Context& ctx) {
    if (!ctx.options.db.empty())
        return ctx.options.db;
    fs::path data = xdg_home("XDG_DATA_HOME", ".local/share");
    if (data.empty())
        throw Error(Exit::usage, "no incident log given: pass --db PATH or set OUTAGE_DB "
                                 "(neither XDG_DATA_HOME nor HOME is set)");
    return (data / "outage" / "incidents.db").string();
}

RunbookPath runbooks(const Context& ctx) {
    RunbookPath path = runbook_path(ctx.options.runbooks.empty() ? user_config_dir("runbooks")
                                                                 : fs::path(ctx.options.runbooks));
    // Parsed runbooks, by the SHA-256 of their bytes (runbook/cache.hpp).
    if (fs::path cache = xdg_home("XDG_CACHE_HOME", ".cache"); !cache.empty())
        path.cache = cache / "outage" / "runbooks";
    return path;
}

TemplatePath templates(const Context& ctx) {
    if (!ctx.options.templates.empty())
        return template_path(ctx.options.templates);
    return template_path(user_config_dir("templates"));
}

Config config(const Context& ctx) {
    if (!ctx.options.config.empty()) {
        std::error_code ec;
        if (!fs::exists(ctx.options.config, ec))
            throw Error(Exit::usage, fmt::format("--config {}: no such file", ctx.options.config));
        return load_config(ctx.options.config);
    }
    return load_config(user_config_dir("config.yaml"));
}

fs::path outbox(const Config& config) {
    if (config.outbox)
        return *config.outbox;
    fs::path data = xdg_home("XDG_DATA_HOME", ".local/share");
    if (data.empty())
        throw Error(Exit::usage, "no outbox folder: set outbox in the config file");
    return data / "outage" / "outbox";
}

Timestamp now() {
    return clock_now(std::getenv("OUTAGE_NOW"));
}

Stamp stamp(const Context& ctx) {
    std::string actor = ctx.options.actor.empty() ? login_name() : ctx.options.actor;
    check_line("--as", actor);
    return Stamp{actor, now()};
}

std::unique_ptr<Store> open_log(const Context& ctx, Access access) {
    return open_store(db_path(ctx), access);
}

} // namespace outage::cli
