#include "outage/report/status_page.hpp"

#include "outage/io/atomic_file.hpp"
#include "outage/io/digest.hpp"
#include "outage/io/folders.hpp"
#include "outage/model/error.hpp"
#include "outage/report/html.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

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
    // A page anyone may read, in folders only we may change: someone else able to add or
    // swap a file there could put their words on the page (docs/security.md).
    refuse_if_others_may_write(dir, "the status page folder");
    ensure_folder(api, 0755);
    refuse_if_others_may_write(api, "the status page folder");
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
