#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/io/atomic_file.hpp"
#include "outage/model/error.hpp"
#include "outage/io/csv.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace outage::cli {

namespace {

using nlohmann::json;

struct ExportOptions {
    std::optional<std::string> format;
    std::string status = "all";
    std::optional<std::string> since;
    bool events = false;
    std::optional<std::string> output;
};

// The incident rows' columns: the incident object's fields in the order docs/cli.md lists them.
const std::vector<std::string> export_incident_columns = {"id",
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

const std::vector<std::string> export_event_columns = {"incident", "event",       "at",     "kind",
                                                       "actor",    "description", "payload"};

std::string export_compact(const json& value) {
    // Stored text was checked as UTF-8 on the way in; a row edited behind our back must still
    // export.
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// A JSON value as one spreadsheet cell: null is empty, a list is one item per line.
std::string export_cell(const json& value) {
    if (value.is_null())
        return "";
    if (value.is_string())
        return value.get<std::string>();
    if (value.is_array()) {
        std::string cell;
        for (const auto& item : value) {
            if (!cell.empty())
                cell += '\n';
            cell += export_cell(item);
        }
        return cell;
    }
    return export_compact(value);
}

// Where the export goes: stdout as it is made, or a buffer written atomically at the end so a
// reader of the file never sees half an export.
class ExportSink {
  public:
    explicit ExportSink(bool buffered) : m_buffered(buffered) {}
    void write(std::string_view text) {
        if (m_buffered)
            m_buffer += text;
        else
            std::fwrite(text.data(), 1, text.size(), stdout);
    }
    const std::string& buffer() const { return m_buffer; }

  private:
    bool m_buffered;
    std::string m_buffer;
};

struct ExportCounts {
    std::int64_t incidents = 0;
    std::int64_t events = 0;
};

ExportCounts export_json(Store& store, const std::vector<Incident>& incidents, bool with_events,
                         ExportSink& sink) {
    ExportCounts counts;
    sink.write("[");
    for (const auto& incident : incidents) {
        json object = incident_json(incident);
        if (with_events) {
            object["timeline"] = json::array();
            for (const auto& event : store.timeline(incident.id))
                object["timeline"].push_back(event_json(event));
            counts.events += static_cast<std::int64_t>(object["timeline"].size());
        }
        sink.write(counts.incidents++ == 0 ? "\n" : ",\n");
        sink.write(export_compact(object));
    }
    sink.write(incidents.empty() ? "]\n" : "\n]\n");
    return counts;
}

ExportCounts export_csv(Store& store, const std::vector<Incident>& incidents, bool with_events,
                        ExportSink& sink) {
    ExportCounts counts;
    if (!with_events) {
        sink.write(csv_record(export_incident_columns));
        std::vector<std::string> row;
        for (const auto& incident : incidents) {
            json object = incident_json(incident);
            row.clear();
            for (const auto& column : export_incident_columns)
                row.push_back(export_cell(object[column]));
            sink.write(csv_record(row));
            ++counts.incidents;
        }
        return counts;
    }
    sink.write(csv_record(export_event_columns));
    for (const auto& incident : incidents) {
        ++counts.incidents;
        EventFilter filter;
        filter.incident = incident.id;
        store.each_event(filter, [&](const Event& event) {
            sink.write(csv_record({std::to_string(event.incident_id), std::to_string(event.id),
                                   format_iso_utc(event.at), event.kind, event.actor,
                                   describe_event(event), export_compact(event.payload)}));
            ++counts.events;
        });
    }
    return counts;
}

} // namespace

void add_export(CLI::App& command, Context& ctx) {
    auto options = std::make_shared<ExportOptions>();
    command.add_option("--format", options->format, "json (the default) or csv")
        ->check(CLI::IsMember({"json", "csv"}));
    command.add_option("--status", options->status, "Which incidents: open, closed or all")
        ->capture_default_str()
        ->check(CLI::IsMember({"open", "closed", "all"}));
    command
        .add_option("--since", options->since,
                    "Only incidents opened since: ISO 8601, HH:MM today, or ago: 2h, 7d")
        ->type_name("WHEN");
    command.add_flag("--events", options->events,
                     "Include the timeline (JSON) or give one CSV row per event");
    command.add_option("-o,--output", options->output, "Write to FILE (0600) instead of stdout")
        ->type_name("FILE");
    command.footer("Example:\n  outage export --format csv --since 30d -o incidents.csv\n"
                   "  outage export --events | jq '.[].timeline | length'");
    command.callback([&ctx, options] {
        std::string format = options->format.value_or("json");
        if (ctx.options.json && !options->output && format != "json")
            throw Error(Exit::usage, fmt::format("--json prints JSON; it contradicts --format {} "
                                                 "(drop one, or write the file with -o)",
                                                 format));
        IncidentFilter filter;
        if (options->status != "all")
            filter.status = parse_status(options->status);
        filter.opened_since = parse_time_option("--since", options->since, Direction::behind);
        auto store = open_log(ctx, Access::read_only);
        auto incidents = store->list_incidents(filter);

        ExportSink sink(options->output.has_value());
        ExportCounts counts = format == "csv"
                                  ? export_csv(*store, incidents, options->events, sink)
                                  : export_json(*store, incidents, options->events, sink);
        if (!options->output)
            return;
        // Exports hold internal fields (owners, notes, root causes): private like the log.
        write_file_atomically(*options->output, sink.buffer(), 0600);
        if (ctx.options.json) {
            print_json({{"file", *options->output},
                        {"format", format},
                        {"incidents", counts.incidents},
                        {"events", options->events ? json(counts.events) : json()}});
            return;
        }
        fmt::print("Exported {} incident{}{} to {} ({}).\n", counts.incidents,
                   counts.incidents == 1 ? "" : "s",
                   options->events ? fmt::format(" and {} event{}", counts.events,
                                                 counts.events == 1 ? "" : "s")
                                   : std::string(),
                   *options->output, format);
    });
}

} // namespace outage::cli
