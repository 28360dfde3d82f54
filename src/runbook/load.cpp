#include "outage/runbook/load.hpp"
#include "runbook_parser.hpp"

#include "outage/io/trust.hpp"
#include "outage/io/yaml_reader.hpp"
#include "outage/model/channel_settings.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <tuple>

namespace outage {

void RunbookParser::parse(const YAML::Node& root, Runbook& runbook) {
    if (!r.mapping(root, "the runbook",
                   {"version", "id", "title", "description", "questions", "severity",
                    "update-intervals", "steps", "communications", "workarounds", "recovery",
                    "prevention", "deadlines"},
                   {"version", "id", "title", "description", "questions", "severity"}))
        return;
    if (auto version = r.integer(root, "version", 1); version && *version != 1)
        r.problem(root["version"].Mark(),
                  fmt::format("runbook format version {} is not known; this outage reads "
                              "version 1",
                              *version));
    runbook.id = r.slug(root, "id").value_or("");
    std::string stem = r.file().stem().string();
    if (!runbook.id.empty() && runbook.id != stem)
        r.problem(root["id"].Mark(),
                  fmt::format("id '{}' does not match the file name '{}.yaml'", runbook.id, stem));
    runbook.title = r.string(root, "title").value_or("");
    runbook.description = r.string(root, "description").value_or("");
    parse_questions(root, runbook);
    parse_severity_rules(root, runbook);
    parse_intervals(root, runbook);
    parse_steps(root, runbook);
    parse_communications(root, runbook);
    parse_workarounds(root, runbook);
    runbook.recovery = r.strings(root, "recovery");
    runbook.prevention = r.strings(root, "prevention");
    parse_deadlines(root, runbook);
}

void RunbookParser::parse_severity_rules(const YAML::Node& root, Runbook& runbook) {
    Seen names;
    auto items = r.sequence(root, "severity");
    for (size_t i = 0; i < items.size(); ++i) {
        const auto& item = items[i];
        if (!r.mapping(item, "a severity rule", {"name", "level", "when"}, {"name", "level"}))
            continue;
        SeverityRule rule;
        rule.name = r.unique_slug(item, "name", names, "rule name");
        rule.level = r.severity(item, "level").value_or("");
        rule.when = parse_when(item, runbook);
        bool last = i + 1 == items.size();
        if (!last && !item["when"])
            r.problem(item.Mark(), fmt::format("rule '{}' has no 'when' but is not the last "
                                               "rule: the rules after it could never apply",
                                               rule.name));
        if (last && item["when"])
            r.problem(item.Mark(), "the last severity rule is the default and has no 'when'; "
                                   "add a final rule without one");
        runbook.severity_rules.push_back(std::move(rule));
    }
    if (root["severity"] && root["severity"].IsSequence() && items.empty())
        r.problem(root["severity"].Mark(), "'severity' needs at least a default rule");
}

void RunbookParser::parse_intervals(const YAML::Node& root, Runbook& runbook) {
    for (const auto& item : r.sequence(root, "update-intervals")) {
        if (!r.mapping(item, "an update-intervals entry", {"when", "SEV1", "SEV2", "SEV3", "SEV4"}))
            continue;
        IntervalOverride entry;
        entry.when = parse_when(item, runbook);
        for (const char* level : {"SEV1", "SEV2", "SEV3", "SEV4"})
            if (auto span = r.duration(item, level))
                entry.by_level[level] = *span;
        if (entry.by_level.empty() && item.size() > 0)
            r.problem(item.Mark(), "an update-intervals entry names at least one level");
        runbook.update_intervals.push_back(std::move(entry));
    }
}

void RunbookParser::parse_steps(const YAML::Node& root, Runbook& runbook) {
    Seen ids;
    for (const auto& item : r.sequence(root, "steps")) {
        if (!r.mapping(item, "a step",
                       {"id", "title", "detail", "role", "min-severity", "optional"},
                       {"id", "title", "role"}))
            continue;
        Step step;
        step.id = r.unique_slug(item, "id", ids, "step id");
        step.title = r.string(item, "title").value_or("");
        step.detail = r.string(item, "detail").value_or("");
        step.role = r.slug(item, "role").value_or("");
        step.min_severity = r.severity(item, "min-severity");
        step.optional = r.boolean(item, "optional").value_or(false);
        runbook.steps.push_back(std::move(step));
    }
}

void RunbookParser::parse_communications(const YAML::Node& root, Runbook& runbook) {
    Seen audiences;
    for (const auto& item : r.sequence(root, "communications")) {
        if (!r.mapping(item, "a communications entry",
                       {"audience", "template", "channel", "min-severity", "min-recipients",
                        "min-per-organisation", "mode", "customer-facing", "when", "withhold"},
                       {"audience", "template", "channel"}))
            continue;
        PlanEntry entry;
        entry.audience = r.unique_slug(item, "audience", audiences, "audience");
        entry.template_name = r.string(item, "template").value_or("");
        if (!entry.template_name.empty() && m_template_exists &&
            !m_template_exists(entry.template_name))
            r.problem(item["template"].Mark(),
                      fmt::format("template '{}' does not exist", entry.template_name));
        entry.channel = r.string(item, "channel").value_or("");
        if (!entry.channel.empty() && !channel_kind_names.parse(entry.channel))
            r.problem(item["channel"].Mark(),
                      fmt::format("unknown channel '{}' (channels: {})", entry.channel,
                                  channel_kind_names.joined()));
        entry.min_severity = r.severity(item, "min-severity").value_or("SEV4");
        entry.min_recipients = static_cast<int>(r.integer(item, "min-recipients", 1).value_or(1));
        if (auto per = r.integer(item, "min-per-organisation", 1))
            entry.min_per_organisation = static_cast<int>(*per);
        if (auto mode = r.string(item, "mode")) {
            if (*mode != "proactive" && *mode != "on-request")
                r.problem(item["mode"].Mark(),
                          fmt::format("unknown mode '{}' (modes: proactive, on-request)", *mode));
            entry.proactive = *mode != "on-request";
        }
        entry.customer_facing =
            r.boolean(item, "customer-facing")
                .value_or(entry.audience == "customers" || entry.audience == "status-page");
        entry.when = parse_when(item, runbook);
        for (const auto& field : r.strings(item, "withhold"))
            entry.withhold.push_back(field);
        runbook.communications.push_back(std::move(entry));
    }
}

void RunbookParser::parse_workarounds(const YAML::Node& root, Runbook& runbook) {
    for (const auto& item : r.sequence(root, "workarounds")) {
        if (!r.mapping(item, "a workaround", {"title", "detail", "when"}, {"title"}))
            continue;
        Workaround workaround;
        workaround.title = r.string(item, "title").value_or("");
        workaround.detail = r.string(item, "detail").value_or("");
        workaround.when = parse_when(item, runbook);
        runbook.workarounds.push_back(std::move(workaround));
    }
}

void RunbookParser::parse_deadlines(const YAML::Node& root, Runbook& runbook) {
    Seen ids;
    for (const auto& item : r.sequence(root, "deadlines")) {
        if (!r.mapping(item, "a deadline", {"id", "title", "detail", "within", "when", "met-by"},
                       {"id", "title", "within"}))
            continue;
        DeadlineRule deadline;
        deadline.id = r.unique_slug(item, "id", ids, "deadline id");
        deadline.title = r.string(item, "title").value_or("");
        deadline.detail = r.string(item, "detail").value_or("");
        deadline.within = r.duration(item, "within").value_or(std::chrono::seconds{0});
        deadline.when = parse_when(item, runbook);
        deadline.met_by_audience = parse_met_by(item, runbook);
        runbook.deadlines.push_back(std::move(deadline));
    }
}

std::optional<std::string> RunbookParser::parse_met_by(const YAML::Node& deadline,
                                                       const Runbook& runbook) {
    YAML::Node met_by = deadline["met-by"];
    if (!met_by || !r.mapping(met_by, "met-by", {"audience"}, {"audience"}))
        return std::nullopt;
    auto audience = r.slug(met_by, "audience");
    if (!audience)
        return std::nullopt;
    bool planned = std::any_of(runbook.communications.begin(), runbook.communications.end(),
                               [&](const PlanEntry& entry) { return entry.audience == *audience; });
    if (!planned) {
        std::vector<std::string> audiences;
        for (const auto& entry : runbook.communications)
            audiences.push_back(entry.audience);
        r.problem(met_by["audience"].Mark(),
                  fmt::format("met-by names audience '{}', which the communications plan does "
                              "not have (audiences: {})",
                              *audience,
                              audiences.empty() ? "none"
                                                : fmt::format("{}", fmt::join(audiences, ", "))));
    }
    return audience;
}

std::optional<Runbook> parse_runbook(const std::filesystem::path& file,
                                     const TemplateExists& template_exists,
                                     std::vector<Problem>& problems) {
    size_t before = problems.size();
    auto root = load_yaml(file, problems);
    if (!root)
        return std::nullopt;
    YamlReader reader(file, problems);
    Runbook runbook;
    runbook.file = file;
    RunbookParser(reader, template_exists).parse(*root, runbook);
    sort_problems(problems, before);
    if (problems.size() != before)
        return std::nullopt;
    return runbook;
}

std::optional<SeverityScale> parse_severity_scale(const std::filesystem::path& file,
                                                  std::vector<Problem>& problems) {
    size_t before = problems.size();
    auto root = load_yaml(file, problems);
    if (!root)
        return std::nullopt;
    YamlReader r(file, problems);
    SeverityScale scale;
    scale.file = file;
    if (r.mapping(*root, "the severity file", {"version", "assess-within", "levels"},
                  {"version", "levels"})) {
        if (auto within = r.duration(*root, "assess-within"))
            scale.assess_within = *within;
        if (auto version = r.integer(*root, "version", 1); version && *version != 1)
            r.problem((*root)["version"].Mark(),
                      fmt::format("severity file version {} is not known; this outage reads "
                                  "version 1",
                                  *version));
        auto items = r.sequence(*root, "levels");
        const char* expected[] = {"SEV1", "SEV2", "SEV3", "SEV4"};
        for (size_t i = 0; i < items.size(); ++i) {
            const auto& item = items[i];
            if (!r.mapping(item, "a severity level",
                           {"id", "name", "meaning", "update-interval", "proactive"},
                           {"id", "name", "meaning", "update-interval", "proactive"}))
                continue;
            SeverityLevel level;
            level.id = r.string(item, "id").value_or("");
            if (i < 4 && !level.id.empty() && level.id != expected[i])
                r.problem(item["id"].Mark(), fmt::format("level {} must be {} (levels are SEV1 "
                                                         "to SEV4, in order)",
                                                         i + 1, expected[i]));
            level.name = r.string(item, "name").value_or("");
            level.meaning = r.string(item, "meaning").value_or("");
            level.update_interval =
                r.duration(item, "update-interval").value_or(std::chrono::seconds{0});
            level.proactive = r.boolean(item, "proactive").value_or(false);
            scale.levels.push_back(std::move(level));
        }
        if ((*root)["levels"] && items.size() != 4)
            r.problem((*root)["levels"].Mark(),
                      fmt::format("'levels' must define exactly SEV1, SEV2, SEV3 and SEV4, not {} "
                                  "levels",
                                  items.size()));
    }
    sort_problems(problems, before);
    if (problems.size() != before)
        return std::nullopt;
    return scale;
}

std::vector<std::pair<std::string, std::string>>
read_answers_file(const std::filesystem::path& file) {
    // Answers decide the severity, and so who is told: a file others could change is refused
    // as a runbook would be (exit 4), not as a mistyped answer.
    if (auto untrusted = untrusted_input(file))
        throw Error(Exit::invalid_content,
                    fmt::format("--answers-file: {}:1:1: {}", file.string(), *untrusted));
    std::vector<Problem> problems;
    auto root = load_yaml(file, problems);
    std::vector<std::pair<std::string, std::string>> answers;
    if (root) {
        YamlReader r(file, problems);
        if (!root->IsMap()) {
            r.problem(root->Mark(), "an answers file is a mapping of question id to answer");
        } else {
            for (auto it = root->begin(); it != root->end(); ++it) {
                if (!it->first.IsScalar() || !it->second.IsScalar()) {
                    r.problem(it->first.Mark(), "each answer is `question_id: value`");
                    continue;
                }
                answers.emplace_back(it->first.Scalar(), it->second.Scalar());
            }
        }
    }
    if (!problems.empty())
        throw Error(Exit::usage, fmt::format("--answers-file: {}", to_string(problems.front())));
    return answers;
}

} // namespace outage
