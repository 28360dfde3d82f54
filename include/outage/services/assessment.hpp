#pragma once

#include "outage/model/incident.hpp"
#include "outage/model/runbook.hpp"
#include "outage/store/store.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace outage {

// What an operator typed for a question, turned into an answer, or why it is not one.
struct ParsedAnswer {
    std::optional<nlohmann::json> value;
    std::string error;
};

// Parses an answer: a choice value (or its 1-based number when `allow_index`), yes/no, y/n or
// true/false, a number within min/max, or one line of text.
ParsedAnswer parse_answer(const Question& question, std::string_view text, bool allow_index);

// The answers a question allows, for messages: "yes or no", "one of: few, team, most".
std::string allowed_answers(const Question& question);

// A number as JSON the way people write it: whole numbers as integers (10, not 10.0).
nlohmann::json number_answer(double value);

// The severity the rules give for these answers, and the rule that decided it.
struct Verdict {
    std::string level;
    std::string rule;
};
Verdict decide_severity(const Runbook& runbook, const Answers& answers);

// How often updates are due at `level` for this scenario and these answers.
std::chrono::seconds update_interval(const Runbook& runbook, const SeverityScale& scale,
                                     const std::string& level, const Answers& answers);

// An audience the plan says to tell at this severity: now (proactively) or on request.
struct AudienceCall {
    const PlanEntry* entry = nullptr;
    bool now = false;
};
std::vector<AudienceCall> audiences_for(const Runbook& runbook, const SeverityLevel& level,
                                        const Answers& answers);

// The steps that apply at a severity (all of them before the first assessment), each with
// what has been done about it.
struct StepView {
    const Step* step = nullptr;
    std::optional<StepProgress> progress;
};
std::vector<StepView> steps_for(const Runbook& runbook, const std::optional<std::string>& severity,
                                const std::vector<StepProgress>& progress);

std::vector<const Workaround*> workarounds_for(const Runbook& runbook, const Answers& answers);

// Answers as the incident has them, with new ones validated and laid over the last
// assessment's; `missing` lists the questions still without an answer, in runbook order.
struct GatheredAnswers {
    Answers answers;
    std::vector<const Question*> missing;
};

// Validates answers given as question id and text (--answer, --answers-file). Throws
// Error(usage) naming an unknown question or an invalid value and what is allowed.
GatheredAnswers gather_answers(Store& store, const Runbook& runbook, IncidentId id,
                               const std::vector<std::pair<std::string, std::string>>& given);

// What `assess` reports.
struct AssessmentResult {
    Incident incident;
    AssessmentRecord record;
    std::optional<std::string> previous_severity;
    const SeverityLevel* level = nullptr;
    std::chrono::seconds interval{};
    std::vector<AudienceCall> audiences;
    std::vector<StepView> steps;
    std::vector<Deadline> deadlines; // every clock on the incident, started now or before
};

// The update clocks after an assessment at `at` whose level asks for updates every `interval`:
// the first assessment starts the first-update clock; a later one brings every clock forward to
// `at + interval` when that is sooner (docs/architecture.md#update-clocks).
UpdateClocks clocks_after_assessment(UpdateClocks clocks, Timestamp at,
                                     std::chrono::seconds interval);

// Records an assessment with a full set of answers: the severity (its change is its own
// event), the update interval and next update due, and starts the deadlines the answers
// call for. Throws Error(usage) naming every question still unanswered.
AssessmentResult assess_incident(Store& store, const Runbook& runbook, const SeverityScale& scale,
                                 IncidentId id, const Answers& answers, const Stamp& stamp);

// Starts the runbook deadlines that apply to the answers (all unconditional ones when
// `answers` is null) and are not yet running; appends a deadline_started event for each.
std::vector<Deadline> start_deadlines(Store& store, const Runbook& runbook, IncidentId id,
                                      const Answers* answers, const Stamp& stamp);

} // namespace outage
