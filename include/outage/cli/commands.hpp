#pragma once

#include "outage/cli/context.hpp"
#include "outage/model/error.hpp"

#include <functional>

namespace CLI {
class App;
}

namespace outage::cli {

// How a command uses the log. The dispatcher opens it once, with this access, after the
// command's check (Access in store/store.hpp says what each allows). Each allows more than
// the one before it: a row and what its options add combine to the larger. `init` is
// `outage init`'s alone: the dispatcher opens nothing and gives the command the log's path.
enum class Log { none, read_only, change_existing, create, init };

// What a command reads of the clock: nothing, the time, or the time and who acts (--as). As
// with Log, each gives more than the one before it.
enum class Clock { none, now, stamp };

// What the dispatcher prepares for a command before it runs; the rest it never touches.
struct Needs {
    Log log = Log::none;
    Clock clock = Clock::none;
    bool config = false;    // loaded when the command first asks for it
    bool runbooks = false;  // the runbook folders
    bool templates = false; // the template folders
};

// More that a command needs when one of its options is given: `outbox --flush` writes.
struct WhenGiven {
    const char* option = nullptr;
    Needs needs;
};

// What a command file hands back once it has registered its options.
struct Command {
    // Turns the parsed options into a request and refuses bad ones. It runs with the clock
    // and the folders but before the log is opened, so a bad call leaves no file behind and
    // the log as it was. May be empty.
    std::function<void(const Given& given)> check;
    // Does the work, prints the result and says how it went.
    std::function<Exit(const Given& given)> run;
};

// Each command file registers its subcommand's options and help example and returns what
// runs it. The row of the table below says what that run is given.
using AddCommand = Command (*)(CLI::App& command);

struct CommandEntry {
    const char* name; // "runbook lint": the action lint of the command runbook
    const char* summary;
    Needs needs;
    AddCommand add;
    WhenGiven when[2] = {};
};

Command add_init(CLI::App& command);
Command add_open(CLI::App& command);
Command add_update(CLI::App& command);
Command add_handoff(CLI::App& command);
Command add_ack(CLI::App& command);
Command add_brief(CLI::App& command);
Command add_close(CLI::App& command);
Command add_reopen(CLI::App& command);
Command add_list(CLI::App& command);
Command add_show(CLI::App& command);
Command add_verify(CLI::App& command);
Command add_assess(CLI::App& command);
Command add_steps(CLI::App& command);
Command add_step(CLI::App& command);
Command add_deadline(CLI::App& command);
Command add_due(CLI::App& command);
Command add_runbook(CLI::App& command);
Command add_runbook_list(CLI::App& command);
Command add_runbook_show(CLI::App& command);
Command add_runbook_lint(CLI::App& command);
Command add_notify(CLI::App& command);
Command add_outbox(CLI::App& command);
Command add_template(CLI::App& command);
Command add_template_list(CLI::App& command);
Command add_template_show(CLI::App& command);
Command add_template_lint(CLI::App& command);
Command add_template_render(CLI::App& command);
Command add_report(CLI::App& command);
Command add_stats(CLI::App& command);
Command add_export(CLI::App& command);
Command add_status_page(CLI::App& command);

// The one list of commands, in the order `outage --help` shows them, with what each needs
// (docs/architecture.md#the-dispatcher-what-a-command-gets). An action follows its command.
inline constexpr CommandEntry commands[] = {
    {"init",
     "Create an empty incident log (the first run; leaves an existing one as it is)",
     {.log = Log::init},
     add_init},
    {"open",
     "Open an incident for a scenario (idempotent with --dedup-key)",
     {.log = Log::create, .clock = Clock::stamp, .runbooks = true},
     add_open},
    {"assess",
     "Answer the runbook's questions; get severity, audiences and steps",
     {.log = Log::change_existing, .clock = Clock::stamp, .runbooks = true},
     add_assess},
    {"update",
     "Record progress: status, note, ETA, number affected",
     {.log = Log::change_existing, .clock = Clock::stamp},
     add_update},
    {"handoff",
     "Hand the incident to a new owner with a note",
     {.log = Log::change_existing, .clock = Clock::stamp, .runbooks = true, .templates = true},
     add_handoff},
    {"ack",
     "Take over an incident handed to you (the warm handover)",
     {.log = Log::change_existing, .clock = Clock::stamp},
     add_ack},
    {"brief",
     "The handover summary: severity, owners, done, pending, last messages",
     {.log = Log::read_only, .clock = Clock::now, .runbooks = true, .templates = true},
     add_brief},
    {"notify",
     "Send an audience its message through the plan's channel",
     {.log = Log::change_existing,
      .clock = Clock::stamp,
      .config = true,
      .runbooks = true,
      .templates = true},
     add_notify},
    {"outbox",
     "Deliveries still queued; --flush retries them",
     {.log = Log::read_only},
     add_outbox,
     {{"--flush",
       {.log = Log::change_existing,
        .clock = Clock::stamp,
        .config = true,
        .runbooks = true,
        .templates = true}}}},
    {"steps",
     "The response checklist for the incident's severity",
     {.log = Log::read_only, .runbooks = true},
     add_steps},
    {"step",
     "Mark a step done or skipped",
     {.log = Log::change_existing, .clock = Clock::stamp, .runbooks = true},
     add_step},
    {"deadline",
     "Record a regulatory or contractual deadline as met",
     {.log = Log::change_existing, .clock = Clock::stamp, .runbooks = true},
     add_deadline},
    {"close",
     "Close the incident with its resolution",
     {.log = Log::change_existing, .clock = Clock::stamp, .runbooks = true},
     add_close,
     {{"--notify", {.config = true, .templates = true}}}},
    {"reopen",
     "Reopen a closed incident",
     {.log = Log::change_existing, .clock = Clock::stamp},
     add_reopen},
    {"list",
     "List incidents (open ones unless --status says otherwise)",
     {.log = Log::read_only},
     add_list,
     {{"--since", {.clock = Clock::now}}}},
    {"show", "Show an incident and its timeline", {.log = Log::read_only}, add_show},
    {"report",
     "The post-incident report: Markdown, JSON or HTML",
     {.log = Log::read_only, .clock = Clock::now, .runbooks = true},
     add_report},
    {"stats",
     "Counts and times to assess and resolve, by scenario, severity or month",
     {.log = Log::read_only},
     add_stats,
     {{"--since", {.clock = Clock::now}}, {"--html", {.clock = Clock::now}}}},
    {"export",
     "All incidents (and with --events their timelines) as JSON or CSV",
     {.log = Log::read_only},
     add_export,
     {{"--since", {.clock = Clock::now}}}},
    {"status-page",
     "Write the public status page: HTML and Statuspage-style JSON",
     {.log = Log::read_only, .clock = Clock::now, .config = true},
     add_status_page},
    {"due",
     "Updates overdue and deadlines close, for cron (--fail-if-overdue)",
     {.log = Log::read_only, .clock = Clock::now, .runbooks = true},
     add_due},
    {"runbook", "List, show and lint runbooks", {}, add_runbook},
    {"runbook list", "List the runbooks in effect", {.runbooks = true}, add_runbook_list},
    {"runbook show", "Show a runbook as loaded", {.runbooks = true}, add_runbook_show},
    {"runbook lint",
     "Check runbooks; exit 4 listing every problem",
     {.runbooks = true, .templates = true},
     add_runbook_lint},
    {"template", "List, show, lint and render message templates", {}, add_template},
    {"template list",
     "List the templates and their languages",
     {.templates = true},
     add_template_list},
    {"template show", "Show a template file as it is", {.templates = true}, add_template_show},
    {"template lint",
     "Check templates; exit 4 listing every problem",
     {.templates = true},
     add_template_lint},
    {"template render",
     "Show a template filled in for an incident; sends and records nothing",
     {.log = Log::read_only,
      .clock = Clock::now,
      .config = true,
      .runbooks = true,
      .templates = true},
     add_template_render},
    {"verify",
     "Check the hash chain, and that the stored state is what the events give",
     {.log = Log::read_only},
     add_verify},
};

// Runs outage with these arguments and returns the exit code; prints errors as
// "outage: <message>" on stderr.
int run(int argc, char** argv);

} // namespace outage::cli
