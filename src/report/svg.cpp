#include "outage/report/svg.hpp"

#include "outage/model/runbook.hpp"
#include "outage/report/html.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace outage {
namespace {

constexpr std::string_view svg_open =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"{w}\" height=\"{h}\" "
    "viewBox=\"0 0 {w} {h}\" font-family=\"system-ui, sans-serif\" font-size=\"12\">\n"
    "<title>{title}</title>\n";

// Severity colours: the same red-to-blue scale the HTML pages use for their badges.
std::string_view level_colour(std::string_view level) {
    switch (severity_rank(level)) {
    case 1:
        return "#b3261e";
    case 2:
        return "#e8710a";
    case 3:
        return "#c9a400";
    default:
        return "#3b78c3";
    }
}

// A tick label short enough to fit: the clock time within a day, else the date too.
std::string tick_label(Timestamp t, std::chrono::seconds range) {
    std::string local = format_local(t); // "2026-11-22 14:31 CET"
    return range < std::chrono::hours(24) ? local.substr(11, 5) : local.substr(5, 11);
}

} // namespace

std::string bar_chart_svg(std::string_view title, const std::vector<Bar>& bars) {
    constexpr int width = 640, label_width = 180, bar_space = 360, row = 26, top = 10;
    int height = top * 2 + row * static_cast<int>(std::max<size_t>(bars.size(), 1));
    double largest = 0;
    for (const auto& bar : bars)
        if (bar.value)
            largest = std::max(largest, *bar.value);
    std::string out = fmt::format(fmt::runtime(svg_open), fmt::arg("w", width),
                                  fmt::arg("h", height), fmt::arg("title", html_escape(title)));
    if (bars.empty())
        out += fmt::format("<text x=\"{}\" y=\"{}\" fill=\"#555\">no incidents</text>\n",
                           label_width, top + 17);
    for (size_t i = 0; i < bars.size(); ++i) {
        const Bar& bar = bars[i];
        int y = top + row * static_cast<int>(i);
        double length = bar.value && largest > 0 ? *bar.value / largest * bar_space : 0;
        out += fmt::format("<g class=\"bar\">\n<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}"
                           "</text>\n",
                           label_width - 8, y + 17, html_escape(bar.label));
        if (length > 0)
            out += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"18\" "
                               "fill=\"#3b78c3\"><title>{}: {}</title></rect>\n",
                               label_width, y + 4, length, html_escape(bar.label),
                               html_escape(bar.value_text));
        out += fmt::format("<text x=\"{:.1f}\" y=\"{}\">{}</text>\n</g>\n",
                           label_width + length + 6, y + 17, html_escape(bar.value_text));
    }
    out += "</svg>\n";
    return out;
}

std::string severity_chart_svg(std::string_view title, Timestamp start, Timestamp end,
                               const std::vector<SeverityPeriod>& periods,
                               const std::vector<ChartMark>& marks) {
    constexpr int width = 720, height = 212, left = 70, right = 700, top = 30, lane = 36;
    constexpr int axis_y = top + lane * 3 + 20; // below SEV4
    auto range = std::max(end - start, std::chrono::seconds{1});
    auto x_of = [&](Timestamp t) {
        auto offset = std::clamp(t - start, std::chrono::seconds{0}, range);
        return left + static_cast<double>(offset.count()) / static_cast<double>(range.count()) *
                          (right - left);
    };
    auto y_of = [&](std::string_view level) {
        return top + lane * (std::clamp(severity_rank(level), 1, 4) - 1);
    };

    std::string out = fmt::format(fmt::runtime(svg_open), fmt::arg("w", width),
                                  fmt::arg("h", height), fmt::arg("title", html_escape(title)));
    for (const char* level : {"SEV1", "SEV2", "SEV3", "SEV4"})
        out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#ddd\"/>\n"
                           "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"{}\">{}</text>\n",
                           left, y_of(level), right, y_of(level), left - 10, y_of(level) + 4,
                           level_colour(level), level);

    // The axis with five ticks, first and last at the report's start and end.
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#555\"/>\n", left,
                       axis_y, right, axis_y);
    for (int i = 0; i <= 4; ++i) {
        Timestamp t = start + range * i / 4;
        double x = x_of(t);
        out += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" "
                           "stroke=\"#555\"/>\n<text x=\"{0:.1f}\" y=\"{3}\" "
                           "text-anchor=\"middle\">{4}</text>\n",
                           x, axis_y, axis_y + 5, axis_y + 18, html_escape(tick_label(t, range)));
    }

    // The steps: a level's stretch as a thick line, joined to the next stretch when one
    // follows straight on (a change of severity), left apart across a closed gap.
    for (size_t i = 0; i < periods.size(); ++i) {
        const auto& p = periods[i];
        out += fmt::format(
            "<line class=\"level\" x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" y2=\"{}\" stroke=\"{}\" "
            "stroke-width=\"4\"><title>{} {}</title></line>\n",
            x_of(p.from), y_of(p.level), x_of(p.to), y_of(p.level), level_colour(p.level),
            html_escape(p.level), html_escape(format_span(p.to - p.from)));
        if (i + 1 < periods.size() && periods[i + 1].from == p.to)
            out += fmt::format("<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" "
                               "stroke=\"#888\" stroke-width=\"2\"/>\n",
                               x_of(p.to), y_of(p.level), y_of(periods[i + 1].level));
    }

    // Markers above the lanes: notices as triangles, handovers as diamonds.
    for (const auto& mark : marks) {
        double x = x_of(mark.at);
        bool notice = mark.kind == MarkKind::notice;
        std::string shape =
            notice ? fmt::format("<path d=\"M {0:.1f} {1} l -6 -10 h 12 z\" fill=\"#3b78c3\">", x,
                                 top - 8)
                   : fmt::format("<path d=\"M {0:.1f} {1} l 6 -6 l -6 -6 l -6 6 z\" "
                                 "fill=\"#7b3fa0\">",
                                 x, top - 8);
        out += fmt::format("<g class=\"{}\">\n<line x1=\"{:.1f}\" y1=\"{}\" x2=\"{:.1f}\" "
                           "y2=\"{}\" stroke=\"{}\" stroke-dasharray=\"3 3\"/>\n{}<title>{}"
                           "</title></path>\n</g>\n",
                           notice ? "notice" : "handover", x, top - 8, x, axis_y,
                           notice ? "#3b78c3" : "#7b3fa0", shape, html_escape(mark.label));
    }

    // The legend.
    int legend_y = height - 12;
    out += fmt::format("<path d=\"M {0} {1} l -6 -10 h 12 z\" fill=\"#3b78c3\"/>\n"
                       "<text x=\"{2}\" y=\"{1}\">notice</text>\n"
                       "<path d=\"M {3} {1} l 6 -6 l -6 -6 l -6 6 z\" fill=\"#7b3fa0\"/>\n"
                       "<text x=\"{4}\" y=\"{1}\">handover</text>\n",
                       left + 6, legend_y, left + 16, left + 96, left + 106);
    out += "</svg>\n";
    return out;
}

} // namespace outage
