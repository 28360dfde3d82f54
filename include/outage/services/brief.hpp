#pragma once

#include "outage/model/incident.hpp"
#include "outage/model/runbook.hpp"
#include "outage/render/template.hpp"
#include "outage/services/queued.hpp"
#include "outage/store/store.hpp"

#include <optional>
#include <string>
#include <vector>

namespace outage {

// One owner's time on the incident: from opening, or from a handover to them.
struct OwnerSpell {
    std::string owner;
    Timestamp since;
    std::string by;                  // who opened it or handed it over
    bool handover = false;           // false: the owner it was opened with
    std::optional<std::string> from; // handovers: the owner before
    std::optional<std::string> note; // handovers: the note for the new owner
    std::optional<Timestamp> acknowledged_at;
};

// A runbook step with what has been done about it (a copy, so the brief stands alone).
struct BriefStep {
    Step step;
    std::optional<StepProgress> progress;
};

// The last message an audience had, with its subject as the template renders it with the
// values sent (nothing when the template is gone or needs a recipient's own fields).
struct LastNotice {
    NoticeRecord notice;
    DeliveryCounts counts;
    std::optional<std::string> subject;
};

// What whoever takes over needs to know, on one screen (`outage brief`).
struct Brief {
    Incident incident;
    std::optional<std::string> runbook_title; // nothing when the runbook cannot be read
    std::optional<AssessmentRecord> assessment;
    std::vector<OwnerSpell> owners;       // oldest first; the last is the current owner
    std::vector<BriefStep> done;          // done or skipped, in the order they were marked
    std::vector<BriefStep> pending;       // apply at the severity, not marked yet
    std::vector<Deadline> deadlines;      // running: not met yet, earliest first
    std::vector<QueuedNotice> queued;     // oldest first
    std::vector<LastNotice> last_notices; // one per audience, in the order first told
};

// Gathers the brief from the log. `runbook` may be null (the runbook is gone or broken):
// then the steps are those marked, and nothing is pending. `templates` give the subjects.
// Throws Error(not_found) for an unknown incident.
Brief make_brief(Store& store, const Runbook* runbook, const TemplatePath& templates,
                 IncidentId id);

} // namespace outage
