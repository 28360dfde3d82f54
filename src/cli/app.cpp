#include "outage/cli/commands.hpp"
#include "outage/cli/environment.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/store/store.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

namespace outage::cli {
namespace {

void add_global_options(CLI::App& app, GlobalOptions& options) {
    app.add_option("--db", options.db, "Incident log (SQLite file)")
        ->envname("OUTAGE_DB")
        ->type_name("PATH");
    app.add_option("--runbooks", options.runbooks, "Folder of runbooks overriding the bundled set")
        ->envname("OUTAGE_RUNBOOKS")
        ->type_name("DIR");
    app.add_option("--templates", options.templates,
                   "Folder of message templates overriding the bundled set")
        ->envname("OUTAGE_TEMPLATES")
        ->type_name("DIR");
    app.add_option("--config", options.config, "Config file: channels, SMTP, webhooks")
        ->envname("OUTAGE_CONFIG")
        ->type_name("FILE");
    app.add_option("--as", options.actor, "Who is acting (recorded on the timeline)")
        ->envname("OUTAGE_USER")
        ->type_name("NAME");
    app.add_flag("--json", options.json, "Machine-readable output on stdout");
    app.add_flag("--no-input", options.no_input,
                 "Never prompt; fail naming what is missing (implied without a terminal)");
}

// Every error is one line, whatever the value it quotes holds.
void print_error(const std::string& message) {
    std::fflush(stdout);
    fmt::print(stderr, "outage: {}\n", shown(message));
}

// The first word that is not an option or an option's value: what the user meant as the
// command when CLI11 found none.
std::optional<std::string> first_word(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        if (arg == "--db" || arg == "--runbooks" || arg == "--templates" || arg == "--config" ||
            arg == "--as") {
            ++i;
            continue;
        }
        if (!arg.starts_with("-"))
            return std::string(arg);
    }
    return std::nullopt;
}

// An action's row ("runbook lint") names its command first.
bool is_action(const CommandEntry& entry) {
    return std::string_view(entry.name).find(' ') != std::string_view::npos;
}

std::string unknown_command(const std::string& word) {
    std::string names;
    for (const auto& entry : commands)
        if (!is_action(entry))
            names += names.empty() ? entry.name : std::string(", ") + entry.name;
    return fmt::format("unknown command '{}' (commands: {})", word, names);
}

// A row of the table with its subcommand, as CLI11 parsed it.
struct Registered {
    const CommandEntry* entry;
    CLI::App* app;
    Command command;
};

std::vector<Registered> add_commands(CLI::App& app) {
    std::vector<Registered> registered;
    for (const auto& entry : commands) {
        std::string_view name = entry.name;
        CLI::App* parent = &app;
        if (auto space = name.find(' '); space != std::string_view::npos) {
            parent = app.get_subcommand(std::string(name.substr(0, space)));
            name.remove_prefix(space + 1);
        }
        CLI::App* command = parent->add_subcommand(std::string(name), entry.summary);
        registered.push_back({&entry, command, entry.add(*command)});
        // A misspelt option in the table would otherwise go unnoticed until it is given.
        for (const auto& when : entry.when)
            if (when.option && !command->get_option_no_throw(when.option))
                throw std::logic_error(fmt::format(
                    "internal error: the command table names {} of '{}', which has no such option",
                    when.option, entry.name));
    }
    return registered;
}

// The command CLI11 chose: parsed, with no action of its own chosen below it.
const Registered& chosen(const std::vector<Registered>& registered) {
    auto it = std::find_if(registered.begin(), registered.end(), [](const Registered& r) {
        return r.app->parsed() && r.app->get_subcommands().empty();
    });
    if (it == registered.end())
        throw std::logic_error("internal error: no command was chosen");
    return *it;
}

Needs add_needs(Needs a, const Needs& b) {
    a.log = std::max(a.log, b.log);
    a.clock = std::max(a.clock, b.clock);
    a.config = a.config || b.config;
    a.runbooks = a.runbooks || b.runbooks;
    a.templates = a.templates || b.templates;
    return a;
}

// The row's needs with those of the options given.
Needs needs_of(const Registered& chosen) {
    Needs needs = chosen.entry->needs;
    for (const auto& when : chosen.entry->when)
        if (when.option && chosen.app->count(when.option) > 0)
            needs = add_needs(needs, when.needs);
    return needs;
}

Access access_of(Log log) {
    switch (log) {
    case Log::read_only:
        return Access::read_only;
    case Log::change_existing:
        return Access::change_existing;
    case Log::create:
        return Access::create;
    case Log::none:
    case Log::init:
        break;
    }
    throw std::logic_error("internal error: a command that needs no log has no log access");
}

// Prepares what the command's row asks for, in the order that keeps a bad call from leaving a
// trace: the clock and the folders, the command's own check, and only then the log. The config
// is loaded when the command first asks for it, in its check or its run.
Exit dispatch(const Registered& chosen, const GlobalOptions& options) {
    const Needs needs = needs_of(chosen);
    const Command& command = chosen.command;
    if (!command.run)
        throw std::logic_error(
            fmt::format("internal error: '{}' has nothing to run", chosen.entry->name));
    Given given(chosen.entry->name, output_for(options));
    // A bad OUTAGE_NOW or --as is refused here, before anything else; the system clock itself
    // is read when the command first asks, so `close` on a terminal is stamped when the
    // answers are recorded, not when the questions began.
    if (needs.clock != Clock::none)
        given.set_clock(clock_source(), needs.clock == Clock::stamp
                                            ? std::optional<std::string>(read_actor(options))
                                            : std::nullopt);
    std::optional<RunbookPath> runbooks;
    if (needs.runbooks)
        given.set_runbooks(runbooks.emplace(runbook_dirs(options)));
    std::optional<TemplatePath> templates;
    if (needs.templates)
        given.set_templates(templates.emplace(template_dirs(options)));
    std::optional<Config> config;
    if (needs.config)
        given.set_config([&config, &options]() -> const Config& {
            if (!config)
                config.emplace(load_config_file(options));
            return *config;
        });

    if (command.check)
        command.check(given);
    std::unique_ptr<Store> log;
    if (needs.log != Log::none)
        given.set_log_path(db_path(options));
    if (needs.log != Log::none && needs.log != Log::init) {
        log = open_store(given.log_path(), access_of(needs.log));
        given.set_log(*log);
    }
    return command.run(given);
}

} // namespace

