#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/cli/prompt.hpp"
#include "outage/model/error.hpp"
#include "outage/report/describe.hpp"
#include "outage/runbook/load.hpp"
#include "outage/services/all_clear.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/notify.hpp"
#include "outage/services/progress.hpp"

#include <fmt/format.h>

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

// A word the shell reads back unchanged: as it is when that is safe, else single-quoted.
std::string close_shell_word(const std::string& text) {
    bool plain = !text.empty() &&
                 text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
                                        "opqrstuvwxyz0123456789@%+=:,./_-") == std::string::npos;
    if (plain)
        return text;
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
                   e.what());
        return std::nullopt;
    }
}

// Asks for the root cause, whether it can recur and the runbook's prevention questions; each
// answer to a prevention question becomes an action.
void close_ask(CloseRequest& request, const Runbook* runbook, const Incident& incident) {
    size_t total = 1 + (request.recurrence ? 0 : 1) + (runbook ? runbook->prevention.size() : 0);
    size_t number = 0;
    fmt::print(stderr, "Closing incident {}: {}\nPress Enter to skip a question.\n", incident.id,
               incident.title);
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
        fmt::print(stderr, "  [ ] {:<24} {:<15} {}\n", step->id, step->role, step->title);
}

nlohmann::json close_json(const Incident& incident, const std::vector<const Step*>& unfinished,
                          const std::vector<CloseAllClear>& clears) {
    nlohmann::json doc = incident_json(incident);
    nlohmann::json steps = nlohmann::json::array();
    for (const Step* step : unfinished)
        steps.push_back(step_json({step, std::nullopt}));
    doc["unfinished_steps"] = steps;
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
             {"error", error.empty() ? nlohmann::json() : nlohmann::json(error)}});
    doc["all_clear"] = array;
    return doc;
}

void close_print_all_clears(const Incident& incident, const std::vector<CloseAllClear>& clears,
                            bool sent) {
    if (clears.empty()) {
        fmt::print("\nNobody was told about this incident, so no all-clear is due.\n");
        return;
    }
    if (sent) {
        fmt::print("\nAll-clear messages:\n");
        for (const auto& [clear, result, error] : clears) {
            if (result) {
                print_notice_result(*result, clear.audience);
                continue;
            }
            fmt::print("Not sent to {}: {}; send it with:\n  {}\n", clear.audience,
                       error.empty() ? clear.blocked : error,
                       close_notify_command(incident.id, clear));
        }
        return;
    }
    fmt::print("\nAll-clear messages due (everyone told about the incident hears it is over):\n");
    for (const auto& item : clears) {
        const AllClear& clear = item.clear;
        std::string to = clear.recipients_of
                             ? fmt::format("to the {} recipient{} of notice {}", clear.recipients,
                                           clear.recipients == 1 ? "" : "s", *clear.recipients_of)
                         : clear.blocked.empty()
                             ? std::string()
                             : fmt::format("needs recipients: {}", clear.blocked);
        std::string line = fmt::format("  {:<14} {:<22} via {:<8} {}", clear.audience,
                                       clear.template_name, clear.channel, to);
        fmt::print("{}\n", line.substr(0, line.find_last_not_of(' ') + 1));
        fmt::print("      {}\n", close_notify_command(incident.id, clear));
    }
}

// Closes the incident, then sends or lists the all-clears it calls for.
Exit close_run(CloseOptions& options, const Given& given) {
    Store& log = given.log();
    const Output& out = given.out();
    CloseRequest& request = options.request;
    Incident incident = require_open(log, options.id, "close");
    // A broken config stops the close before anything is recorded, not halfway through.
    if (options.notify)
        given.config();
    std::optional<Runbook> runbook = close_runbook(given.runbooks(), incident);
    const Runbook* plan = runbook ? &*runbook : nullptr;
    if (out.interactive && !out.json && request.actions.empty() && !request.root_cause)
        close_ask(request, plan, incident);
    std::vector<const Step*> unfinished;
    if (runbook)
        unfinished = unfinished_steps(log, *runbook, incident);

    const Stamp& now = given.stamp();
    incident = close_incident(log, options.id, request, now);
    std::vector<CloseAllClear> clears;
    for (auto& clear : plan_all_clears(log, plan, incident))
        clears.push_back({std::move(clear), std::nullopt, ""});
    Exit code = Exit::ok;
    if (options.notify) {
        NotifyEnvironment env{given.runbooks(), given.templates(), given.config(), given.outbox(),
                              std::cout};
        for (auto& item : clears) {
            if (!item.clear.blocked.empty()) {
                code = Exit::deliveries_failed;
                continue;
            }
            try {
                item.result = notify(log, env, all_clear_request(incident.id, item.clear), now, {});
                for (const auto& warning : item.result->warnings)
                    fmt::print(stderr, "outage: warning: {}\n", warning);
                if (item.result->counts.failed > 0)
                    code = Exit::deliveries_failed;
            } catch (const Error& e) {
                item.error = e.what();
                code = Exit::deliveries_failed;
            }
        }
    }

    if (out.json)
        print_json(close_json(incident, unfinished, clears));
    else {
        print_changed(incident, out, fmt::format("Closed incident {}.", incident.id));
        close_print_all_clears(incident, clears, options.notify);
    }
    close_warn_unfinished(incident, unfinished);
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
