#include "outage/report/status_page.hpp"

#include "outage/io/atomic_file.hpp"
#include "outage/io/digest.hpp"
#include "outage/model/error.hpp"
#include "outage/model/events.hpp"
#include "outage/model/json_fields.hpp"
#include "outage/render/fields.hpp"
#include "outage/report/html.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <tuple>

namespace outage {
namespace {

using nlohmann::json;

int impact_rank(std::string_view impact) {
    if (impact == "critical")
        return 3;
    if (impact == "major")
        return 2;
    if (impact == "minor")
        return 1;
    return 0;
}

// Statuspage's own words for each indicator, which widgets show as they are.
std::string_view indicator_description(std::string_view indicator) {
    if (indicator == "critical")
        return "Major System Outage";
    if (indicator == "major")
        return "Partial System Outage";
    if (indicator == "minor")
        return "Minor Service Outage";
    return "All Systems Operational";
}

std::string_view component_status(std::string_view impact) {
    if (impact == "critical")
        return "major_outage";
    if (impact == "major")
        return "partial_outage";
    return "degraded_performance";
}

// The worst impact among the open incidents: the page's indicator.
std::string page_indicator(const StatusPage& page) {
    std::string worst = "none";
    for (const auto& incident : page.open)
        if (impact_rank(incident.impact) > impact_rank(worst))
            worst = incident.impact;
    return worst;
}

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

json time_or_null(const std::optional<Timestamp>& t) {
    return t ? json(format_iso_utc(*t)) : json();
}

std::string short_id(std::string_view text) {
    return sha256_hex(text).substr(0, 12);
}

std::string page_id(const StatusPageSettings& settings) {
    return short_id(settings.name + "\n" + settings.url);
}

std::string shortlink(const StatusPageSettings& settings, const PublicIncident& incident) {
    std::string base = settings.url;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    return base.empty() ? fmt::format("index.html#{}", incident.reference)
                        : fmt::format("{}/#{}", base, incident.reference);
}

json page_json(const StatusPage& page) {
    return {{"id", page_id(page.settings)},
            {"name", page.settings.name},
            {"url", page.settings.url},
            {"time_zone", "Etc/UTC"},
            {"updated_at", format_iso_utc(page.generated_at)}};
}

json status_json(const StatusPage& page) {
    std::string indicator = page_indicator(page);
    return {{"indicator", indicator}, {"description", indicator_description(indicator)}};
}

// One component per service named by an incident on the page, in name order; a service an
// open incident names is degraded as badly as the worst of them, others are operational.
struct Component {
    std::string name;
    std::string status = "operational";
    Timestamp created_at;
    Timestamp updated_at;
};

std::map<std::string, Component> components_of(const StatusPage& page) {
    std::map<std::string, Component> components;
    auto add = [&](const PublicIncident& incident, bool open) {
        for (const auto& service : incident.services) {
            auto [it, inserted] = components.try_emplace(service);
            Component& c = it->second;
            if (inserted) {
                c.name = service;
                c.created_at = incident.started_at;
                c.updated_at = incident.updated_at;
            }
            c.created_at = std::min(c.created_at, incident.started_at);
            c.updated_at = std::max(c.updated_at, incident.updated_at);
            if (open) {
                std::string_view status = component_status(incident.impact);
                auto rank = [](std::string_view s) {
                    return s == "major_outage"           ? 3
                           : s == "partial_outage"       ? 2
                           : s == "degraded_performance" ? 1
                                                         : 0;
                };
                if (rank(status) > rank(c.status))
                    c.status = std::string(status);
            }
        }
    };
    for (const auto& incident : page.open)
        add(incident, true);
    for (const auto& incident : page.resolved)
        add(incident, false);
    return components;
}

json component_json(const Component& c, int position, const std::string& page) {
    return {{"id", short_id(c.name)},
            {"name", c.name},
            {"status", c.status},
            {"created_at", format_iso_utc(c.created_at)},
            {"updated_at", format_iso_utc(c.updated_at)},
            {"position", position},
            {"description", json()},
            {"showcase", false},
            {"start_date", json()},
            {"group_id", json()},
            {"page_id", page},
            {"group", false},
            {"only_show_if_degraded", false}};
}

json components_json(const StatusPage& page) {
    json array = json::array();
    int position = 0;
    std::string id = page_id(page.settings);
    for (const auto& [name, component] : components_of(page))
        array.push_back(component_json(component, ++position, id));
    return array;
}

json incident_json(const StatusPage& page, const PublicIncident& incident,
                   const std::map<std::string, Component>& components) {
    std::string id = page_id(page.settings);
    json updates = json::array();
    for (const auto& update : incident.updates) {
        std::string at = format_iso_utc(update.at);
        updates.push_back({{"id", update.id},
                           {"status", to_string(update.status)},
                           {"body", update.body},
                           {"incident_id", incident.reference},
                           {"created_at", at},
                           {"updated_at", at},
                           {"display_at", at},
                           {"affected_components", json()},
                           {"deliver_notifications", true},
                           {"custom_tweet", json()},
                           {"tweet_id", json()}});
    }
    json affected = json::array();
    int position = 0;
    for (const auto& [name, component] : components) {
        ++position;
        if (std::find(incident.services.begin(), incident.services.end(), name) !=
            incident.services.end())
            affected.push_back(component_json(component, position, id));
    }
    return {{"id", incident.reference},
            {"name", incident.name},
            {"status", to_string(incident.status)},
            {"created_at", format_iso_utc(incident.started_at)},
            {"updated_at", format_iso_utc(incident.updated_at)},
            {"monitoring_at", time_or_null(incident.monitoring_at)},
            {"resolved_at", time_or_null(incident.resolved_at)},
            {"impact", incident.impact},
            {"shortlink", shortlink(page.settings, incident)},
            {"started_at", format_iso_utc(incident.started_at)},
            {"page_id", id},
            {"incident_updates", updates},
            {"components", affected}};
}

json incidents_array(const StatusPage& page, bool with_resolved) {
    auto components = components_of(page);
    json array = json::array();
    for (const auto& incident : page.open)
        array.push_back(incident_json(page, incident, components));
    if (with_resolved)
        for (const auto& incident : page.resolved)
            array.push_back(incident_json(page, incident, components));
    return array;
}

std::string capitalised(std::string_view word) {
    std::string text(word);
    if (!text.empty() && text[0] >= 'a' && text[0] <= 'z')
        text[0] = static_cast<char>(text[0] - 'a' + 'A');
    return text;
}

std::string dump(const json& document) {
    // Stored text was checked as UTF-8 on the way in; a row edited behind our back must still
    // make a page.
    return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

constexpr std::string_view page_style = R"(
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #1f2328; background: #f6f8fa; line-height: 1.5; }
main { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 0.75rem; }
h3 { font-size: 1.05rem; margin: 0 0 0.25rem; }
.banner { padding: 1rem 1.25rem; border-radius: 6px; color: #fff; font-size: 1.2rem;
          font-weight: 600; }
.banner.none { background: #2da44e; }
.banner.minor { background: #d4a72c; color: #1f2328; }
.banner.major { background: #e16f24; }
.banner.critical { background: #cf222e; }
.incident { background: #fff; border: 1px solid #d0d7de; border-left: 6px solid #8c959f;
            border-radius: 6px; padding: 1rem 1.25rem; margin: 0 0 1rem; }
.incident.minor { border-left-color: #d4a72c; }
.incident.major { border-left-color: #e16f24; }
.incident.critical { border-left-color: #cf222e; }
.incident.resolved { border-left-color: #2da44e; }
.meta, .when, footer { color: #59636e; font-size: 0.9rem; }
.update { margin-top: 0.75rem; }
.body { white-space: pre-line; margin: 0.25rem 0 0; overflow-wrap: anywhere; }
details { margin-top: 0.75rem; }
summary { cursor: pointer; color: #59636e; }
.empty { color: #59636e; }
footer { margin-top: 2.5rem; }
)";

void append_update(std::string& html, const PublicUpdate& update) {
    html += fmt::format("<div class=\"update\"><p class=\"when\"><strong>{}</strong> &middot; "
                        "{}</p><p class=\"body\">{}</p></div>\n",
                        html_escape(capitalised(to_string(update.status))),
                        html_escape(format_local(update.at)), html_escape(update.body));
}

void append_incident(std::string& html, const PublicIncident& incident) {
    bool resolved = incident.resolved_at.has_value();
    html += fmt::format("<article class=\"incident {}\" id=\"{}\">\n<h3>{}</h3>\n",
                        resolved ? "resolved" : html_escape(incident.impact),
                        html_escape(incident.reference), html_escape(incident.name));
    std::vector<std::string> meta{html_escape(incident.reference)};
    if (incident.impact != "none")
        meta.push_back(html_escape(capitalised(incident.impact)) + " impact");
    meta.push_back(resolved
                       ? fmt::format("{} to {}", html_escape(format_local(incident.started_at)),
                                     html_escape(format_local(*incident.resolved_at)))
                       : fmt::format("since {}", html_escape(format_local(incident.started_at))));
    html += fmt::format("<p class=\"meta\">{}</p>\n", fmt::join(meta, " &middot; "));
    append_update(html, incident.updates.front());
    if (incident.updates.size() > 1) {
        html += fmt::format("<details><summary>Earlier updates ({})</summary>\n",
                            incident.updates.size() - 1);
        for (size_t i = 1; i < incident.updates.size(); ++i)
            append_update(html, incident.updates[i]);
        html += "</details>\n";
    }
    html += "</article>\n";
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

json statuspage_summary(const StatusPage& page) {
    return {{"page", page_json(page)},
            {"components", components_json(page)},
            {"incidents", incidents_array(page, false)},
            {"scheduled_maintenances", json::array()},
            {"status", status_json(page)}};
}

json statuspage_status(const StatusPage& page) {
    return {{"page", page_json(page)}, {"status", status_json(page)}};
}

json statuspage_incidents(const StatusPage& page) {
    return {{"page", page_json(page)}, {"incidents", incidents_array(page, true)}};
}

std::string status_page_html(const StatusPage& page) {
    std::string indicator = page_indicator(page);
    std::string name = html_escape(page.settings.name);
    std::string html = fmt::format(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        // Defence in depth: should a value ever slip through unescaped, no script runs and
        // nothing is fetched.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<meta name=\"generator\" content=\"outage\">\n<title>{}</title>\n<style>{}</style>\n"
        "</head>\n<body>\n<main>\n<h1>{}</h1>\n"
        "<p class=\"banner {}\" id=\"status\">{}</p>\n",
        name, page_style, name, indicator, indicator_description(indicator));

    html += "<h2>Current incidents</h2>\n";
    if (page.open.empty())
        html += "<p class=\"empty\">No incidents right now.</p>\n";
    for (const auto& incident : page.open)
        append_incident(html, incident);

    html += fmt::format("<h2>Resolved in the last {} day{}</h2>\n", page.settings.recent_days,
                        page.settings.recent_days == 1 ? "" : "s");
    if (page.resolved.empty())
        html += "<p class=\"empty\">Nothing resolved recently.</p>\n";
    for (const auto& incident : page.resolved)
        append_incident(html, incident);

    html += "<footer>\n";
    if (!page.settings.contact.empty())
        html += fmt::format("<p>Questions: {}</p>\n", html_escape(page.settings.contact));
    html += fmt::format("<p>Updated {}. Machine-readable: <a href=\"api/v2/summary.json\">"
                        "summary.json</a>, <a href=\"api/v2/incidents.json\">incidents.json</a>."
                        "</p>\n</footer>\n</main>\n</body>\n</html>\n",
                        html_escape(format_local(page.generated_at)));
    return html;
}

std::vector<std::filesystem::path> write_status_page(const StatusPage& page,
                                                     const std::filesystem::path& dir) {
    std::filesystem::path api = dir / "api" / "v2";
    std::error_code ec;
    std::filesystem::create_directories(api, ec);
    if (ec)
        throw Error(Exit::runtime, fmt::format("cannot create {}: {}", api.string(), ec.message()));
    // A run killed mid-write (cron's timeout, a reboot) left its temporary files behind.
    remove_abandoned_temp_files(dir);
    remove_abandoned_temp_files(api);
    // The page last: whoever reads index.html then follows its links finds data as new.
    std::vector<std::pair<std::filesystem::path, std::string>> files = {
        {api / "summary.json", dump(statuspage_summary(page))},
        {api / "status.json", dump(statuspage_status(page))},
        {api / "incidents.json", dump(statuspage_incidents(page))},
        {dir / "index.html", status_page_html(page)},
    };
    std::vector<std::filesystem::path> written;
    for (const auto& [file, content] : files) {
        write_file_atomically(file, content, 0644);
        written.push_back(file);
    }
    return written;
}

} // namespace outage
