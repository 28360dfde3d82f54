#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/cli/prompt.hpp"
#include "outage/model/error.hpp"
#include "outage/report/describe.hpp"
#include "outage/runbook/load.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace outage::cli {

namespace {

struct AssessOptions {
    IncidentId id = 0;
    std::vector<std::string> answers;
    std::optional<std::string> answers_file;
    std::vector<std::pair<std::string, std::string>> given; // read from both
};

std::vector<std::pair<std::string, std::string>> given_answers(const AssessOptions& options) {
    std::vector<std::pair<std::string, std::string>> given;
    if (options.answers_file)
        given = read_answers_file(*options.answers_file);
    for (const auto& answer : options.answers) {
        auto equals = answer.find('=');
        if (equals == std::string::npos || equals == 0)
            throw Error(Exit::usage,
                        fmt::format("--answer needs QUESTION=VALUE, not '{}'", answer));
        given.emplace_back(answer.substr(0, equals), answer.substr(equals + 1));
    }
    return given;
}

nlohmann::json audience_json(const AudienceCall& call, IncidentId id) {
    const PlanEntry& entry = *call.entry;
    return {{"audience", entry.audience},
            {"template", entry.template_name},
            {"channel", entry.channel},
            {"min_recipients", entry.min_recipients},
            {"min_per_organisation", entry.min_per_organisation
                                         ? nlohmann::json(*entry.min_per_organisation)
                                         : nlohmann::json()},
            {"command", fmt::format("outage notify {} --audience {}", id, entry.audience)}};
}

void print_json_result(const AssessmentResult& result, const Runbook& runbook,
                       const Answers& answers, Timestamp now) {
    nlohmann::json audiences = nlohmann::json::array(), on_request = nlohmann::json::array();
    for (const auto& call : result.audiences)
        (call.now ? audiences : on_request).push_back(audience_json(call, result.incident.id));
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& view : result.steps)
        steps.push_back(step_json(view));
    nlohmann::json deadlines = nlohmann::json::array();
    for (const auto& deadline : result.deadlines)
        deadlines.push_back(deadline_json(deadline, now));
    nlohmann::json workarounds = nlohmann::json::array();
    for (const auto* workaround : workarounds_for(runbook, answers))
        workarounds.push_back({{"title", workaround->title}, {"detail", workaround->detail}});
    print_json(
        {{"incident", result.incident.id},
         {"severity", result.level->id},
         {"severity_name", result.level->name},
         {"meaning", result.level->meaning},
         {"previous_severity",
          result.previous_severity ? nlohmann::json(*result.previous_severity) : nlohmann::json()},
         {"rule", result.record.rule},
         {"proactive", result.level->proactive},
         {"update_interval_minutes", result.interval.count() / 60},
         {"next_update_due", format_iso_utc(*result.incident.next_update_due)},
         {"answers", result.record.answers},
         {"audiences", audiences},
         {"on_request", on_request},
         {"steps", steps},
         {"deadlines", deadlines},
         {"workarounds", workarounds}});
}

void print_human_result(const AssessmentResult& result, const Runbook& runbook,
                        const Answers& answers, const Output& out, Timestamp now) {
    const Incident& incident = result.incident;
    std::string change;
    if (!result.previous_severity)
        change = "first assessment";
    else if (*result.previous_severity == result.level->id)
        change = "unchanged";
    else
        change = fmt::format("was {}", *result.previous_severity);
    fmt::print("\nIncident {} is {} ({}), {}.\n", incident.id,
               severity_label(result.level->id, out.color), result.level->name, change);
    fmt::print("  meaning      {}\n", result.level->meaning);
    fmt::print("  decided by   rule {}\n", result.record.rule);
    fmt::print("  proactive    {}\n", result.level->proactive
                                          ? "yes: tell customers now, without waiting to be asked"
                                          : "no: customers are told when they ask");
    fmt::print("  updates      every {}; next due {}\n", format_span(result.interval),
               format_local(*incident.next_update_due));

    fmt::print("\nNotify now, in this order:\n");
    bool any_now = false;
    for (const auto& call : result.audiences) {
        if (!call.now)
            continue;
        any_now = true;
        fmt::print("  {:<14} {:<24} via {:<8} outage notify {} --audience {}\n",
                   call.entry->audience, call.entry->template_name, call.entry->channel,
                   incident.id, call.entry->audience);
    }
    if (!any_now)
        fmt::print("  nobody proactively at this severity\n");
    std::vector<std::string> on_request;
    for (const auto& call : result.audiences)
        if (!call.now)
            on_request.push_back(call.entry->audience);
    if (!on_request.empty())
        fmt::print("On request: {}\n", fmt::join(on_request, ", "));

    fmt::print("\nSteps at {}:\n", result.level->id);
    print_steps(result.steps);
    if (!result.deadlines.empty()) {
        fmt::print("\nDeadlines:\n");
        print_deadlines(result.deadlines, now);
    }
    auto workarounds = workarounds_for(runbook, answers);
    if (!workarounds.empty()) {
        fmt::print("\nWorkarounds:\n");
        for (const auto* workaround : workarounds)
            fmt::print("  - {}{}\n", workaround->title,
                       workaround->detail.empty() ? "" : ": " + workaround->detail);
    }
}

} // namespace

Command add_assess(CLI::App& command) {
    auto options = std::make_shared<AssessOptions>();
    add_incident_id(command, options->id);
    command
        .add_option("--answer", options->answers,
                    "An answer, QUESTION=VALUE (repeatable); see `outage runbook show`")
        ->type_name("KEY=VALUE");
    command
        .add_option("--answers-file", options->answers_file,
                    "A YAML or JSON mapping of question id to answer")
        ->type_name("FILE");
    command.footer("Asks, on a terminal, the questions still unanswered (earlier answers are "
                   "kept).\nExample:\n  outage assess 12 --answer scope=team --answer "
                   "realtime=yes");
    return {.check = [options](const Given&) { options->given = given_answers(*options); },
            .run =
                [options](const Given& given) {
                    Store& log = given.log();
                    const Output& out = given.out();
                    Incident incident = require_incident(log, options->id);
                    Runbook runbook = load_runbook(given.runbooks(), incident.scenario);
                    SeverityScale scale = load_severity_scale(given.runbooks());
                    GatheredAnswers gathered =
                        gather_answers(log, runbook, options->id, options->given);
                    if (!gathered.missing.empty() && out.interactive && !out.json) {
                        fmt::print("Assessing incident {}: {} ({})\n", incident.id, incident.title,
                                   runbook.title);
                        size_t number = 0;
                        for (const Question* question : gathered.missing)
                            gathered.answers[question->id] =
                                ask(*question, ++number, gathered.missing.size());
                    }
                    const Stamp& now = given.stamp();
                    AssessmentResult result =
                        assess_incident(log, runbook, scale, options->id, gathered.answers, now);
                    if (out.json)
                        print_json_result(result, runbook, gathered.answers, now.at);
                    else
                        print_human_result(result, runbook, gathered.answers, out, now.at);
                    return Exit::ok;
                }};
}

} // namespace outage::cli
