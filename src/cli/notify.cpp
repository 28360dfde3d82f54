#include "outage/services/notify.hpp"
#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <iostream>
#include <unistd.h>

namespace outage::cli {

namespace {

struct NotifyOptions {
    NotifyRequest request;
    std::optional<std::string> eta;
    std::optional<When> eta_taken;
    std::optional<std::string> recipients;
    std::optional<std::int64_t> resume;
};

// A progress bar on stderr when it is a terminal, redrawn at most every 1%.
Progress progress_bar(const Output& out) {
    if (!isatty(STDERR_FILENO) || out.json)
        return {};
    return [last = std::int64_t{-1}](std::int64_t done, std::int64_t total) mutable {
        std::int64_t percent = total ? done * 100 / total : 100;
        if (percent == last && done != total)
            return;
        last = percent;
        int filled = static_cast<int>(percent * 30 / 100);
        fmt::print(stderr, "\r[{:<30}] {:>3}%  {}/{}",
                   std::string(static_cast<size_t>(filled), '#'), percent, done, total);
        if (done == total)
            fmt::print(stderr, "\n");
    };
}

// Sends the notice (or resumes one) and reports it; exit 6 when a delivery failed.
Exit notify_run(const NotifyOptions& options, const Given& given) {
    const Output& out = given.out();
    // The stdout channel's messages, escaped line by line (cli::shown).
    ShownStdout messages;
    NotifyEnvironment env{given.runbooks(), given.templates(), given.config(), given.outbox(),
                          messages};
    Exit code = Exit::ok;
    auto report = [&](const NotifyResult& result, const std::string& audience) {
        for (const auto& warning : result.warnings)
            fmt::print(stderr, "outage: warning: {}\n", shown(warning));
        if (result.counts.failed > 0 || result.stopped)
            code = Exit::deliveries_failed;
        if (out.json)
            print_json(notice_result_json(result, audience));
        else
            print_notice_result(result, audience);
    };
    if (options.resume) {
        NotifyResult result =
            resume_notice(given.log(), env, *options.resume, given.stamp(), progress_bar(out));
        report(result, "");
        return code;
    }
    const NotifyRequest& request = options.request;
    NotifyResult result = notify(given.log(), env, request, given.stamp(), progress_bar(out));
    if (request.dry_run) {
        for (const auto& warning : result.warnings)
            fmt::print(stderr, "outage: warning: {}\n", shown(warning));
        fmt::print(stderr, "outage: dry run: {} message{} rendered, nothing recorded or sent\n",
                   result.attempted, result.attempted == 1 ? "" : "s");
        print_eta_day(options.eta, options.eta_taken);
        return code;
    }
    report(result, request.audience);
    print_eta_day(options.eta, options.eta_taken);
    return code;
}

} // namespace

Command add_notify(CLI::App& command) {
    auto options = std::make_shared<NotifyOptions>();
    NotifyRequest& r = options->request;
    command.add_option("id", r.id, "Incident id")->check(whole_number);
    command.add_option("--audience", r.audience, "Who to tell: an audience of the runbook's plan");
    command.add_option("--template", r.template_name, "Template (default: the plan's)")
        ->type_name("NAME");
    command
        .add_option("--channel", r.channel, "stdout, file, email or webhook (default: the plan's)")
        ->check(one_of(channel_kind_names));
    command.add_option("--to", r.to, "A recipient: e-mail address, or webhook name (repeatable)")
        ->type_name("ADDR");
    command
        .add_option("--recipients", options->recipients,
                    "CSV with a header row and an email column; other columns become "
                    "recipient.<column> fields, lang picks the language")
        ->type_name("FILE.csv");
    command
        .add_option("--recipients-of", r.recipients_of,
                    "The recipients of an earlier notice of the incident, with their columns and "
                    "languages (all-clear messages)")
        ->check(whole_number)
        ->type_name("NOTICE");
    command.add_option("--lang", r.lang, "Template language (falls back to en)")->type_name("CODE");
    command.add_option("--note", r.note, "The update text for this message");
    command.add_option("--eta", options->eta, "Estimated restore time (ISO 8601, HH:MM, 2h...)")
        ->type_name("WHEN");
    command.add_option("--workaround", r.workaround, "What people can do meanwhile");
    command.add_option("--supplier", r.supplier, "The supplier involved (internal audiences)");
    command.add_option("--internal-note", r.internal_note, "A note for staff only");
    command.add_flag("--dry-run", r.dry_run,
                     "Render every message on stdout; record and send nothing");
    command.add_flag("--force", r.force,
                     "Do not warn when the severity is below the plan's minimum");
    command.add_flag("--again", r.again,
                     "Send a call that completed moments ago again, as a new update");
    command.add_option("--resume", options->resume, "Send what is still pending of a notice")
        ->check(whole_number);
    command.footer(
        "The same call again resumes the same notice while any of it is unsent; once "
        "it is all sent,\nthe same call is the next update (refused for 2 minutes "
        "without --again).\nExample:\n  outage notify 12 --audience customers --recipients "
        "contacts.csv --eta 16:00 \\\n      --note \"Phone lines are down; e-mail "
        "works\"");
    return {.check =
                [options](const Given& given) {
                    // --resume sends what the notice already holds: nothing else applies.
                    if (options->resume)
                        return;
                    NotifyRequest& request = options->request;
                    if (request.id == 0 || request.audience.empty())
                        throw Error(Exit::usage, "notify needs an incident id and --audience (or "
                                                 "--resume NOTICE)");
                    options->eta_taken = parse_eta_option(options->eta, given);
                    if (options->eta_taken)
                        request.eta = options->eta_taken->at;
                    if (options->recipients)
                        request.recipients_csv = *options->recipients;
                },
            .run = [options](const Given& given) { return notify_run(*options, given); }};
}

} // namespace outage::cli
