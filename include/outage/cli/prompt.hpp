#pragma once

#include "outage/core/runbook.hpp"

#include <nlohmann/json.hpp>

namespace outage::cli {

// Asks one question on the terminal until the answer is valid: the prompt, its help, the
// choices numbered; an invalid answer is re-asked with the reason. Throws Error(usage) when
// input ends first.
nlohmann::json ask(const Question& question, size_t number, size_t total);

} // namespace outage::cli
