#pragma once

#include "outage/model/incident.hpp"
#include "outage/store/store.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace outage {

// The audience whose notices are the status page's updates (the runbooks' plans name it).
inline constexpr std::string_view status_page_audience = "status-page";

// What the page is called and where it lives (the config's `status_page` key).
struct StatusPageSettings {
    std::string name;    // the page's title
    std::string url;     // its public address, for links in the JSON; may be empty
    std::string contact; // where to ask; shown when set
    int recent_days = 7; // how long a resolved incident stays on the page
};

// One update as the public sees it.
struct PublicUpdate {
    std::string id; // "INC-7-notice-3" or "INC-7-event-41": stable across runs
    Phase status = Phase::investigating;
    std::string body;
    Timestamp at;
};

// One incident with nothing but public fields: no title, owner, notes, supplier or scenario.
struct PublicIncident {
    IncidentId id = 0;
    std::string reference; // "INC-7", what customers quote
    std::string name;      // "Disruption of phones, chat"
    Phase status = Phase::investigating;
    std::string impact; // none, minor, major, critical
    std::vector<std::string> services;
    Timestamp started_at;
    Timestamp updated_at;
    std::optional<Timestamp> monitoring_at;
    std::optional<Timestamp> resolved_at;
    std::vector<PublicUpdate> updates; // newest first; never empty
};

struct StatusPage {
    StatusPageSettings settings;
    Timestamp generated_at;
    std::vector<PublicIncident> open;     // newest first
    std::vector<PublicIncident> resolved; // closed within recent_days, last resolved first
    std::vector<IncidentId> unpublished;  // open, but no status-page notice was ever sent
};

// Statuspage's impact for a severity: SEV1 critical, SEV2 major, SEV3 and SEV4 minor, none
// before the first assessment.
std::string impact_of(const std::optional<std::string>& severity);

// The public face of an incident: its status-page notices (sent with an external template)
// and its status changes as updates. Nothing when no such notice was ever sent: an incident
// goes public only when someone publishes it.
std::optional<PublicIncident> public_incident(const Incident& incident,
                                              const std::vector<Event>& timeline,
                                              const std::vector<NoticeRecord>& notices);

// The open incidents and those resolved within `settings.recent_days` of `now`, from the log.
StatusPage build_status_page(Store& store, const StatusPageSettings& settings, Timestamp now);

// The documents of Atlassian's public Statuspage v2 API (docs/status-page.md): summary.json,
// status.json and incidents.json.
nlohmann::json statuspage_summary(const StatusPage& page);
nlohmann::json statuspage_status(const StatusPage& page);
nlohmann::json statuspage_incidents(const StatusPage& page);

// One self-contained HTML document (inline CSS, no script, no external asset); every value
// escaped.
std::string status_page_html(const StatusPage& page);

// Writes index.html and api/v2/{summary,status,incidents}.json under `dir` (made when
// missing), each atomically and world-readable (0644). Returns the files written, in order.
// Throws Error(runtime) naming what could not be made or written.
std::vector<std::filesystem::path> write_status_page(const StatusPage& page,
                                                     const std::filesystem::path& dir);

} // namespace outage
