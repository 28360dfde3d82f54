#pragma once

#include "outage/model/incident.hpp"
#include "outage/services/assessment.hpp"

#include <nlohmann/json.hpp>

#include <string>

namespace outage {

// The objects of docs/cli.md, shared by the commands and the documents built from the log
// (report, export): stable field names, times as ISO 8601 UTC.

// A value as JSON text, indented by `indent` (-1: one line); text that is not UTF-8 (a row
// edited behind outage's back) prints with replacement characters instead of failing.
std::string dump_json(const nlohmann::json& value, int indent);

// An optional value as these objects give it: null, or the time in ISO 8601 UTC / the text.
nlohmann::json optional_time(const std::optional<Timestamp>& t);
nlohmann::json optional_text(const std::optional<std::string>& text);

// The incident object.
nlohmann::json incident_json(const Incident& incident);
// The same, written over an incident object made before: its keys are kept, only the values
// change, which saves `list --json` most of its allocations.
void fill_incident_json(nlohmann::json& object, const Incident& incident);

// A timeline entry: id, at, kind, actor, then the kind's own fields.
nlohmann::json event_json(const Event& event);

// A runbook step with its state on an incident: id, title, role, detail, optional,
// min_severity, state ("open", "done", "skipped"), and when marked: at, actor, note.
nlohmann::json step_json(const StepView& view);

// A deadline clock: name, title, started_at, due_at, met_at, note, overdue (at `now`) and
// outcome (deadline_outcome: "met on time", "met late", "missed", "running").
nlohmann::json deadline_json(const Deadline& deadline, Timestamp now);

// What an event says, in words, for people: "severity SEV3 → SEV2", "handed over from ...".
std::string describe_event(const Event& event);

} // namespace outage
