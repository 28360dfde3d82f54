#include "outage/report/status_page.hpp"

#include "outage/model/error.hpp"
#include "outage/model/events.hpp"
#include "outage/model/json_fields.hpp"
#include "outage/render/fields.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace outage {
namespace {

using nlohmann::json;

// A notice counts only when every field it carried is public: one sent to the status-page
// audience with an internal template (which gets every field) never reaches the page.
bool carries_public_fields_only(const NoticeRecord& notice) {
    if (!notice.fields.is_object())
        return false;
    for (const auto& [key, value] : notice.fields.items()) {
        auto field = find_field(key);
        if (!field || field->field_class != FieldClass::public_field)
            return false;
    }
    return true;
}

std::string standard_body(Phase status, bool reopened) {
    if (reopened)
        return "The problem has returned; we are investigating.";
    switch (status) {
    case Phase::investigating:
        return "We are investigating the problem.";
    case Phase::identified:
        return "The cause has been found and a fix is being worked on.";
    case Phase::monitoring:
        return "A fix is in place and we are monitoring the results.";
    case Phase::resolved:
        return "This incident has been resolved.";
    }
    return "";
}

// What a status-page notice said, from the public values it was sent with: the note, the
// workaround, the estimate and the next update, or the standard sentence for its status.
std::string notice_body(const FieldReader& fields, Phase status) {
    std::vector<std::string> parts;
    if (auto note = fields.text("note").value_or(""); !note.empty())
        parts.push_back(note);
    if (status != Phase::resolved) {
        if (auto workaround = fields.text("workaround").value_or(""); !workaround.empty())
            parts.push_back(fmt::format("Workaround: {}", workaround));
        if (auto eta = fields.text("eta").value_or(""); !eta.empty())
            parts.push_back(fmt::format("Expected restoration: {}.", eta));
        if (auto next = fields.text("next_update").value_or(""); !next.empty())
            parts.push_back(fmt::format("Next update by {}.", next));
    }
    if (parts.empty())
        return standard_body(status, false);
    return fmt::format("{}", fmt::join(parts, "\n"));
}

std::string incident_name(const std::vector<std::string>& services) {
    if (services.empty())
        return "Service disruption";
    return fmt::format("Disruption of {}", fmt::join(services, ", "));
}

} // namespace

std::string impact_of(const std::optional<std::string>& severity) {
    if (!severity)
        return "none";
    if (*severity == "SEV1")
        return "critical";
    if (*severity == "SEV2")
        return "major";
    return "minor";
}

std::optional<PublicIncident> public_incident(const Incident& incident,
                                              const std::vector<Event>& timeline,
                                              const std::vector<NoticeRecord>& notices) {
    struct Dated {
        PublicUpdate update;
        int rank; // at the same second a notice follows the status change it reports
        std::int64_t sequence;
    };
    std::vector<Dated> dated;
    for (const auto& notice : notices) {
        if (notice.audience != status_page_audience || !carries_public_fields_only(notice))
            continue;
        FieldReader fields(notice.fields, "notice", notice.id);
        Phase status =
            parse_phase(fields.text("status").value_or("")).value_or(Phase::investigating);
        dated.push_back({{fmt::format("INC-{}-notice-{}", incident.id, notice.id), status,
                          notice_body(fields, status), notice.created_at},
                         1,
                         notice.id});
    }
    if (dated.empty())
        return std::nullopt;

    PublicIncident result;
    for (const auto& event : timeline) {
        std::optional<Phase> status;
        bool reopened = false;
        if (kind_of(event))
            // The page shows the log: a row short of a field still shows
            // (docs/architecture.md#events-the-one-vocabulary).
            std::visit(Overloaded{
                           [&](const events::Updated& updated) { status = updated.status; },
                           [&](const events::Closed&) { status = Phase::resolved; },
                           [&](const events::Reopened&) {
                               status = Phase::investigating;
                               reopened = true;
                           },
                           [](const auto&) {},
                       },
                       decode(event, MissingField::empty));
        if (!status)
            continue;
        if (*status == Phase::monitoring)
            result.monitoring_at = event.at;
        dated.push_back({{fmt::format("INC-{}-event-{}", incident.id, event.id), *status,
                          standard_body(*status, reopened), event.at},
                         0,
                         event.id});
    }
    std::sort(dated.begin(), dated.end(), [](const Dated& a, const Dated& b) {
        return std::tie(b.update.at, b.rank, b.sequence) <
               std::tie(a.update.at, a.rank, a.sequence);
    });

    result.id = incident.id;
    result.reference = fmt::format("INC-{}", incident.id);
    result.name = incident_name(incident.services);
    result.status = incident.status == Status::closed ? Phase::resolved : incident.phase;
    result.impact = impact_of(incident.severity);
    result.services = incident.services;
    result.started_at = incident.opened_at;
    if (incident.status == Status::closed)
        result.resolved_at = incident.closed_at.value_or(incident.opened_at);
    for (auto& d : dated)
        result.updates.push_back(std::move(d.update));
    result.updated_at = std::max(result.updates.front().at, incident.opened_at);
    return result;
}

StatusPage build_status_page(Store& store, const StatusPageSettings& settings, Timestamp now) {
    StatusPage page;
    page.settings = settings;
    page.generated_at = now;
    auto publish = [&store](const Incident& incident) {
        return public_incident(incident, store.timeline(incident.id), store.notices(incident.id));
    };
    IncidentFilter open_ones, closed_ones;
    open_ones.status = Status::open;
    closed_ones.status = Status::closed;
    for (const auto& incident : store.list_incidents(open_ones)) {
        if (auto shown = publish(incident))
            page.open.push_back(std::move(*shown));
        else
            page.unpublished.push_back(incident.id);
    }
    Timestamp since = now - std::chrono::days(settings.recent_days);
    for (const auto& incident : store.list_incidents(closed_ones))
        if (incident.closed_at && *incident.closed_at >= since)
            if (auto shown = publish(incident))
                page.resolved.push_back(std::move(*shown));
    std::reverse(page.open.begin(), page.open.end());
    std::stable_sort(page.resolved.begin(), page.resolved.end(),
                     [](const PublicIncident& a, const PublicIncident& b) {
                         return *a.resolved_at > *b.resolved_at;
                     });
    return page;
}

} // namespace outage
