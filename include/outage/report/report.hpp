#pragma once

#include "outage/model/deadline.hpp"
#include "outage/model/incident.hpp"
#include "outage/model/runbook.hpp"
#include "outage/report/durations.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/store/store.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace outage {

// One change of severity: `from` is empty at the first assessment.
struct SeverityChange {
    Timestamp at;
    std::string actor;
    std::optional<std::string> from;
    std::string to;
    std::string rule;
};

// One change of owner: `from` is empty when there was no owner.
struct Handover {
    Timestamp at;
    std::string actor;
    std::optional<std::string> from;
    std::string to;
    std::string note;
};

// One notify call and where its messages stand.
struct NoticeLine {
    std::int64_t id = 0;
    Timestamp at;
    std::string actor;
    std::string audience;
    std::string template_name;
    std::string channel;
    bool customer_facing = false;
    DeliveryCounts counts;
};

// Every notice to one audience, added up.
struct AudienceLine {
    std::string audience;
    bool customer_facing = false;
    std::int64_t notices = 0;
    DeliveryCounts counts;
    Timestamp first_at;
    Timestamp last_at;
};

// A runbook step and what was done about it. A step marked on the incident that the runbook
// no longer has keeps only its id.
struct StepLine {
    Step step;
    std::optional<StepProgress> progress; // none: still open
};

// The outcome is deadline_outcome's (model/deadline.hpp), as everywhere a deadline is shown.
struct DeadlineLine {
    Deadline deadline;
    DeadlineOutcome outcome = DeadlineOutcome::running;
};

struct TimelineLine {
    Event event;
    std::string text; // the event in words (describe_event)
};

// Everything the post-incident report says, gathered from the log: the three formats are
// views of this one structure, so they can never disagree.
struct Report {
    Incident incident;
    std::string scenario_title; // the runbook's title; the scenario id when it cannot load
    std::optional<std::string> runbook_problem; // why the runbook could not be read
    Timestamp generated_at;
    std::vector<SeverityChange> severity_changes;
    std::vector<Handover> handovers;
    Durations durations;
    int reopens = 0;
    std::vector<TimelineLine> timeline;
    std::vector<AudienceLine> audiences; // in order of their first notice
    std::vector<NoticeLine> notices;     // oldest first
    std::vector<StepLine> steps;         // runbook order, then steps the runbook lost
    std::vector<DeadlineLine> deadlines; // earliest due first
};

// Reads the incident's report from the log at `now` (which ends the durations of an incident
// still open). The runbook gives step titles and which audiences face customers; when it is
// gone or broken the report still builds from the log alone. Throws Error(not_found) for an
// unknown incident.
Report build_report(Store& store, const RunbookPath& runbooks, IncidentId id, Timestamp now);

// The report as one JSON object (docs/reports.md): the same data as the other formats.
nlohmann::json report_json(const Report& report);

// The report as Markdown, for a ticket, a wiki page or a review meeting.
std::string report_markdown(const Report& report);

// The report as one self-contained HTML document (inline CSS and SVG, no script, no external
// asset), every value escaped, with a picture of severity over time.
std::string report_html(const Report& report);

} // namespace outage
