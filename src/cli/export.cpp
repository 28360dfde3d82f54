#include "outage/report/export.hpp"
#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace outage::cli {

namespace {

struct ExportOptions {
    std::optional<std::string> format;
    std::string status = "all";
    std::optional<std::string> since;
    bool events = false;
    std::optional<std::string> output;
    IncidentFilter filter;
};

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

Exit export_run(const ExportOptions& options, const Given& given) {
    std::string format = options.format.value_or("json");
    ExportSink sink(options.output.has_value());
    ExportCounts counts =
        export_incidents(given.log(), options.filter, *export_format_names.parse(format),
                         options.events, [&sink](std::string_view text) { sink.write(text); });
    if (!options.output)
        return Exit::ok;
    // Exports hold internal fields (owners, notes, root causes): private like the log.
    write_output_file(*options.output, sink.buffer(), 0600, "--output");
    if (given.out().json) {
        print_json({{"file", *options.output},
                    {"format", format},
                    {"incidents", counts.incidents},
                    {"events", options.events ? nlohmann::json(counts.events) : nlohmann::json()}});
        return Exit::ok;
    }
    fmt::print("Exported {} incident{}{} to {} ({}).\n", counts.incidents,
               counts.incidents == 1 ? "" : "s",
               options.events
                   ? fmt::format(" and {} event{}", counts.events, counts.events == 1 ? "" : "s")
                   : std::string(),
               *options.output, format);
    return Exit::ok;
}

} // namespace

Command add_export(CLI::App& command) {
    auto options = std::make_shared<ExportOptions>();
    command.add_option("--format", options->format, "json (the default) or csv")
        ->check(one_of(export_format_names));
    command.add_option("--status", options->status, "Which incidents: open, closed or all")
        ->capture_default_str()
        ->check(one_of(status_names, {"all"}));
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
    return {.check =
                [options](const Given& given) {
                    std::string format = options->format.value_or("json");
                    if (given.out().json && !options->output && format != "json")
                        throw Error(Exit::usage,
                                    fmt::format("--json prints JSON; it contradicts --format {} "
                                                "(drop one, or write the file with -o)",
                                                format));
                    if (options->status != "all")
                        options->filter.status = parse_status(options->status);
                    options->filter.opened_since =
                        parse_time_option("--since", options->since, Direction::behind, given);
                },
            .run = [options](const Given& given) { return export_run(*options, given); }};
}

} // namespace outage::cli
