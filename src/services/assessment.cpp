#include "outage/services/assessment.hpp"

#include "outage/model/error.hpp"
#include "outage/model/text.hpp"
#include "outage/services/lifecycle.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace outage {
namespace {

using nlohmann::json;

std::string lower(std::string_view text) {
    std::string result(text);
    for (char& c : result)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return result;
}

std::string trim(std::string_view text) {
    size_t start = text.find_first_not_of(" \t");
    if (start == std::string_view::npos)
        return "";
    size_t end = text.find_last_not_of(" \t");
    return std::string(text.substr(start, end - start + 1));
}

std::optional<double> parse_number(std::string_view text) {
    double value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
        return std::nullopt;
    return value;
}

std::string format_number(double value) {
    return number_answer(value).dump();
}

} // namespace

nlohmann::json number_answer(double value) {
    // Whole numbers are stored as integers so they print as people typed them.
    if (std::floor(value) == value && std::fabs(value) < 9e15)
        return nlohmann::json(static_cast<std::int64_t>(value));
    return nlohmann::json(value);
}

std::string allowed_answers(const Question& question) {
    switch (question.type) {
    case QuestionType::choice: {
        std::vector<std::string> values;
        for (const auto& choice : question.choices)
            values.push_back(choice.value);
        return fmt::format("one of: {}", fmt::join(values, ", "));
    }
    case QuestionType::yes_no:
        return "yes or no";
    case QuestionType::number:
        if (question.min && question.max)
            return fmt::format("a number from {} to {}", format_number(*question.min),
                               format_number(*question.max));
        if (question.min)
            return fmt::format("a number of at least {}", format_number(*question.min));
        if (question.max)
            return fmt::format("a number of at most {}", format_number(*question.max));
        return "a number";
    case QuestionType::text:
        return "one line of text";
    }
    return "";
}

ParsedAnswer parse_answer(const Question& question, std::string_view raw, bool allow_index) {
    std::string text = trim(raw);
    if (text.empty())
        return {std::nullopt, fmt::format("an answer is needed: {}", allowed_answers(question))};
    switch (question.type) {
    case QuestionType::choice: {
        for (const auto& choice : question.choices)
            if (choice.value == text)
                return {json(choice.value), ""};
        if (allow_index)
            if (auto number = parse_number(text);
                number && *number >= 1 && *number <= static_cast<double>(question.choices.size()) &&
                std::floor(*number) == *number)
                return {json(question.choices[static_cast<size_t>(*number) - 1].value), ""};
        std::string expected = allowed_answers(question);
        if (allow_index)
            expected += fmt::format(" (or 1 to {})", question.choices.size());
        return {std::nullopt, fmt::format("'{}' is not a choice; expected {}", text, expected)};
    }
    case QuestionType::yes_no: {
        std::string answer = lower(text);
        if (answer == "yes" || answer == "y" || answer == "true")
            return {json("yes"), ""};
        if (answer == "no" || answer == "n" || answer == "false")
            return {json("no"), ""};
        return {std::nullopt,
                fmt::format("'{}' is not yes or no (y/n and true/false work too)", text)};
    }
    case QuestionType::number: {
        auto number = parse_number(text);
        if (!number || (question.min && *number < *question.min) ||
            (question.max && *number > *question.max))
            return {std::nullopt, fmt::format("'{}' is not {}", text, allowed_answers(question))};
        return {number_answer(*number), ""};
    }
    case QuestionType::text:
        if (auto refused = find_refused_character(text, TextKind::line))
            return {std::nullopt, refusal_message("the answer", *refused, TextKind::line)};
        if (text.size() > max_line_bytes)
            return {std::nullopt,
                    fmt::format("the answer is longer than {} bytes", max_line_bytes)};
        return {json(text), ""};
    }
    return {std::nullopt, "unknown question type"};
}

Verdict decide_severity(const Runbook& runbook, const Answers& answers) {
    for (const auto& rule : runbook.severity_rules)
        if (!rule.when || holds(*rule.when, answers))
            return {rule.level, rule.name};
    // The loader guarantees a final rule without a condition.
    throw Error(Exit::invalid_content,
                fmt::format("{}: the severity rules have no default", runbook.file.string()));
}

std::chrono::seconds update_interval(const Runbook& runbook, const SeverityScale& scale,
                                     const std::string& level, const Answers& answers) {
    for (const auto& entry : runbook.update_intervals) {
        if (entry.when && !holds(*entry.when, answers))
            continue;
        if (auto it = entry.by_level.find(level); it != entry.by_level.end())
            return it->second;
    }
    return scale.level(level).update_interval;
}

std::vector<AudienceCall> audiences_for(const Runbook& runbook, const SeverityLevel& level,
                                        const Answers& answers) {
    std::vector<AudienceCall> calls;
    for (const auto& entry : runbook.communications) {
        if (!meets(level.id, entry.min_severity))
            continue;
        if (entry.when && !holds(*entry.when, answers))
            continue;
        calls.push_back({&entry, entry.proactive && (!entry.customer_facing || level.proactive)});
    }
    return calls;
}

std::vector<StepView> steps_for(const Runbook& runbook, const std::optional<std::string>& severity,
                                const std::vector<StepProgress>& progress) {
    std::vector<StepView> views;
    for (const auto& step : runbook.steps) {
        if (severity && step.min_severity && !meets(*severity, *step.min_severity))
            continue;
        StepView view{&step, std::nullopt};
        for (const auto& p : progress)
            if (p.step_id == step.id)
                view.progress = p;
        views.push_back(view);
    }
    return views;
}

