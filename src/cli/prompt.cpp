#include "outage/cli/prompt.hpp"

#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/services/assessment.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <string>

namespace outage::cli {

nlohmann::json ask(const Question& question, size_t number, size_t total) {
    fmt::print(stderr, "\n({}/{}) {}\n", number, total, question.prompt);
    if (!question.help.empty())
        fmt::print(stderr, "      {}\n", question.help);
    for (size_t i = 0; i < question.choices.size(); ++i)
        fmt::print(stderr, "  {}) {:<12} {}\n", i + 1, question.choices[i].value,
                   question.choices[i].label);
    std::string hint = question.type == QuestionType::choice
                           ? fmt::format("1-{} or a value", question.choices.size())
                           : allowed_answers(question);
    while (true) {
        fmt::print(stderr, "{} [{}]: ", question.id, hint);
        std::fflush(stderr);
        std::string line;
        if (!std::getline(std::cin, line))
            throw Error(Exit::usage,
                        fmt::format("input ended before question '{}' was answered", question.id));
        ParsedAnswer parsed = parse_answer(question, line, true);
        if (parsed.value)
            return *parsed.value;
        fmt::print(stderr, "  {}; try again.\n", shown(parsed.error));
    }
}

std::optional<std::string> ask_text(const std::string& prompt, size_t number, size_t total,
                                    const AnswerCheck& check) {
    fmt::print(stderr, "\n({}/{}) {}\n", number, total, prompt);
    while (true) {
        fmt::print(stderr, "> ");
        std::fflush(stderr);
        std::string line;
        if (!std::getline(std::cin, line))
            return std::nullopt;
        auto begin = line.find_first_not_of(" \t\r");
        if (begin == std::string::npos)
            return std::nullopt;
        line = line.substr(begin, line.find_last_not_of(" \t\r") - begin + 1);
        std::string problem = check ? check(line) : std::string();
        if (problem.empty())
            return line;
        fmt::print(stderr, "  {}; try again.\n", shown(problem));
    }
}

} // namespace outage::cli
