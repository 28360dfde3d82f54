#pragma once

#include "outage/model/incident.hpp"
#include "outage/model/names.hpp"

#include <optional>
#include <string_view>

namespace outage {

// Where a deadline stands. A met deadline's outcome depends only on when it was due and when
// it was met, so a report on it reads the same whenever it is made; only an unmet one is read
// against `now`: running until it is due, missed after. The incident's state plays no part:
// deadlines outlive the incident (docs/decisions.md, "Promises kept (issue 11)").
enum class DeadlineOutcome { met_on_time, met_late, missed, running };
inline constexpr NameTable deadline_outcome_names{
    std::pair{DeadlineOutcome::met_on_time, "met on time"},
    std::pair{DeadlineOutcome::met_late, "met late"}, std::pair{DeadlineOutcome::missed, "missed"},
    std::pair{DeadlineOutcome::running, "running"}};

inline std::string_view to_string(DeadlineOutcome outcome) {
    return deadline_outcome_names.name(outcome);
}

// Met at the due time is on time; unmet at the due time is still running.
inline DeadlineOutcome deadline_outcome(Timestamp due_at, const std::optional<Timestamp>& met_at,
                                        Timestamp now) {
    if (met_at)
        return *met_at > due_at ? DeadlineOutcome::met_late : DeadlineOutcome::met_on_time;
    return has_passed(due_at, now) ? DeadlineOutcome::missed : DeadlineOutcome::running;
}

inline DeadlineOutcome deadline_outcome(const Deadline& deadline, Timestamp now) {
    return deadline_outcome(deadline.due_at, deadline.met_at, now);
}

} // namespace outage
