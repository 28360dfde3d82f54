#pragma once

#include "outage/model/incident.hpp"

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace outage {
class Store;
struct Config;
struct RunbookPath;
struct TemplatePath;
} // namespace outage

namespace outage::cli {

// How a command prints, decided once the options are parsed.
struct Output {
    bool json = false;        // --json
    bool color = false;       // stdout is a terminal and NO_COLOR is unset
    bool interactive = false; // stdin is a terminal and --no-input was not given
};

// What the dispatcher gives one run of a command: the things its row of the command table asks
// for, and nothing else (docs/architecture.md#the-dispatcher-what-a-command-gets). Asking for
// one the row does not name is a mistake in the table, reported as an internal error rather
// than left to crash.
class Given {
  public:
    Given(std::string command, Output out) : m_command(std::move(command)), m_out(out) {}

    const Output& out() const { return m_out; }
    // The log, opened with the row's access.
    Store& log() const;
    // Where the log is: --db, OUTAGE_DB or the default (rows with a log).
    const std::string& log_path() const;
    // The clock, read once for the whole run, at the first call: OUTAGE_NOW or the system
    // clock.
    Timestamp now() const;
    // Who acts (--as, OUTAGE_USER or the login name) at now().
    const Stamp& stamp() const;
    // The config file, loaded when first asked for: the command decides which of its refusals
    // comes before a broken config (`close` refuses a closed incident first).
    const Config& config() const;
    // The file channel's folder: the config's outbox, else $XDG_DATA_HOME/outage/outbox.
    std::filesystem::path outbox() const;
    const RunbookPath& runbooks() const;
    const TemplatePath& templates() const;

    // For the dispatcher, which fills in what the row asks for; a command gets a const Given.
    void set_log(Store& log) { m_log = &log; }
    void set_log_path(std::string path) { m_log_path = std::move(path); }
    // `actor` only for a row that asks for a stamp.
    void set_clock(std::function<Timestamp()> clock, std::optional<std::string> actor) {
        m_clock = std::move(clock);
        m_actor = std::move(actor);
    }
    void set_config(std::function<const Config&()> load) { m_config = std::move(load); }
    void set_runbooks(const RunbookPath& runbooks) { m_runbooks = &runbooks; }
    void set_templates(const TemplatePath& templates) { m_templates = &templates; }

  private:
    std::string m_command;
    Output m_out;
    Store* m_log = nullptr;
    std::optional<std::string> m_log_path;
    std::function<Timestamp()> m_clock;
    std::optional<std::string> m_actor;
    mutable std::optional<Timestamp> m_now; // the clock's one reading
    mutable std::optional<Stamp> m_stamp;
    std::function<const Config&()> m_config;
    const RunbookPath* m_runbooks = nullptr;
    const TemplatePath* m_templates = nullptr;
};

} // namespace outage::cli
