#include "outage/model/runbook.hpp"

#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace outage {
namespace {

template <typename T> const T* find_by_id(const std::vector<T>& items, std::string_view id) {
    auto it =
        std::find_if(items.begin(), items.end(), [&](const T& item) { return item.id == id; });
    return it == items.end() ? nullptr : &*it;
}

} // namespace

bool holds(const Condition& condition, const Answers& answers) {
    using Op = Condition::Op;
    switch (condition.op) {
    case Op::all:
        return std::all_of(condition.children.begin(), condition.children.end(),
                           [&](const Condition& child) { return holds(child, answers); });
    case Op::any:
        return std::any_of(condition.children.begin(), condition.children.end(),
                           [&](const Condition& child) { return holds(child, answers); });
    case Op::negate:
        return !condition.children.empty() && !holds(condition.children.front(), answers);
    default:
        break;
    }
    auto answer = answers.find(condition.question);
    if (answer == answers.end() || answer->second.is_null())
        return false;
    const nlohmann::json& value = answer->second;
    switch (condition.op) {
    case Op::equals:
    case Op::one_of:
        return std::find(condition.values.begin(), condition.values.end(), value) !=
               condition.values.end();
    case Op::at_least:
        return value.is_number() && value.get<double>() >= condition.number;
    case Op::at_most:
        return value.is_number() && value.get<double>() <= condition.number;
    default:
        return false;
    }
}

const SeverityLevel& SeverityScale::level(std::string_view id) const {
    for (const auto& level : levels)
        if (level.id == id)
            return level;
    throw Error(Exit::invalid_content, fmt::format("{}: no severity level {}", file.string(), id));
}

int severity_rank(std::string_view level) {
    if (level.size() == 4 && level.substr(0, 3) == "SEV" && level[3] >= '1' && level[3] <= '4')
        return level[3] - '0';
    return 0;
}

bool meets(std::string_view level, std::string_view threshold) {
    int rank = severity_rank(level);
    return rank > 0 && rank <= severity_rank(threshold);
}

const Question* Runbook::question(std::string_view wanted) const {
    return find_by_id(questions, wanted);
}
const Step* Runbook::step(std::string_view wanted) const {
    return find_by_id(steps, wanted);
}
const DeadlineRule* Runbook::deadline(std::string_view wanted) const {
    return find_by_id(deadlines, wanted);
}

} // namespace outage
