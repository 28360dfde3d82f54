#include "outage/report/report.hpp"

#include "outage/model/error.hpp"
#include "outage/report/describe.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/verify.hpp"

#include <algorithm>

namespace outage {
namespace {

using nlohmann::json;

json optional_seconds(const std::optional<std::chrono::seconds>& span) {
    return span ? json(span->count()) : json();
}

json optional_value(const std::optional<std::string>& text) {
    return text ? json(*text) : json();
}

std::vector<StepLine> step_lines(const std::optional<Runbook>& runbook, const Incident& incident,
                                 const std::vector<StepProgress>& progress) {
    std::vector<StepLine> lines;
    auto marked = [&](const std::string& id) -> std::optional<StepProgress> {
        for (const auto& p : progress)
            if (p.step_id == id)
                return p;
        return std::nullopt;
    };
    if (runbook) {
        std::vector<StepView> applying = steps_for(*runbook, incident.severity, progress);
        // A step done before a re-assessment lowered the severity still belongs in the record.
        for (const auto& step : runbook->steps) {
            auto done = marked(step.id);
            bool applies = std::any_of(applying.begin(), applying.end(),
                                       [&](const StepView& v) { return v.step->id == step.id; });
            if (applies || done)
                lines.push_back({step, done});
        }
    }
    for (const auto& p : progress)
        if (!runbook || !runbook->step(p.step_id)) {
            Step lost;
            lost.id = p.step_id;
            lines.push_back({lost, p});
        }
    return lines;
}

} // namespace

Report build_report(Store& store, const RunbookPath& runbooks, IncidentId id, Timestamp now) {
    Report report;
    report.incident = require_incident(store, id);
    // The report prints the stored state: only when the events give it.
    require_matching_state(
        check_incident(store, report.incident, store.timeline(id), StateScope::full));
    report.generated_at = now;
    report.scenario_title = report.incident.scenario;
    std::optional<Runbook> runbook;
    try {
        runbook = load_runbook(runbooks, report.incident.scenario);
        report.scenario_title = runbook->title;
    } catch (const Error& e) {
        // The log is the record: a runbook renamed or broken since must not hide the report.
        report.runbook_problem = e.what();
    }
    CustomerFacing customer_facing = [&runbook](std::string_view audience) {
        if (runbook)
            for (const auto& entry : runbook->communications)
                if (entry.audience == audience)
                    return entry.customer_facing;
        return customer_facing_by_name(audience);
    };

    IncidentClock clock;
    for (auto& event : store.timeline(id)) {
        observe(clock, event, customer_facing);
        if (kind_of(event))
            // The report shows the log: a row short of a field still shows
            // (docs/architecture.md#events-the-one-vocabulary).
            std::visit(Overloaded{
                           [&](const events::SeverityChanged& changed) {
                               report.severity_changes.push_back(
                                   {event.at, event.actor, changed.from, changed.to, changed.rule});
                           },
                           [&](const events::Handoff& handoff) {
                               report.handovers.push_back(
                                   {event.at, event.actor, handoff.from, handoff.to, handoff.note});
                           },
                           [](const auto&) {},
                       },
                       decode(event, MissingField::empty));
        std::string text = describe_event(event);
        report.timeline.push_back({std::move(event), std::move(text)});
    }
    report.durations = durations(clock, now);
    report.reopens = clock.reopens;

    for (const auto& notice : store.notices(id)) {
        NoticeLine line{notice.id,
                        notice.created_at,
                        notice.actor,
                        notice.audience,
                        notice.template_name,
                        notice.channel,
                        customer_facing(notice.audience),
                        store.delivery_counts(notice.id)};
        auto audience =
            std::find_if(report.audiences.begin(), report.audiences.end(),
                         [&](const AudienceLine& a) { return a.audience == line.audience; });
        if (audience == report.audiences.end())
            audience = report.audiences.insert(
                report.audiences.end(),
                {line.audience, line.customer_facing, 0, {}, line.at, line.at});
        ++audience->notices;
        audience->counts.sent += line.counts.sent;
        audience->counts.failed += line.counts.failed;
        audience->counts.pending += line.counts.pending;
        audience->last_at = line.at;
        report.notices.push_back(line);
    }

    report.steps = step_lines(runbook, report.incident, store.step_progress(id));
    for (const auto& deadline : store.deadlines(id))
        report.deadlines.push_back({deadline, deadline_outcome(deadline, now)});
    return report;
}

json report_json(const Report& report) {
    const Durations& d = report.durations;
    json severity_seconds = json::object();
    for (const auto& [level, span] : d.per_level)
        severity_seconds[level] = span.count();
    json periods = json::array();
    for (const auto& period : d.periods)
        periods.push_back({{"level", period.level},
                           {"from", format_iso_utc(period.from)},
                           {"to", format_iso_utc(period.to)},
                           {"ongoing", period.ongoing},
                           {"seconds", (period.to - period.from).count()}});

    json changes = json::array();
    for (const auto& c : report.severity_changes)
        changes.push_back({{"at", format_iso_utc(c.at)},
                           {"actor", c.actor},
                           {"from", optional_value(c.from)},
                           {"to", c.to},
                           {"rule", c.rule}});
    json handovers = json::array();
    for (const auto& h : report.handovers)
        handovers.push_back({{"at", format_iso_utc(h.at)},
                             {"actor", h.actor},
                             {"from", optional_value(h.from)},
                             {"to", h.to},
                             {"note", h.note}});
    json timeline = json::array();
    for (const auto& line : report.timeline) {
        json object = event_json(line.event);
        object["text"] = line.text;
        timeline.push_back(object);
    }
    json audiences = json::array();
    for (const auto& a : report.audiences)
        audiences.push_back({{"audience", a.audience},
                             {"customer_facing", a.customer_facing},
                             {"notices", a.notices},
                             {"sent", a.counts.sent},
                             {"failed", a.counts.failed},
                             {"pending", a.counts.pending},
                             {"first_at", format_iso_utc(a.first_at)},
                             {"last_at", format_iso_utc(a.last_at)}});
    json notices = json::array();
    for (const auto& n : report.notices)
        notices.push_back({{"id", n.id},
                           {"at", format_iso_utc(n.at)},
                           {"actor", n.actor},
                           {"audience", n.audience},
                           {"template", n.template_name},
                           {"channel", n.channel},
                           {"customer_facing", n.customer_facing},
                           {"sent", n.counts.sent},
                           {"failed", n.counts.failed},
                           {"pending", n.counts.pending}});
    json steps = json::array();
    for (const auto& line : report.steps)
        steps.push_back(step_json(StepView{&line.step, line.progress}));
    json deadlines = json::array();
    for (const auto& line : report.deadlines)
        deadlines.push_back(deadline_json(line.deadline, report.generated_at));

    return json{
        {"incident", incident_json(report.incident)},
        {"scenario_title", report.scenario_title},
        {"runbook_problem", optional_value(report.runbook_problem)},
        {"generated_at", format_iso_utc(report.generated_at)},
        {"severity_changes", changes},
        {"handovers", handovers},
        {"reopens", report.reopens},
        {"durations",
         {{"to_assess_seconds", optional_seconds(d.to_assess)},
          {"to_first_customer_notice_seconds", optional_seconds(d.to_customer_notice)},
          {"to_resolve_seconds", optional_seconds(d.to_resolve)},
          {"open_seconds", d.open.count()},
          {"severity_seconds", severity_seconds},
          {"severity_periods", periods}}},
        {"timeline", timeline},
        {"audiences", audiences},
        {"notices", notices},
        {"steps", steps},
        {"deadlines", deadlines},
    };
}

} // namespace outage
