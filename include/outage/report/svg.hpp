#pragma once

#include "outage/model/time.hpp"
#include "outage/report/durations.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

// Self-contained SVG fragments (one <svg> element each, namespace declared, every text
// escaped) for the HTML report and the stats page: well-formed XML an XML parser accepts.

// One bar: its label, its length, and the text printed after it; no value draws no bar.
struct Bar {
    std::string label;
    std::optional<double> value;
    std::string value_text;
};

// Horizontal bars, one per row, scaled to the largest value; `title` is the accessible name.
std::string bar_chart_svg(std::string_view title, const std::vector<Bar>& bars);

enum class MarkKind { notice, handover };

// Something that happened at a moment, drawn as a marker on the time axis.
struct ChartMark {
    Timestamp at;
    MarkKind kind = MarkKind::notice;
    std::string label; // shown as the marker's tooltip
};

// Severity over time as a step chart (SEV1 at the top, SEV4 at the bottom; nothing drawn
// while unassessed or closed) from `start` to `end`, with notices and handovers marked.
std::string severity_chart_svg(std::string_view title, Timestamp start, Timestamp end,
                               const std::vector<SeverityPeriod>& periods,
                               const std::vector<ChartMark>& marks);

} // namespace outage
