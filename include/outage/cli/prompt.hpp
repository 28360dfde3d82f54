#pragma once

#include "outage/model/runbook.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>

namespace outage::cli {

// Asks one question on the terminal until the answer is valid: the prompt, its help, the
// choices numbered; an invalid answer is re-asked with the reason. Throws Error(usage) when
// input ends first.
nlohmann::json ask(const Question& question, size_t number, size_t total);

// Checks a typed answer: empty when it is fine, else why not (shown before asking again).
using AnswerCheck = std::function<std::string(const std::string& answer)>;

// Asks one question whose answer is a line of free text, on the terminal like `ask`; an empty
// answer or the end of input gives nothing, an answer `check` refuses is asked again.
std::optional<std::string> ask_text(const std::string& prompt, size_t number, size_t total,
                                    const AnswerCheck& check = {});

} // namespace outage::cli
