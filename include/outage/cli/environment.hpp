#pragma once

#include "outage/cli/context.hpp"
#include "outage/config/config.hpp"
#include "outage/model/incident.hpp"
#include "outage/render/template.hpp"
#include "outage/runbook/catalog.hpp"

#include <filesystem>
#include <functional>
#include <string>

namespace outage::cli {

// What the dispatcher reads from the environment and the global options to prepare a
// command's run (docs/architecture.md#the-dispatcher-what-a-command-gets); commands never
// see these, only what the dispatcher hands them.

// The global options of docs/cli.md, as given on the command line or by environment variables.
struct GlobalOptions {
    std::string db;        // --db / OUTAGE_DB
    std::string runbooks;  // --runbooks / OUTAGE_RUNBOOKS
    std::string templates; // --templates / OUTAGE_TEMPLATES
    std::string config;    // --config / OUTAGE_CONFIG
    std::string actor;     // --as / OUTAGE_USER
    bool json = false;
    bool no_input = false;
};

// How to print: --json, and what the terminal and NO_COLOR decide.
Output output_for(const GlobalOptions& options);

// The log path: --db, OUTAGE_DB, else $XDG_DATA_HOME/outage/incidents.db.
std::string db_path(const GlobalOptions& options);

// The runbook folders: --runbooks / OUTAGE_RUNBOOKS or $XDG_CONFIG_HOME/outage/runbooks,
// then the bundled set.
RunbookPath runbook_dirs(const GlobalOptions& options);

// The template folders: --templates / OUTAGE_TEMPLATES or $XDG_CONFIG_HOME/outage/templates,
// then the bundled set.
TemplatePath template_dirs(const GlobalOptions& options);

// The config file (--config / OUTAGE_CONFIG, else $XDG_CONFIG_HOME/outage/config.yaml),
// loaded; defaults when there is none.
Config load_config_file(const GlobalOptions& options);

// The file channel's folder: the config's outbox, else $XDG_DATA_HOME/outage/outbox.
std::filesystem::path outbox_dir(const Config& config);

// The clock: OUTAGE_NOW, checked now (Error(usage) when it is not a time), else the system
// clock, read when it is called.
std::function<Timestamp()> clock_source();

// Who acts: --as / OUTAGE_USER / the login name, checked.
std::string read_actor(const GlobalOptions& options);

} // namespace outage::cli
