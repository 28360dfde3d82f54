#include "outage/report/export.hpp"

#include "outage/io/csv.hpp"
#include "outage/report/describe.hpp"
#include "outage/services/verify.hpp"

#include <string>
#include <vector>

namespace outage {
namespace {

using nlohmann::json;

// The incident rows' columns: the incident object's fields in the order docs/cli.md lists them.
const std::vector<std::string> incident_columns = {"id",
                                                   "title",
                                                   "scenario",
                                                   "status",
                                                   "phase",
                                                   "severity",
                                                   "owner",
                                                   "services",
                                                   "affected",
                                                   "dedup_key",
                                                   "eta",
                                                   "opened_at",
                                                   "closed_at",
                                                   "next_update_due",
                                                   "update_interval_minutes",
                                                   "handed_off_at",
                                                   "resolution",
                                                   "root_cause",
                                                   "recurrence",
                                                   "actions"};

const std::vector<std::string> event_columns = {"incident", "event",       "at",     "kind",
                                                "actor",    "description", "payload"};

// A JSON value as one spreadsheet cell: null is empty, a list is one item per line.
std::string cell(const json& value) {
    if (value.is_null())
        return "";
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_array()) {
        std::string text;
        for (const auto& item : value) {
            if (!text.empty())
                text += '\n';
            text += cell(item);
        }
        return text;
    }
    return dump_json(value, -1);
}

ExportCounts export_json(Store& store, const std::vector<Incident>& incidents, bool with_events,
                         const ExportWriter& write) {
    ExportCounts counts;
    write("[");
    for (const auto& incident : incidents) {
        json object = incident_json(incident);
        if (with_events) {
            object["timeline"] = json::array();
            for (const auto& event : store.timeline(incident.id))
                object["timeline"].push_back(event_json(event));
            counts.events += static_cast<std::int64_t>(object["timeline"].size());
        }
        write(counts.incidents++ == 0 ? "\n" : ",\n");
        write(dump_json(object, -1));
    }
    write(incidents.empty() ? "]\n" : "\n]\n");
    return counts;
}

ExportCounts export_csv(Store& store, const std::vector<Incident>& incidents, bool with_events,
                        const ExportWriter& write) {
    ExportCounts counts;
    if (!with_events) {
        write(csv_record(incident_columns));
        std::vector<std::string> row;
        for (const auto& incident : incidents) {
            json object = incident_json(incident);
            row.clear();
            for (const auto& column : incident_columns)
                row.push_back(cell(object[column]));
            write(csv_record(row));
            ++counts.incidents;
        }
        return counts;
    }
    write(csv_record(event_columns));
    for (const auto& incident : incidents) {
        ++counts.incidents;
        EventFilter filter;
        filter.incident = incident.id;
        store.each_event(filter, [&](const Event& event) {
            write(csv_record({std::to_string(event.incident_id), std::to_string(event.id),
                              format_iso_utc(event.at), event.kind, event.actor,
                              describe_event(event), dump_json(event.payload, -1)}));
            ++counts.events;
        });
    }
    return counts;
}

} // namespace

ExportCounts export_incidents(Store& store, const IncidentFilter& filter, ExportFormat format,
                              bool events, const ExportWriter& write) {
    auto incidents = store.list_incidents(filter);
    // Every incident is checked against its events before the first is written: an export is
    // refused whole, never cut off halfway (services/verify.hpp).
    require_matching_state(check_incidents(store, incidents, StateScope::incident));
    return format == ExportFormat::csv ? export_csv(store, incidents, events, write)
                                       : export_json(store, incidents, events, write);
}

} // namespace outage
