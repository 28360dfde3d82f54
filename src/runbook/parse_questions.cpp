#include "runbook_parser.hpp"

#include "outage/model/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace outage {
namespace {

constexpr int max_condition_depth = 16;

std::string choice_values(const Question& question) {
    std::vector<std::string> values;
    for (const auto& choice : question.choices)
        values.push_back(choice.value);
    return fmt::format("{}", fmt::join(values, ", "));
}

} // namespace

using nlohmann::json;

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

} // namespace outage
