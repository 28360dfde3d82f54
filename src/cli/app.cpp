#include "outage/cli/commands.hpp"
#include "outage/model/error.hpp"
#include "outage/model/text.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <optional>
#include <string_view>

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
    fmt::print(stderr, "outage: {}\n", escape_controls(message));
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

std::string unknown_command(const std::string& word) {
    std::string names;
    for (const auto& entry : commands)
        names += names.empty() ? entry.name : std::string(", ") + entry.name;
    return fmt::format("unknown command '{}' (commands: {})", word, names);
}

} // namespace

int run(int argc, char** argv) {
    Context ctx;
    CLI::App app{"outage: incident runbooks, severity, notices and a tamper-evident log"};
    app.name("outage");
    app.set_version_flag("--version", "outage " OUTAGE_VERSION);
    app.require_subcommand(1);
    // Global options may come after the command: `outage show 3 --json`.
    app.fallthrough();
    app.footer("Environment: OUTAGE_DB, OUTAGE_RUNBOOKS, OUTAGE_TEMPLATES, OUTAGE_CONFIG, "
               "OUTAGE_USER, OUTAGE_NOW (the clock, ISO "
               "8601 UTC), NO_COLOR.\nExit codes: 0 ok, 1 runtime failure, 2 usage, 3 not found, "
               "4 invalid runbook or template, 5 state conflict, 6 deliveries failed, 7 overdue.");
    add_global_options(app, ctx.options);
    for (const auto& entry : commands) {
        CLI::App* command = app.add_subcommand(entry.name, entry.summary);
        entry.add(*command, ctx);
    }
    app.parse_complete_callback([&ctx] { settle(ctx); });

    try {
        app.parse(argc, argv);
        return ctx.exit_code;
    } catch (const CLI::Success& e) {
        return app.exit(e); // --help, --version
    } catch (const CLI::ParseError& e) {
        auto word = first_word(argc, argv);
        if (app.get_subcommands().empty() && word)
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