int run(int argc, char** argv) {
    // Outside the try: --help and --version print from it.
    std::optional<CLI::App> app;
    try {
        GlobalOptions options;
        app.emplace("outage: incident runbooks, severity, notices and a tamper-evident log");
        app->name("outage");
        app->set_version_flag("--version", "outage " OUTAGE_VERSION);
        app->require_subcommand(1);
        // Global options may come after the command: `outage show 3 --json`.
        app->fallthrough();
        app->footer("Environment: OUTAGE_DB, OUTAGE_RUNBOOKS, OUTAGE_TEMPLATES, OUTAGE_CONFIG, "
                    "OUTAGE_USER, OUTAGE_NOW (the clock, ISO "
                    "8601 UTC), NO_COLOR.\nExit codes: 0 ok, 1 runtime failure, 2 usage, 3 not "
                    "found, 4 invalid runbook or template, 5 state conflict, 6 deliveries "
                    "failed, 7 overdue.");
        add_global_options(*app, options);
        auto registered = add_commands(*app);
        app->parse(argc, argv);
        return static_cast<int>(dispatch(chosen(registered), options));
    } catch (const CLI::Success& e) {
        return app->exit(e); // --help, --version
    } catch (const CLI::ParseError& e) {
        auto word = first_word(argc, argv);
        if (app->get_subcommands().empty() && word)
            print_error(unknown_command(*word));
        else
            print_error(e.what());
        return static_cast<int>(Exit::usage);
    } catch (const Error& e) {
        print_error(e.what());
        return static_cast<int>(e.code());
    } catch (const std::exception& e) {
        print_error(e.what());
        return static_cast<int>(Exit::runtime);
    }
}

} // namespace outage::cli
