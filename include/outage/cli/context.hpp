#pragma once

#include "outage/config/config.hpp"
#include "outage/model/incident.hpp"
#include "outage/render/template.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/store/store.hpp"

#include <memory>
#include <string>

namespace outage::cli {

// The global options of DESIGN §3, as given on the command line or by environment variables.
struct GlobalOptions {
    std::string db;        // --db / OUTAGE_DB
    std::string runbooks;  // --runbooks / OUTAGE_RUNBOOKS
    std::string templates; // --templates / OUTAGE_TEMPLATES
    std::string config;    // --config / OUTAGE_CONFIG
    std::string actor;     // --as / OUTAGE_USER
    bool json = false;
    bool no_input = false;
};

// What every command needs besides its own options; built once per run.
struct Context {
    GlobalOptions options;
    bool color = false;       // stdout is a terminal and NO_COLOR is unset
    bool interactive = false; // stdin is a terminal and --no-input was not given
    int exit_code = 0;        // a command that succeeds with a signal for scripts sets it
};

// Fills in what the environment decides (colour, interactivity) once options are parsed.
void settle(Context& ctx);

// The log path: --db, OUTAGE_DB, else $XDG_DATA_HOME/outage/incidents.db.
std::string db_path(const Context& ctx);

// The runbook folders: --runbooks / OUTAGE_RUNBOOKS or $XDG_CONFIG_HOME/outage/runbooks,
// then the bundled set.
RunbookPath runbooks(const Context& ctx);

// The template folders: --templates / OUTAGE_TEMPLATES or $XDG_CONFIG_HOME/outage/templates,
// then the bundled set.
TemplatePath templates(const Context& ctx);

// The config file (--config / OUTAGE_CONFIG, else $XDG_CONFIG_HOME/outage/config.yaml),
// loaded; defaults when there is none.
Config config(const Context& ctx);

// The file channel's folder: the config's outbox, else $XDG_DATA_HOME/outage/outbox.
std::filesystem::path outbox(const Config& config);

// Who acts and when: --as / OUTAGE_USER / the login name, at OUTAGE_NOW or the system clock.
Stamp stamp(const Context& ctx);

// The clock alone, for commands that only read.
Timestamp now();

std::unique_ptr<Store> open_log(const Context& ctx, Access access);

} // namespace outage::cli
