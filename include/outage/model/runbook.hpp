#pragma once

#include "outage/model/names.hpp"
#include "outage/model/time.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

// The answers of one assessment, by question id: a string (choice value, "yes"/"no", text)
// or a number.
using Answers = std::map<std::string, nlohmann::json>;

enum class QuestionType { choice, yes_no, number, text };
inline constexpr NameTable question_type_names{
    std::pair{QuestionType::choice, "choice"}, std::pair{QuestionType::yes_no, "yes-no"},
    std::pair{QuestionType::number, "number"}, std::pair{QuestionType::text, "text"}};

struct Choice {
    std::string value;
    std::string label;

    bool operator==(const Choice&) const = default;
};

struct Question {
    std::string id;
    std::string prompt;
    std::string help;
    QuestionType type = QuestionType::text;
    std::vector<Choice> choices;
    std::optional<double> min, max; // number questions only

    bool operator==(const Question&) const = default;
};

// A structured condition on answers (docs/runbooks.md, "conditions").
struct Condition {
    enum class Op { all, any, negate, equals, one_of, at_least, at_most };
    Op op = Op::all;
    std::string question;               // leaves
    std::vector<nlohmann::json> values; // equals: one value; one_of: several
    double number = 0;                  // at_least, at_most
    std::vector<Condition> children;    // all, any, negate (one child)

    bool operator==(const Condition&) const = default;
};

// True when the answers satisfy the condition; a question without an answer satisfies nothing.
bool holds(const Condition& condition, const Answers& answers);

struct SeverityLevel {
    std::string id; // SEV1..SEV4
    std::string name;
    std::string meaning;
    std::chrono::seconds update_interval{};
    bool proactive = false; // customers are told without asking
};

// The four levels of severity.yaml, SEV1 first.
struct SeverityScale {
    std::vector<SeverityLevel> levels;
    // An incident nobody has assessed this long after it opened is overdue (`due`).
    std::chrono::seconds assess_within{15 * 60};
    std::filesystem::path file;

    // The level with this id; Error(invalid_content) when the scale lacks it.
    const SeverityLevel& level(std::string_view id) const;
};

// The severity levels, worst first: what `list --severity` accepts and the log may hold.
inline constexpr std::array<std::string_view, 4> severity_levels{"SEV1", "SEV2", "SEV3", "SEV4"};

// 1 for SEV1 (worst) .. 4 for SEV4; 0 for anything else.
int severity_rank(std::string_view level);

// True when `level` is `threshold` or worse (SEV1 meets a SEV2 threshold).
bool meets(std::string_view level, std::string_view threshold);

struct SeverityRule {
    std::string name;
    std::string level;
    std::optional<Condition> when; // only the last rule, the default, has none

    bool operator==(const SeverityRule&) const = default;
};

struct IntervalOverride {
    std::optional<Condition> when;
    std::map<std::string, std::chrono::seconds> by_level;

    bool operator==(const IntervalOverride&) const = default;
};

struct Step {
    std::string id;
    std::string title;
    std::string detail;
    std::string role;
    std::optional<std::string> min_severity;
    bool optional = false;

    bool operator==(const Step&) const = default;
};

// One audience of the communications plan.
struct PlanEntry {
    std::string audience;
    std::string template_name;
    std::string channel;
    std::string min_severity = "SEV4";
    int min_recipients = 1;
    std::optional<int> min_per_organisation;
    bool proactive = true;        // false: on request
    bool customer_facing = false; // gated by the level's `proactive`
    std::optional<Condition> when;
    std::vector<std::string> withhold;

    bool operator==(const PlanEntry&) const = default;
};

struct Workaround {
    std::string title;
    std::string detail;
    std::optional<Condition> when;

    bool operator==(const Workaround&) const = default;
};

struct DeadlineRule {
    std::string id;
    std::string title;
    std::string detail;
    std::chrono::seconds within{};
    std::optional<Condition> when; // none: starts when the incident opens
    // `met-by: {audience: customers}`: the first delivered notice to this audience meets it.
    std::optional<std::string> met_by_audience;

    bool operator==(const DeadlineRule&) const = default;
};

// One scenario's plan, as loaded and validated from runbooks/<id>.yaml.
struct Runbook {
    std::string id;
    std::string title;
    std::string description;
    std::vector<Question> questions;
    std::vector<SeverityRule> severity_rules;
    std::vector<IntervalOverride> update_intervals;
    std::vector<Step> steps;
    std::vector<PlanEntry> communications;
    std::vector<Workaround> workarounds;
    std::vector<std::string> recovery;
    std::vector<std::string> prevention;
    std::vector<DeadlineRule> deadlines;
    std::filesystem::path file;

    const Question* question(std::string_view id) const;
    const Step* step(std::string_view id) const;
    const DeadlineRule* deadline(std::string_view id) const;

    // Field by field, `file` included: how a cached runbook is checked against the file.
    bool operator==(const Runbook&) const = default;
};

inline std::string_view to_string(QuestionType type) {
    return question_type_names.name(type);
}

} // namespace outage
