#include "outage/runbook/load.hpp"

#include "outage/io/yaml_reader.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <tuple>

namespace outage {
namespace {

using nlohmann::json;
using Seen = YamlReader::Seen;

constexpr int max_condition_depth = 16;
constexpr const char* channels[] = {"stdout", "file", "email", "webhook"};

std::string choice_values(const Question& question) {
    std::vector<std::string> values;
    for (const auto& choice : question.choices)
        values.push_back(choice.value);
    return fmt::format("{}", fmt::join(values, ", "));
}

// Reads runbook files; every parse_* reports its own problems and returns what it could read.
class RunbookParser {
  public:
    RunbookParser(YamlReader& reader, const TemplateExists& template_exists)
        : r(reader), m_template_exists(template_exists) {}

    void parse(const YAML::Node& root, Runbook& runbook);

  private:
    void parse_questions(const YAML::Node& root, Runbook& runbook);
    std::optional<Condition> parse_condition(const YAML::Node& node, const Runbook& runbook,
                                             int depth);
    std::optional<json> answer_value(const YAML::Node& node, const Question& question);
    std::optional<Condition> parse_when(const YAML::Node& map, const Runbook& runbook);
    void parse_severity_rules(const YAML::Node& root, Runbook& runbook);
    void parse_intervals(const YAML::Node& root, Runbook& runbook);
    void parse_steps(const YAML::Node& root, Runbook& runbook);
    void parse_communications(const YAML::Node& root, Runbook& runbook);
    void parse_workarounds(const YAML::Node& root, Runbook& runbook);
    void parse_deadlines(const YAML::Node& root, Runbook& runbook);

