#include "outage/services/brief.hpp"

#include "outage/model/error.hpp"
#include "outage/render/render.hpp"
#include "outage/services/assessment.hpp"
#include "outage/services/deadlines.hpp"
#include "outage/services/lifecycle.hpp"

#include <map>

namespace outage {
namespace {

std::vector<OwnerSpell> owner_history(Store& store, IncidentId id) {
    std::vector<OwnerSpell> owners;
    EventFilter filter;
    filter.incident = id;
    filter.kinds = {EventKind::opened, EventKind::handoff, EventKind::acknowledged};
    store.each_event(filter, [&](const Event& event) {
        // The brief shows the log: a row short of a field still shows
        // (docs/architecture.md#events-the-one-vocabulary).
        std::visit(Overloaded{
                       [&](const events::Opened& opened) {
                           owners.push_back(
                               {.owner = opened.owner, .since = event.at, .by = event.actor});
                       },
                       [&](const events::Handoff& handoff) {
                           owners.push_back({.owner = handoff.to,
                                             .since = event.at,
                                             .by = event.actor,
                                             .handover = true,
                                             .from = handoff.from,
                                             .note = handoff.note});
                       },
                       [&](const events::Acknowledged&) {
                           if (!owners.empty() && owners.back().handover)
                               owners.back().acknowledged_at = event.at;
                       },
                       [](const auto&) {},
                   },
                   decode(event, MissingField::empty));
    });
    return owners;
}

// The subject as the notice's template renders it with the values the notice was sent with,
// in the language of its first delivery.
std::optional<std::string> subject_of(Store& store, const TemplatePath& templates,
                                      const NoticeRecord& notice) {
    auto first = store.deliveries(notice.id, 0, 1);
    std::string lang = first.empty() || first.front().lang.empty() ? "en" : first.front().lang;
    try {
        bool fallback = false;
        Template tmpl = load_template(templates, notice.template_name, lang, fallback);
        // The subject alone: what the body needed was there when the notice went out.
        tmpl.body.clear();
        tmpl.requires_fields.clear();
        nlohmann::json fields =
            notice.fields.is_object() ? notice.fields : nlohmann::json::object();
        fields["recipient"] = nlohmann::json::object();
        return render_message(tmpl, fields, Escaping::plain_text).subject;
    } catch (const Error&) {
        return std::nullopt;
    }
}

} // namespace

Brief make_brief(Store& store, const Runbook* runbook, const TemplatePath& templates,
                 IncidentId id) {
    Brief brief;
    brief.incident = require_incident(store, id);
    if (runbook)
        brief.runbook_title = runbook->title;
    brief.assessment = store.last_assessment(id);
    brief.owners = owner_history(store, id);

    auto progress = store.step_progress(id);
    for (const auto& marked : progress) {
        const Step* step = runbook ? runbook->step(marked.step_id) : nullptr;
        Step copy = step ? *step : Step{};
        copy.id = marked.step_id;
        brief.done.push_back({copy, marked});
    }
    if (runbook)
        for (const auto& view : steps_for(*runbook, brief.incident.severity, progress))
            if (!view.progress)
                brief.pending.push_back({*view.step, std::nullopt});

    brief.deadlines = unmet_deadlines(store, id);

    brief.queued = queued_notices(store, id);

    std::map<std::string, size_t> by_audience;
    for (auto& notice : store.notices(id)) {
        auto [it, first] = by_audience.emplace(notice.audience, brief.last_notices.size());
        if (first)
            brief.last_notices.emplace_back();
        brief.last_notices[it->second].notice = std::move(notice);
    }
    for (auto& last : brief.last_notices) {
        last.counts = store.delivery_counts(last.notice.id);
        last.subject = subject_of(store, templates, last.notice);
    }
    return brief;
}

} // namespace outage
