#include "outage/cli/commands.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/render/template.hpp"
#include "outage/report/describe.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/runbook/load.hpp"
#include "outage/services/assessment.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace outage::cli {

namespace {

using nlohmann::json;

json optional_condition(const std::optional<Condition>& condition) {
    return condition ? condition_json(*condition) : json();
}

json runbook_json(const Runbook& runbook) {
    json questions = json::array();
    for (const auto& q : runbook.questions) {
        json choices = json::array();
        for (const auto& choice : q.choices)
            choices.push_back({{"value", choice.value}, {"label", choice.label}});
        questions.push_back({{"id", q.id},
                             {"type", to_string(q.type)},
                             {"prompt", q.prompt},
                             {"help", q.help},
                             {"choices", choices},
                             {"min", q.min ? number_answer(*q.min) : json()},
                             {"max", q.max ? number_answer(*q.max) : json()}});
    }
    json rules = json::array();
    for (const auto& rule : runbook.severity_rules)
        rules.push_back(
            {{"name", rule.name}, {"level", rule.level}, {"when", optional_condition(rule.when)}});
    json intervals = json::array();
    for (const auto& entry : runbook.update_intervals) {
        json minutes = json::object();
        for (const auto& [level, span] : entry.by_level)
            minutes[level] = span.count() / 60;
        intervals.push_back({{"when", optional_condition(entry.when)}, {"minutes", minutes}});
    }
    json steps = json::array();
    for (const auto& step : runbook.steps)
        steps.push_back(step_json({&step, std::nullopt}));
    json plan = json::array();
    for (const auto& entry : runbook.communications)
        plan.push_back({{"audience", entry.audience},
                        {"template", entry.template_name},
                        {"channel", entry.channel},
                        {"min_severity", entry.min_severity},
                        {"min_recipients", entry.min_recipients},
                        {"min_per_organisation",
                         entry.min_per_organisation ? json(*entry.min_per_organisation) : json()},
                        {"mode", entry.proactive ? "proactive" : "on-request"},
                        {"customer_facing", entry.customer_facing},
                        {"when", optional_condition(entry.when)},
                        {"withhold", entry.withhold}});
    json workarounds = json::array();
    for (const auto& w : runbook.workarounds)
        workarounds.push_back(
            {{"title", w.title}, {"detail", w.detail}, {"when", optional_condition(w.when)}});
    json deadlines = json::array();
    for (const auto& d : runbook.deadlines)
        deadlines.push_back(
            {{"id", d.id},
             {"title", d.title},
             {"detail", d.detail},
             {"within_minutes", d.within.count() / 60},
             {"when", optional_condition(d.when)},
             {"met_by", d.met_by_audience ? json{{"audience", *d.met_by_audience}} : json()}});
    return {{"id", runbook.id},
            {"title", runbook.title},
            {"description", runbook.description},
            {"file", runbook.file.string()},
            {"questions", questions},
            {"severity", rules},
            {"update_intervals", intervals},
            {"steps", steps},
            {"communications", plan},
            {"workarounds", workarounds},
            {"recovery", runbook.recovery},
            {"prevention", runbook.prevention},
            {"deadlines", deadlines}};
}

void print_runbook(const Runbook& runbook) {
    fmt::print("{}: {}\n  {}\n  file: {}\n", runbook.id, runbook.title, runbook.description,
               runbook.file.string());
    fmt::print("\nQuestions:\n");
    for (const auto& q : runbook.questions) {
        fmt::print("  {:<22} ({}) {}\n", q.id, to_string(q.type), q.prompt);
        for (const auto& choice : q.choices)
            fmt::print("  {:<22}   - {}: {}\n", "", choice.value, choice.label);
    }
    fmt::print("\nSeverity rules (first match wins):\n");
    for (const auto& rule : runbook.severity_rules)
        fmt::print("  {:<5} {:<28} {}\n", rule.level, rule.name,
                   rule.when ? condition_json(*rule.when).dump() : "(default)");
    fmt::print("\nSteps:\n");
    for (const auto& step : runbook.steps)
        fmt::print("  {:<24} {:<15} {}{}\n", step.id, step.role, step.title,
                   step.min_severity ? fmt::format(" ({} or worse)", *step.min_severity) : "");
    fmt::print("\nCommunications, in order:\n");
    for (const auto& entry : runbook.communications)
        fmt::print("  {:<14} {:<24} via {:<8} from {}{}{}\n", entry.audience, entry.template_name,
                   entry.channel, entry.min_severity, entry.proactive ? "" : ", on request",
                   entry.min_recipients > 1
                       ? fmt::format(", at least {} recipients", entry.min_recipients)
                       : "");
    if (!runbook.deadlines.empty()) {
        fmt::print("\nDeadlines:\n");
        for (const auto& d : runbook.deadlines)
            fmt::print("  {:<22} within {:<6} {}{}{}\n", d.id, format_span(d.within), d.title,
                       d.when ? " (when " + condition_json(*d.when).dump() + ")" : "",
                       d.met_by_audience ? fmt::format(" (met by the first notice delivered to {})",
                                                       *d.met_by_audience)
                                         : "");
    }
}

} // namespace

Command add_runbook(CLI::App& command) {
    command.require_subcommand(1);
    command.footer("Example:\n  outage runbook show power-loss\n  outage runbook lint "
                   "~/ops/runbooks/");
    return {};
}

Command add_runbook_list(CLI::App& command) {
    command.footer("Example:\n  outage runbook list --json | jq -r '.[].id'");
    return {.run = [](const Given& given) {
        const RunbookPath& path = given.runbooks();
        json array = json::array();
        for (const auto& id : runbook_ids(path)) {
            std::vector<Problem> problems;
            auto file = runbook_file(path, id);
            auto runbook = parse_runbook(file, {}, problems);
            array.push_back({{"id", id},
                             {"title", runbook ? json(runbook->title) : json()},
                             {"file", file.string()},
                             {"valid", runbook.has_value()}});
        }
        if (given.out().json) {
            print_json(array);
            return Exit::ok;
        }
        for (const auto& entry : array)
            fmt::print("{:<22} {}\n", entry["id"].get<std::string>(),
                       entry["valid"] ? entry["title"].get<std::string>()
                                      : "INVALID: run `outage runbook lint`");
        return Exit::ok;
    }};
}

Command add_runbook_show(CLI::App& command) {
    auto id = std::make_shared<std::string>();
    command.add_option("id", *id, "Runbook id")->required();
    command.footer("Example:\n  outage runbook show malware --json | jq '.questions[].id'");
    return {.run = [id](const Given& given) {
        Runbook runbook = load_runbook(given.runbooks(), *id);
        if (given.out().json)
            print_json(runbook_json(runbook));
        else
            print_runbook(runbook);
        return Exit::ok;
    }};
}

Command add_runbook_lint(CLI::App& command) {
    auto targets = std::make_shared<std::vector<std::string>>();
    command.add_option("path", *targets,
                       "Files or folders to check (default: every runbook in effect)");
    command.footer("Example (a runbook repository's CI):\n  outage runbook lint runbooks/");
    return {.run = [targets](const Given& given) {
        std::vector<std::filesystem::path> paths(targets->begin(), targets->end());
        auto names = template_names(given.templates());
        TemplateExists template_exists = [&names](std::string_view name) {
            return std::binary_search(names.begin(), names.end(), name);
        };
        return print_problems(lint_runbooks(given.runbooks(), paths, template_exists), given.out());
    }};
}

} // namespace outage::cli