    YamlReader& r;
    const TemplateExists& m_template_exists;
};

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

void RunbookParser::parse_questions(const YAML::Node& root, Runbook& runbook) {
    Seen ids;
    auto items = r.sequence(root, "questions");
    if (root["questions"] && root["questions"].IsSequence() && items.empty())
        r.problem(root["questions"].Mark(), "'questions' must hold at least one question");
    for (const auto& item : items) {
        if (!r.mapping(item, "a question",
                       {"id", "prompt", "type", "help", "choices", "min", "max"},
                       {"id", "prompt", "type"}))
            continue;
        Question question;
        question.id = r.unique_slug(item, "id", ids, "question id");
        question.prompt = r.string(item, "prompt").value_or("");
        question.help = r.string(item, "help").value_or("");
        // A plain flag rather than an optional: GCC 12 at -O2 sees the optional as maybe
        // uninitialised in the comparisons below.
        bool known_type = false;
        if (auto type_text = r.string(item, "type")) {
            if (auto type = question_type_names.parse(*type_text)) {
                question.type = *type;
                known_type = true;
            } else {
                r.problem(item["type"].Mark(),
                          fmt::format("unknown question type '{}' (types: {})", *type_text,
                                      question_type_names.joined()));
            }
        }
        bool is_choice = known_type && question.type == QuestionType::choice;
        bool is_number = known_type && question.type == QuestionType::number;
        if (item["choices"] && !is_choice)
            r.problem(item["choices"].Mark(), "'choices' belongs only to a choice question");
        if (is_choice) {
            Seen values;
            for (const auto& choice_node : r.sequence(item, "choices")) {
                if (!r.mapping(choice_node, "a choice", {"value", "label"}, {"value", "label"}))
                    continue;
                Choice choice{r.string(choice_node, "value").value_or(""),
                              r.string(choice_node, "label").value_or("")};
                if (!choice.value.empty())
                    r.unique(values, choice.value, choice_node["value"].Mark(), "choice value");
                question.choices.push_back(choice);
            }
            if (question.choices.size() < 2)
                r.problem(item.Mark(), fmt::format("choice question '{}' needs at least two "
                                                   "choices",
                                                   question.id));
        }
        if ((item["min"] || item["max"]) && !is_number)
            r.problem(item.Mark(), "'min' and 'max' belong only to a number question");
        question.min = r.number(item, "min");
        question.max = r.number(item, "max");
        if (question.min && question.max && *question.min > *question.max)
            r.problem(item["max"].Mark(), "'max' is below 'min'");
        runbook.questions.push_back(std::move(question));
    }
}

std::optional<json> RunbookParser::answer_value(const YAML::Node& node, const Question& question) {
    if (!node.IsScalar()) {
        r.problem(node.Mark(),
                  fmt::format("a value for question '{}' must be a single value", question.id));
        return std::nullopt;
    }
    const std::string& text = node.Scalar();
    switch (question.type) {
    case QuestionType::choice:
        for (const auto& choice : question.choices)
            if (choice.value == text)
                return json(text);
        r.problem(node.Mark(), fmt::format("choice '{}' does not exist in question '{}' "
                                           "(choices: {})",
                                           text, question.id, choice_values(question)));
        return std::nullopt;
    case QuestionType::yes_no: {
        bool value = false;
        if (YAML::convert<bool>::decode(node, value))
            return json(value ? "yes" : "no");
        r.problem(node.Mark(),
                  fmt::format("question '{}' is answered yes or no, not '{}'", question.id, text));
        return std::nullopt;
    }
    case QuestionType::number: {
        double value = 0;
        if (YAML::convert<double>::decode(node, value))
            return json(value);
        r.problem(node.Mark(), fmt::format("question '{}' is answered with a number, not '{}'",
                                           question.id, text));
        return std::nullopt;
    }
    case QuestionType::text:
        return json(text);
    }
    return std::nullopt;
}

std::optional<Condition> RunbookParser::parse_condition(const YAML::Node& node,
                                                        const Runbook& runbook, int depth) {
    if (depth > max_condition_depth) {
        r.problem(node.Mark(),
                  fmt::format("conditions nest deeper than {} levels", max_condition_depth));
        return std::nullopt;
    }
    if (!r.mapping(node, "a condition",
                   {"all", "any", "not", "question", "equals", "one-of", "at-least", "at-most"}))
        return std::nullopt;
    Condition condition;
    if (node["all"] || node["any"]) {
        const char* key = node["all"] ? "all" : "any";
        condition.op = node["all"] ? Condition::Op::all : Condition::Op::any;
        if (node.size() != 1)
            r.problem(node.Mark(), fmt::format("'{}' stands alone in its condition", key));
        auto items = r.sequence(node, key);
        if (items.empty())
            r.problem(node[key].Mark(), fmt::format("'{}' needs a list of conditions", key));
        for (const auto& item : items)
            if (auto child = parse_condition(item, runbook, depth + 1))
                condition.children.push_back(std::move(*child));
        return condition;
    }
    if (node["not"]) {
        condition.op = Condition::Op::negate;
        if (node.size() != 1)
            r.problem(node.Mark(), "'not' stands alone in its condition");
        if (auto child = parse_condition(node["not"], runbook, depth + 1))
            condition.children.push_back(std::move(*child));
        return condition;
    }
    auto question_id = r.string(node, "question");
    if (!question_id) {
        if (!node["question"])
            r.problem(node.Mark(), "a condition needs 'question' with one of equals, one-of, "
                                   "at-least, at-most (or all, any, not)");
        return std::nullopt;
    }
    condition.question = *question_id;
    const Question* question = runbook.question(*question_id);
    if (!question)
        r.problem(node["question"].Mark(),
                  fmt::format("condition names unknown question '{}'", *question_id));
    int tests = 0;
    for (const char* key : {"equals", "one-of", "at-least", "at-most"})
        tests += node[key] ? 1 : 0;
    if (tests != 1) {
        r.problem(node.Mark(), fmt::format("condition on '{}' needs exactly one of equals, "
                                           "one-of, at-least, at-most",
                                           *question_id));
        return std::nullopt;
    }
    if (node["equals"]) {
        condition.op = Condition::Op::equals;
        if (question)
            if (auto value = answer_value(node["equals"], *question))
                condition.values.push_back(*value);
    } else if (node["one-of"]) {
        condition.op = Condition::Op::one_of;
        auto items = r.sequence(node, "one-of");
        if (items.empty())
            r.problem(node["one-of"].Mark(), "'one-of' needs a list of values");
        for (const auto& item : items)
            if (question)
                if (auto value = answer_value(item, *question))
                    condition.values.push_back(*value);
    } else {
        const char* key = node["at-least"] ? "at-least" : "at-most";
        condition.op = node["at-least"] ? Condition::Op::at_least : Condition::Op::at_most;
        if (question && question->type != QuestionType::number)
            r.problem(node[key].Mark(), fmt::format("'{}' needs a number question; '{}' is {}", key,
                                                    question->id, to_string(question->type)));
        condition.number = r.number(node, key).value_or(0);
    }
    return condition;
}

std::optional<Condition> RunbookParser::parse_when(const YAML::Node& map, const Runbook& runbook) {
    if (!map["when"])
        return std::nullopt;
    return parse_condition(map["when"], runbook, 1);
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
        if (!entry.channel.empty() && std::find(std::begin(channels), std::end(channels),
                                                entry.channel) == std::end(channels))
            r.problem(item["channel"].Mark(),
                      fmt::format("unknown channel '{}' (channels: stdout, file, email, webhook)",
                                  entry.channel));
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
        if (!r.mapping(item, "a deadline", {"id", "title", "detail", "within", "when"},
                       {"id", "title", "within"}))
            continue;
        DeadlineRule deadline;
        deadline.id = r.unique_slug(item, "id", ids, "deadline id");
        deadline.title = r.string(item, "title").value_or("");
        deadline.detail = r.string(item, "detail").value_or("");
        deadline.within = r.duration(item, "within").value_or(std::chrono::seconds{0});
        deadline.when = parse_when(item, runbook);
        runbook.deadlines.push_back(std::move(deadline));
    }
}

} // namespace

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
    if (r.mapping(*root, "the severity file", {"version", "levels"}, {"version", "levels"})) {
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
