#pragma once

#include "outage/cli/context.hpp"

namespace CLI {
class App;
}

namespace outage::cli {

// Each command file fills in its subcommand: options, help example, and the callback that
// turns the options into one domain call and prints the result.
using AddCommand = void (*)(CLI::App& command, Context& ctx);

struct CommandEntry {
    const char* name;
    const char* summary;
    AddCommand add;
};

void add_open(CLI::App& command, Context& ctx);
void add_update(CLI::App& command, Context& ctx);
void add_handoff(CLI::App& command, Context& ctx);
void add_ack(CLI::App& command, Context& ctx);
void add_brief(CLI::App& command, Context& ctx);
void add_close(CLI::App& command, Context& ctx);
void add_reopen(CLI::App& command, Context& ctx);
void add_list(CLI::App& command, Context& ctx);
void add_show(CLI::App& command, Context& ctx);
void add_verify(CLI::App& command, Context& ctx);
void add_assess(CLI::App& command, Context& ctx);
void add_steps(CLI::App& command, Context& ctx);
void add_step(CLI::App& command, Context& ctx);
void add_deadline(CLI::App& command, Context& ctx);
void add_due(CLI::App& command, Context& ctx);
void add_runbook(CLI::App& command, Context& ctx);
void add_notify(CLI::App& command, Context& ctx);
void add_outbox(CLI::App& command, Context& ctx);
void add_template(CLI::App& command, Context& ctx);
void add_report(CLI::App& command, Context& ctx);
void add_stats(CLI::App& command, Context& ctx);
void add_export(CLI::App& command, Context& ctx);
void add_status_page(CLI::App& command, Context& ctx);

// The one list of commands, in the order `outage --help` shows them.
inline constexpr CommandEntry commands[] = {
    {"open", "Open an incident for a scenario (idempotent with --dedup-key)", add_open},
    {"assess", "Answer the runbook's questions; get severity, audiences and steps", add_assess},
    {"update", "Record progress: status, note, ETA, number affected", add_update},
    {"handoff", "Hand the incident to a new owner with a note", add_handoff},
    {"ack", "Take over an incident handed to you (the warm handover)", add_ack},
    {"brief", "The handover summary: severity, owners, done, pending, last messages", add_brief},
    {"notify", "Send an audience its message through the plan's channel", add_notify},
    {"outbox", "Deliveries still queued; --flush retries them", add_outbox},
    {"steps", "The response checklist for the incident's severity", add_steps},
    {"step", "Mark a step done or skipped", add_step},
    {"deadline", "Record a regulatory or contractual deadline as met", add_deadline},
    {"close", "Close the incident with its resolution", add_close},
    {"reopen", "Reopen a closed incident", add_reopen},
    {"list", "List incidents (open ones unless --status says otherwise)", add_list},
    {"show", "Show an incident and its timeline", add_show},
    {"report", "The post-incident report: Markdown, JSON or HTML", add_report},
    {"stats", "Counts and times to assess and resolve, by scenario, severity or month", add_stats},
    {"export", "All incidents (and with --events their timelines) as JSON or CSV", add_export},
    {"status-page", "Write the public status page: HTML and Statuspage-style JSON",
     add_status_page},
    {"due", "Updates overdue and deadlines close, for cron (--fail-if-overdue)", add_due},
    {"runbook", "List, show and lint runbooks", add_runbook},
    {"template", "List, show, lint and render message templates", add_template},
    {"verify", "Check the timeline's hash chain for edits made behind outage's back", add_verify},
};

// Runs outage with these arguments and returns the exit code; prints errors as
// "outage: <message>" on stderr.
int run(int argc, char** argv);

} // namespace outage::cli
