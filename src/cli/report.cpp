#include "outage/report/report.hpp"
#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"

#include <fmt/format.h>

#include <cstdio>

namespace outage::cli {

namespace {
struct ReportOptions {
    IncidentId id = 0;
    std::optional<std::string> format;
    std::optional<std::string> output;
};

Exit report_run(const ReportOptions& options, const Given& given) {
    const std::string& format = *options.format;
    Report report = build_report(given.log(), given.runbooks(), options.id, given.now());
    std::string document = format == "json"   ? report_json(report).dump(2) + "\n"
                           : format == "html" ? report_html(report)
                                              : report_markdown(report);
    if (!options.output) {
        std::fwrite(document.data(), 1, document.size(), stdout);
        return Exit::ok;
    }
    // Owners, notes, suppliers and root causes: private like the log itself.
    write_output_file(*options.output, document, 0600, "--output");
    if (given.out().json) {
        print_json({{"file", *options.output}, {"format", format}, {"incident", options.id}});
        return Exit::ok;
    }
    fmt::print("Wrote the {} report on incident {} to {}.\n", format, options.id, *options.output);
    return Exit::ok;
}
} // namespace

Command add_report(CLI::App& command) {
    auto options = std::make_shared<ReportOptions>();
    add_incident_id(command, options->id);
    command.add_option("--format", options->format, "markdown (the default), json or html")
        ->check(CLI::IsMember({"markdown", "json", "html"}));
    command
        .add_option("-o,--output", options->output,
                    "Write to FILE (0600: the report is internal) instead of stdout")
        ->type_name("FILE");
    command.footer("Example:\n  outage report 12 > incident-12.md\n"
                   "  outage report 12 --format html -o incident-12.html");
    return {.check =
                [options](const Given& given) {
                    const Output& out = given.out();
                    options->format = options->format.value_or(out.json ? "json" : "markdown");
                    if (out.json && !options->output && *options->format != "json")
                        throw Error(Exit::usage,
                                    fmt::format("--json prints JSON; it contradicts --format {} "
                                                "(drop one, or write the file with -o)",
                                                *options->format));
                },
            .run = [options](const Given& given) { return report_run(*options, given); }};
}

} // namespace outage::cli