std::vector<const Workaround*> workarounds_for(const Runbook& runbook, const Answers& answers) {
    std::vector<const Workaround*> result;
    for (const auto& workaround : runbook.workarounds)
        if (!workaround.when || holds(*workaround.when, answers))
            result.push_back(&workaround);
    return result;
}

GatheredAnswers gather_answers(Store& store, const Runbook& runbook, IncidentId id,
                               const std::vector<std::pair<std::string, std::string>>& given) {
    require_incident(store, id);
    GatheredAnswers gathered;
    if (auto last = store.last_assessment(id))
        for (const auto& [key, value] : last->answers.items())
            if (runbook.question(key))
                gathered.answers[key] = value;
    for (const auto& [key, text] : given) {
        const Question* question = runbook.question(key);
        if (!question) {
            std::vector<std::string> ids;
            for (const auto& q : runbook.questions)
                ids.push_back(q.id);
            throw Error(Exit::usage, fmt::format("unknown question '{}' for scenario {} "
                                                 "(questions: {})",
                                                 key, runbook.id, fmt::join(ids, ", ")));
        }
        // Whatever the question's type, so the message names the character rather than
        // quoting it among the choices.
        if (auto refused = find_refused_character(text, TextKind::line))
            throw Error(Exit::usage,
                        refusal_message(fmt::format("the answer to question '{}'", key), *refused,
                                        TextKind::line));
        ParsedAnswer parsed = parse_answer(*question, text, false);
        if (!parsed.value)
            throw Error(Exit::usage,
                        fmt::format("invalid answer '{}' to question '{}': expected {}", text, key,
                                    allowed_answers(*question)));
        gathered.answers[key] = *parsed.value;
    }
    for (const auto& question : runbook.questions)
        if (!gathered.answers.count(question.id))
            gathered.missing.push_back(&question);
    return gathered;
}

std::vector<Deadline> start_deadlines(Store& store, const Runbook& runbook, IncidentId id,
                                      const Answers* answers, const Stamp& stamp) {
    std::vector<Deadline> running = store.deadlines(id);
    std::vector<Deadline> started;
    for (const auto& rule : runbook.deadlines) {
        bool applies = rule.when ? answers && holds(*rule.when, *answers) : true;
        bool is_running = std::any_of(running.begin(), running.end(),
                                      [&](const Deadline& d) { return d.name == rule.id; });
        if (!applies || is_running)
            continue;
        Deadline deadline{id, rule.id, rule.title, stamp.at, stamp.at + rule.within, {}, {}};
        store.save_deadline(deadline);
        store.append_event(id, stamp,
                           events::DeadlineStarted{.deadline = rule.id,
                                                   .title = rule.title,
                                                   .due_at = deadline.due_at});
        started.push_back(deadline);
    }
    return started;
}

UpdateClocks clocks_after_assessment(UpdateClocks clocks, Timestamp at,
                                     std::chrono::seconds interval) {
    Timestamp due = at + interval;
    if (clocks.empty())
        clocks[first_update] = due;
    // A re-assessment never pushes back an update already owed; a graver level brings the
    // promised ones forward.
    for (auto& [audience, clock] : clocks)
        clock = std::min(clock, due);
    return clocks;
}

AssessmentResult assess_incident(Store& store, const Runbook& runbook, const SeverityScale& scale,
                                 IncidentId id, const Answers& answers, const Stamp& stamp) {
    std::vector<std::string> missing;
    for (const auto& question : runbook.questions)
        if (!answers.count(question.id))
            missing.push_back(fmt::format("{} ({})", question.id, question.prompt));
    if (!missing.empty())
        throw Error(Exit::usage, fmt::format("missing answers: {}; pass --answer ID=VALUE or "
                                             "answer on a terminal",
                                             fmt::join(missing, "; ")));

    return write_transaction(store, [&] {
        AssessmentResult result;
        Incident incident = require_open(store, id, "assess");
        Verdict verdict = decide_severity(runbook, answers);
        result.level = &scale.level(verdict.level);
        result.interval = update_interval(runbook, scale, verdict.level, answers);
        result.previous_severity = incident.severity;

        result.record = {id, stamp.at, stamp.actor, json(answers), verdict.level, verdict.rule};
        store.insert_assessment(result.record);

        incident.severity = verdict.level;
        incident.update_interval = result.interval;
        UpdateClocks clocks =
            clocks_after_assessment(store.update_clocks(id), stamp.at, result.interval);
        store.save_update_clocks(id, clocks);
        incident.next_update_due = earliest(clocks);
        store.save_incident(incident);

        store.append_event(id, stamp,
                           events::Assessed{.severity = verdict.level,
                                            .rule = verdict.rule,
                                            .answers = answers,
                                            .next_update_due = *incident.next_update_due,
                                            .update_interval = result.interval.count(),
                                            .clocks = clocks});
        if (result.previous_severity != verdict.level)
            store.append_event(id, stamp,
                               events::SeverityChanged{.from = result.previous_severity,
                                                       .to = verdict.level,
                                                       .rule = verdict.rule});
        start_deadlines(store, runbook, id, &answers, stamp);

        result.incident = incident;
        result.audiences = audiences_for(runbook, *result.level, answers);
        result.steps = steps_for(runbook, incident.severity, store.step_progress(id));
        result.deadlines = store.deadlines(id);
        return result;
    });
}

} // namespace outage
