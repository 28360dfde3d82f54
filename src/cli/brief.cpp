#include "outage/cli/brief.hpp"

#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/report/describe.hpp"
#include "outage/runbook/load.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>

namespace outage::cli {

namespace {

using nlohmann::json;

StepView brief_view(const BriefStep& step) {
    return {&step.step, step.progress};
}

// "in 5m", "5m ago" or "now".
std::string brief_relative(Timestamp t, Timestamp now) {
    if (t == now)
        return "now";
    return t > now ? fmt::format("in {}", format_span(t - now))
                   : fmt::format("{} ago", format_span(now - t));
}

// Text pasted into a note may span lines; one screen keeps it on one, and shows the rest of
// what a terminal would act on as escapes.
std::string brief_one_line(const std::string& text) {
    std::string line;
    for (char c : text)
        line += c == '\n' || c == '\r' || c == '\t' ? ' ' : c;
    return shown(line);
}

void brief_print_header(const Brief& brief, const Output& out, Timestamp now) {
    const Incident& incident = brief.incident;
    auto row = [](std::string_view label, const std::string& value) {
        fmt::print("  {:<12} {}\n", label, value);
    };
    fmt::print("Brief for incident {}: {}\n", incident.id, shown(incident.title));
    row("scenario",
        shown(brief.runbook_title ? fmt::format("{} ({})", *brief.runbook_title, incident.scenario)
                                  : incident.scenario));
    if (incident.status == Status::open)
        row("status",
            fmt::format("open ({}), opened {} ({})", to_string(incident.phase),
                        format_local(incident.opened_at), brief_relative(incident.opened_at, now)));
    else
        row("status", fmt::format("closed {}: {}", format_local(*incident.closed_at),
                                  brief_one_line(incident.resolution.value_or(""))));
    if (brief.assessment)
        row("severity",
            fmt::format("{}, by rule {} (assessed {} by {})",
                        severity_label(incident.severity, out.color), shown(brief.assessment->rule),
                        format_local(brief.assessment->at), shown(brief.assessment->actor)));
    else
        row("severity", "unassessed: run `outage assess " + std::to_string(incident.id) + "`");
    std::string owner = shown(incident.owner.value_or("nobody"));
    if (!brief.owners.empty() && brief.owners.back().owner == owner)
        owner += " since " + format_local(brief.owners.back().since);
    if (incident.handed_off_at) {
        owner += "; handover not acknowledged yet";
        if (now > *incident.handed_off_at)
            owner += fmt::format(" (waiting {})", format_span(now - *incident.handed_off_at));
    }
    row("owner", owner);
}

void brief_print_owners(const Brief& brief) {
    fmt::print("\nOwners\n");
    for (const auto& spell : brief.owners) {
        std::string what;
        if (!spell.handover)
            what = spell.by == spell.owner ? "opened it" : "opened by " + shown(spell.by);
        else {
            what = fmt::format("from {}", shown(spell.from.value_or("nobody")));
            if (spell.by != spell.from.value_or(""))
                what += fmt::format(", handed over by {}", shown(spell.by));
            if (spell.note)
                what += fmt::format(": {}", brief_one_line(*spell.note));
            if (spell.acknowledged_at)
                what += fmt::format(" (acknowledged {})", format_local(*spell.acknowledged_at));
        }
        fmt::print("  {}  {:<12} {}\n", format_local(spell.since), shown(spell.owner), what);
    }
}

void brief_print_pending(const Brief& brief, Timestamp now) {
    const Incident& incident = brief.incident;
    fmt::print("\nPending\n");
    bool any = false;
    for (const auto& step : brief.pending) {
        any = true;
        fmt::print("  [ ] {:<24} {:<15} {}{}\n", shown(step.step.id), shown(step.step.role),
                   shown(step.step.title), step.step.optional ? " (optional)" : "");
    }
    for (const auto& deadline : brief.deadlines) {
        any = true;
        fmt::print("  deadline {:<19} {:<36} {}\n", shown(deadline.name),
                   deadline_state(deadline, now), shown(deadline.title));
    }
    if (incident.next_update_due) {
        any = true;
        const Timestamp due = *incident.next_update_due;
        fmt::print("  next update due {} ({}){}\n", format_local(due), brief_relative(due, now),
                   due < now ? ": OVERDUE" : "");
    }
    for (const auto& queued : brief.queued) {
        any = true;
        fmt::print("  queued: notice {} to {} by {}: {} pending, {} failed{}\n", queued.notice.id,
                   shown(queued.notice.audience), shown(queued.notice.channel),
                   queued.counts.pending, queued.counts.failed,
                   queued.last_error ? "; last error: " + brief_one_line(*queued.last_error)
                                     : std::string());
    }
    if (!any)
        fmt::print("  nothing\n");
}

} // namespace

Brief load_brief(Store& store, const RunbookPath& runbooks, const TemplatePath& templates,
                 IncidentId id) {
    Incident incident = require_incident(store, id);
    std::optional<Runbook> runbook;
    try {
        runbook = load_runbook(runbooks, incident.scenario);
    } catch (const Error& e) {
        fmt::print(stderr, "outage: warning: {}; the brief leaves out the steps still to do\n",
                   shown(e.what()));
    }
    return make_brief(store, runbook ? &*runbook : nullptr, templates, id);
}

void print_brief(const Brief& brief, const Output& out, Timestamp now) {
    brief_print_header(brief, out, now);
    brief_print_owners(brief);
    fmt::print("\nDone\n");
    if (brief.done.empty())
        fmt::print("  no step marked yet\n");
    for (const auto& step : brief.done) {
        const StepProgress& progress = *step.progress;
        fmt::print("  {} {:<24} {:<15} {} ({}, {})\n",
                   progress.state == StepState::done ? "[x]" : "[-]", shown(step.step.id),
                   shown(step.step.role), shown(step.step.title), shown(progress.actor),
                   format_local(progress.at));
    }
    brief_print_pending(brief, now);
    fmt::print("\nLast messages\n");
    if (brief.last_notices.empty())
        fmt::print("  none sent\n");
    for (const auto& last : brief.last_notices)
        fmt::print("  {:<14} {}  {} (notice {}: {} sent, {} failed, {} pending)\n",
                   shown(last.notice.audience), format_local(last.notice.created_at),
                   last.subject ? fmt::format("\"{}\"", shown(*last.subject))
                                : fmt::format("[{}]", shown(last.notice.template_name)),
                   last.notice.id, last.counts.sent, last.counts.failed, last.counts.pending);
}

json brief_json(const Brief& brief, Timestamp now) {
    const Incident& incident = brief.incident;
    json owners = json::array();
    for (const auto& spell : brief.owners)
        owners.push_back({{"owner", spell.owner},
                          {"since", format_iso_utc(spell.since)},
                          {"by", spell.by},
                          {"handover", spell.handover},
                          {"from", optional_text(spell.from)},
                          {"note", optional_text(spell.note)},
                          {"acknowledged_at", optional_time(spell.acknowledged_at)}});
    json done = json::array(), steps = json::array(), deadlines = json::array(),
         queued = json::array(), last_notices = json::array();
    for (const auto& step : brief.done)
        done.push_back(step_json(brief_view(step)));
    for (const auto& step : brief.pending)
        steps.push_back(step_json(brief_view(step)));
    for (const auto& deadline : brief.deadlines)
        deadlines.push_back(deadline_json(deadline, now));
    for (const auto& item : brief.queued)
        queued.push_back({{"notice", item.notice.id},
                          {"audience", item.notice.audience},
                          {"channel", item.notice.channel},
                          {"pending", item.counts.pending},
                          {"failed", item.counts.failed},
                          {"last_error", optional_text(item.last_error)}});
    for (const auto& last : brief.last_notices)
        last_notices.push_back({{"audience", last.notice.audience},
                                {"notice", last.notice.id},
                                {"at", format_iso_utc(last.notice.created_at)},
                                {"actor", last.notice.actor},
                                {"template", last.notice.template_name},
                                {"channel", last.notice.channel},
                                {"subject", optional_text(last.subject)},
                                {"sent", last.counts.sent},
                                {"failed", last.counts.failed},
                                {"pending", last.counts.pending}});
    const auto& assessment = brief.assessment;
    return {{"incident", incident_json(incident)},
            {"runbook_title", optional_text(brief.runbook_title)},
            {"severity", optional_text(incident.severity)},
            {"rule", assessment ? json(assessment->rule) : json()},
            {"assessed_at", assessment ? json(format_iso_utc(assessment->at)) : json()},
            {"assessed_by", assessment ? json(assessment->actor) : json()},
            {"owners", owners},
            {"done", done},
            {"pending",
             {{"steps", steps},
              {"deadlines", deadlines},
              {"next_update_due", optional_time(incident.next_update_due)},
              {"update_overdue", incident.next_update_due && *incident.next_update_due < now},
              {"handover_unacknowledged_since", optional_time(incident.handed_off_at)},
              {"queued", queued}}},
            {"last_notices", last_notices}};
}

Command add_brief(CLI::App& command) {
    auto id = std::make_shared<IncidentId>(0);
    add_incident_id(command, *id);
    command.footer("What whoever takes over needs: severity and why, owners, what was done, what "
                   "is pending,\nand the last message each audience had.\nExample:\n"
                   "  outage brief 12");
    return {.run = [id](const Given& given) {
        Brief brief = load_brief(given.log(), given.runbooks(), given.templates(), *id);
        if (given.out().json)
            print_json(brief_json(brief, given.now()));
        else
            print_brief(brief, given.out(), given.now());
        return Exit::ok;
    }};
}

} // namespace outage::cli
