#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/cli/prompt.hpp"
#include "outage/model/error.hpp"
#include "outage/report/describe.hpp"
#include "outage/runbook/load.hpp"
#include "outage/services/all_clear.hpp"
#include "outage/services/deadlines.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/notify.hpp"
#include "outage/services/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

namespace outage::cli {

namespace {

struct CloseOptions {
    IncidentId id = 0;
    CloseRequest request;
    std::optional<std::string> recurrence;
    bool notify = false;
};

// One all-clear as `close` reports it: what is due, and what happened when it was sent.
struct CloseAllClear {
    AllClear clear;
    std::optional<NotifyResult> result;
    std::string error; // sending it failed before any delivery
};

// A word the shell reads back unchanged: as it is when that is safe, else single-quoted; text
// holding a line break or anything else shown() escapes is ANSI-C quoted ($'a\nb', which bash
// and zsh read back as it was), so the printed command stays one line and drives no terminal.
std::string close_shell_word(const std::string& text) {
    bool plain = !text.empty() &&
                 text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                                        "opqrstuvwxyz0123456789@%+=:,./_-") == std::string::npos;
    if (plain)
        return text;
    if (shown(text) != text) {
        std::string literal;
        for (char c : text)
            literal += c == '\\'   ? std::string("\\\\")
                       : c == '\'' ? std::string("\\'")
                                   : std::string(1, c);
        return "$'" + shown(literal) + "'";
    }
    std::string quoted = "'";
    for (char c : text)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

std::string close_notify_command(IncidentId id, const AllClear& clear) {
    std::string command =
        fmt::format("outage notify {} --audience {}", id, close_shell_word(clear.audience));
    if (clear.template_differs)
        command += " --template " + close_shell_word(clear.template_name);
    if (clear.outside_plan)
        command += " --channel " + close_shell_word(clear.channel);
    if (clear.recipients_of)
        command += fmt::format(" --recipients-of {}", *clear.recipients_of);
    else if (!clear.blocked.empty())
        command += " --to ADDRESS";
    if (clear.lang)
        command += " --lang " + close_shell_word(*clear.lang);
    if (clear.note)
        command += " --note " + close_shell_word(*clear.note);
    if (clear.force)
        command += " --force";
    return command;
}

// The runbook, or nothing with a warning: an incident must be closable even when its runbook
// has since been removed or broken.
std::optional<Runbook> close_runbook(const RunbookPath& runbooks, const Incident& incident) {
    try {
        return load_runbook(runbooks, incident.scenario);
    } catch (const Error& e) {
        fmt::print(stderr,
                   "outage: warning: {}; closing without the runbook's prevention questions, "
                   "step check and communications plan\n",
                   shown(e.what()));
        return std::nullopt;
    }
}

// Asks for the root cause, whether it can recur and the runbook's prevention questions; each
// answer to a prevention question becomes an action.
void close_ask(CloseRequest& request, const Runbook* runbook, const Incident& incident) {
    size_t total = 1 + (request.recurrence ? 0 : 1) + (runbook ? runbook->prevention.size() : 0);
    size_t number = 0;
    fmt::print(stderr, "Closing incident {}: {}\nPress Enter to skip a question.\n", incident.id,
               shown(incident.title));
    request.root_cause = ask_text("What caused it (the root cause)?", ++number, total);
    if (!std::cin)
        return;
    if (!request.recurrence) {
        auto answer =
            ask_text("Can it happen again? likely, unlikely or unknown", ++number, total,
                     [](const std::string& text) {
                         return parse_recurrence(text)
                                    ? std::string()
                                    : fmt::format("'{}' is not likely, unlikely or unknown", text);
                     });
        if (answer)
            request.recurrence = parse_recurrence(*answer);
        if (!std::cin)
            return;
    }
    if (!runbook)
        return;
    for (const auto& question : runbook->prevention) {
        if (auto action = ask_text(question, ++number, total))
            request.actions.push_back(*action);
        if (!std::cin)
            return;
    }
}

void close_warn_unfinished(const Incident& incident, const std::vector<const Step*>& steps) {
    if (steps.empty())
        return;
    std::fflush(stdout);
    fmt::print(stderr,
               "outage: warning: incident {} was closed with {} required step{} neither done "
               "nor skipped:\n",
               incident.id, steps.size(), steps.size() == 1 ? "" : "s");
    for (const Step* step : steps)
        fmt::print(stderr, "  [ ] {:<24} {:<15} {}\n", shown(step->id), shown(step->role),
                   shown(step->title));
}

// Deadlines outlive the incident: each one still running or missed is named with when it
// is (or was) due and the command that records it.
void close_warn_deadlines(const Incident& incident, const std::vector<Deadline>& unmet,
                          Timestamp now) {
    if (unmet.empty())
        return;
    std::fflush(stdout);
    fmt::print(stderr,
               "outage: warning: incident {} was closed with {} deadline{} not met; {} on "
               "running and `outage due` reports {} until recorded:\n",
               incident.id, unmet.size(), unmet.size() == 1 ? "" : "s",
               unmet.size() == 1 ? "it goes" : "they go", unmet.size() == 1 ? "it" : "them");
    for (const Deadline& deadline : unmet) {
        std::string due = deadline.due_at < now
                              ? fmt::format("was due {} ({} ago)", format_local(deadline.due_at),
                                            format_span(now - deadline.due_at))
                              : fmt::format("due {} (in {})", format_local(deadline.due_at),
                                            format_span(deadline.due_at - now));
        fmt::print(stderr, "  {:<22} {:<44} {}\n", shown(deadline.name), due,
                   shown(deadline.title));
        fmt::print(stderr, "      outage deadline {} {} --met [--at TIME]\n", incident.id,
                   close_shell_word(deadline.name));
    }
}

nlohmann::json close_json(const Incident& incident, const std::vector<const Step*>& unfinished,
                          const std::vector<Deadline>& unmet,
                          const std::vector<CloseAllClear>& clears, Timestamp now) {
    nlohmann::json doc = incident_json(incident);
    nlohmann::json steps = nlohmann::json::array();
    for (const Step* step : unfinished)
        steps.push_back(step_json({step, std::nullopt}));
    doc["unfinished_steps"] = steps;
    nlohmann::json deadlines = nlohmann::json::array();
    for (const Deadline& deadline : unmet)
        deadlines.push_back(deadline_json(deadline, now));
    doc["unmet_deadlines"] = deadlines;
    nlohmann::json array = nlohmann::json::array();
    for (const auto& [clear, result, error] : clears)
        array.push_back(
            {{"audience", clear.audience},
             {"template", clear.template_name},
             {"channel", clear.channel},
             {"recipients_of",
              clear.recipients_of ? nlohmann::json(*clear.recipients_of) : nlohmann::json()},
             {"recipients", clear.recipients},
             {"command", close_notify_command(incident.id, clear)},
             {"blocked", clear.blocked.empty() ? nlohmann::json() : nlohmann::json(clear.blocked)},
             {"sent", result ? notice_result_json(*result, clear.audience) : nlohmann::json()},
             {"error", error.empty() ? nlohmann::json() : nlohmann::json(error)},
             {"switch_back",
              clear.switch_back.empty() ? nlohmann::json() : nlohmann::json(clear.switch_back)}});
    doc["all_clear"] = array;
    return doc;
}

// To whom an all-clear goes, or why it cannot go as it stands; empty for no one in particular.
std::string close_all_clear_to(const AllClear& clear) {
    if (clear.recipients_of)
        return fmt::format("to the {} recipient{} of notice {}", clear.recipients,
                           clear.recipients == 1 ? "" : "s", *clear.recipients_of);
    return clear.blocked.empty() ? std::string()
                                 : fmt::format("needs recipients: {}", clear.blocked);
}

// Whether any all-clear is of the kind: switching something back (`standing`) or not.
bool close_any(const std::vector<CloseAllClear>& clears, bool standing) {
    return std::any_of(clears.begin(), clears.end(), [&](const CloseAllClear& item) {
        return item.clear.switch_back.empty() != standing;
    });
}

// The all-clears of one kind (`standing`: those that switch something back) under a heading;
// nothing when there are none.
void close_print_due(const Incident& incident, const std::vector<CloseAllClear>& clears,
                     bool standing, const std::string& heading) {
    if (!close_any(clears, standing))
        return;
    fmt::print("\n{}\n", heading);
    for (const auto& item : clears) {
        const AllClear& clear = item.clear;
        if (clear.switch_back.empty() == standing)
            continue;
        std::string to = close_all_clear_to(clear);
        if (standing)
            fmt::print("  {} ({}: {} via {}{})\n", shown(clear.switch_back), shown(clear.audience),
                       shown(clear.template_name), shown(clear.channel),
                       to.empty() ? "" : ", " + shown(to));
        else {
            std::string line =
                fmt::format("  {:<14} {:<22} via {:<8} {}", shown(clear.audience),
                            shown(clear.template_name), shown(clear.channel), shown(to));
            fmt::print("{}\n", line.substr(0, line.find_last_not_of(' ') + 1));
        }
        fmt::print("      {}\n", close_notify_command(incident.id, clear));
    }
}

// What became of the all-clears `--notify` sent, of one kind, under a heading.
void close_print_sent(const Incident& incident, const std::vector<CloseAllClear>& clears,
                      bool standing, const std::string& heading) {
    if (!close_any(clears, standing))
        return;
    fmt::print("\n{}\n", heading);
    for (const auto& [clear, result, error] : clears) {
        if (clear.switch_back.empty() == standing)
            continue;
        if (result) {
            print_notice_result(*result, clear.audience);
            continue;
        }
        fmt::print("Not sent to {}: {}; send it with:\n  {}\n", shown(clear.audience),
                   shown(error.empty() ? clear.blocked : error),
                   close_notify_command(incident.id, clear));
    }
}

void close_print_all_clears(const Incident& incident, const std::vector<CloseAllClear>& clears,
                            bool sent) {
    if (clears.empty()) {
        fmt::print("\nNobody was told about this incident, so no all-clear is due.\n");
        return;
    }
    if (sent) {
        close_print_sent(incident, clears, false, "All-clear messages:");
        close_print_sent(incident, clears, true,
                         "Replacing what the incident put up (put each new text where the old one "
                         "is live, or switch that off):");
        return;
    }
    std::vector<CloseAllClear> due;
    std::copy_if(clears.begin(), clears.end(), std::back_inserter(due),
                 [](const CloseAllClear& item) { return !item.clear.sent_as; });
    if (due.empty()) {
        fmt::print("\nEveryone told about the incident has had its all-clear.\n");
        return;
    }
    close_print_due(incident, due, false,
                    "All-clear messages due (everyone told about the incident hears it is over):");
    close_print_due(incident, due, true,
                    "Switch back what the incident put up (each stays until it is replaced):");
}

// Says that a close --notify run again records nothing new, and that a resolution given
// differently this time is not the one kept.
void close_note_finishing(const Incident& incident, const CloseRequest& request) {
    fmt::print(stderr, "outage: incident {} was closed {}; sending what its all-clears still owe\n",
               incident.id, incident.closed_at ? format_local(*incident.closed_at) : "before");
    if (incident.resolution && request.resolution != *incident.resolution)
        fmt::print(stderr, "outage: warning: the resolution recorded at the close stands: {}\n",
                   *incident.resolution);
}

// Closes the incident, then sends or lists the all-clears it calls for.
Exit close_run(CloseOptions& options, const Given& given) {
    Store& log = given.log();
    const Output& out = given.out();
    CloseRequest& request = options.request;
    Incident incident = require_incident(log, options.id);
    // A close --notify that was cut short is finished by running it again: what its
    // all-clears still owe is sent, and the close is not recorded twice.
    bool finishing = options.notify && incident.status == Status::closed;
    if (incident.status == Status::closed && !finishing) {
        try {
            require_open(log, options.id, "close");
        } catch (const Error& e) {
            throw Error(e.code(), fmt::format("{}; `outage close {} --notify --resolution TEXT` "
                                              "sends the all-clears it still owes",
                                              e.what(), options.id));
        }
    }
    // A broken config stops the close before anything is recorded, not halfway through.
    if (options.notify)
        given.config();
    std::optional<Runbook> runbook = close_runbook(given.runbooks(), incident);
    const Runbook* plan = runbook ? &*runbook : nullptr;
    if (!finishing && out.interactive && !out.json && request.actions.empty() &&
        !request.root_cause)
        close_ask(request, plan, incident);
    std::vector<const Step*> unfinished;
    if (runbook)
        unfinished = unfinished_steps(log, *runbook, incident);

    const Stamp& now = given.stamp();
    if (finishing)
        close_note_finishing(incident, request);
    else
        incident = close_incident(log, options.id, request, now);
    std::vector<Deadline> unmet = unmet_deadlines(log, incident.id);
    std::vector<CloseAllClear> clears;
    for (auto& clear : plan_all_clears(log, plan, incident))
        clears.push_back({std::move(clear), std::nullopt, ""});
    Exit code = Exit::ok;
    if (options.notify) {
        // The stdout channel's messages, escaped line by line (cli::shown).
        ShownStdout messages;
        NotifyEnvironment env{given.runbooks(), given.templates(), given.config(), given.outbox(),
                              messages};
        for (auto& item : clears) {
            if (!item.clear.blocked.empty() && !item.clear.sent_as) {
                code = Exit::deliveries_failed;
                continue;
            }
            try {
                item.result =
                    item.clear.sent_as
                        ? resume_notice(log, env, *item.clear.sent_as, now, {})
                        : notify(log, env, all_clear_request(incident.id, item.clear), now, {});
                for (const auto& warning : item.result->warnings)
                    fmt::print(stderr, "outage: warning: {}\n", shown(warning));
                if (item.result->counts.failed > 0 || item.result->stopped)
                    code = Exit::deliveries_failed;
            } catch (const Error& e) {
                item.error = e.what();
                code = Exit::deliveries_failed;
            }
        }
    }

    if (out.json)
        print_json(close_json(incident, unfinished, unmet, clears, now.at));
    else {
        print_changed(incident, out, fmt::format("Closed incident {}.", incident.id));
        close_print_all_clears(incident, clears, options.notify);
    }
    close_warn_unfinished(incident, unfinished);
    close_warn_deadlines(incident, unmet, now.at);
    return code;
}

} // namespace

Command add_close(CLI::App& command) {
    auto options = std::make_shared<CloseOptions>();
    add_incident_id(command, options->id);
    command.add_option("--resolution", options->request.resolution, "How service was restored")
        ->required();
    command.add_option("--root-cause", options->request.root_cause, "Why it happened");
    command.add_option("--recurrence", options->recurrence, "Can it happen again")
        ->check(one_of(recurrence_names));
    command
        .add_option("--action", options->request.actions,
                    "An action that prevents a recurrence (repeatable)")
        ->type_name("TEXT");
    command.add_flag("--notify", options->notify,
                     "Send the all-clear messages now, with the plan's defaults and the "
                     "recipients each audience had last");
    command.footer(
        "On a terminal, without --root-cause or --action, asks for the root cause and the "
        "runbook's\nprevention questions. Prints the all-clear messages due and the command "
        "for each.\nExample:\n  outage close 12 --resolution \"Disk replaced, array rebuilt\" "
        "--root-cause \"Disk wear-out\" --recurrence likely --action \"Alert on SMART errors\"");
    return {.check =
                [options](const Given&) {
                    if (options->recurrence)
                        options->request.recurrence = parse_recurrence(*options->recurrence);
                },
            .run = [options](const Given& given) { return close_run(*options, given); }};
}

} // namespace outage::cli
