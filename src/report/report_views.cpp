// The Markdown and HTML views of a report. Both render one list of sections built here, so a
// fact added to the report shows in both formats alike.
#include "outage/report/html.hpp"
#include "outage/report/report.hpp"
#include "outage/report/svg.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace outage {
namespace {

using Row = std::vector<std::string>;

// A table (or, when it has no rows, a sentence saying so) and an optional list under it.
struct Block {
    std::string heading;
    Row header;
    std::vector<Row> rows;
    std::string when_empty;
    std::vector<std::string> items;
};

struct Section {
    std::string id;
    std::string title;
    std::vector<Block> blocks;
};

std::string local(Timestamp t) {
    return format_local(t);
}

std::string span_or(const std::optional<std::chrono::seconds>& span, std::string_view otherwise) {
    return span ? format_span(*span) : std::string(otherwise);
}

Section summary(const Report& r) {
    const Incident& i = r.incident;
    std::vector<Row> rows;
    rows.push_back({"Incident", fmt::format("{}: {}", i.id, i.title)});
    rows.push_back({"Scenario", r.scenario_title == i.scenario
                                    ? i.scenario
                                    : fmt::format("{} ({})", r.scenario_title, i.scenario)});
    rows.push_back({"Status", i.status == Status::open
                                  ? fmt::format("open ({})", to_string(i.phase))
                                  : std::string("closed")});
    std::string severity = i.severity.value_or("unassessed");
    if (r.severity_changes.size() > 1) {
        std::vector<std::string> path;
        for (const auto& c : r.severity_changes)
            path.push_back(c.to);
        severity += fmt::format(" (went {})", fmt::join(path, " → "));
    }
    rows.push_back({"Severity", severity});
    std::string owner = i.owner.value_or("nobody");
    if (!r.handovers.empty())
        owner +=
            fmt::format(" ({} handover{})", r.handovers.size(), r.handovers.size() == 1 ? "" : "s");
    rows.push_back({"Owner", owner});
    rows.push_back({"Services", i.services.empty()
                                    ? "none named"
                                    : fmt::format("{}", fmt::join(i.services, ", "))});
    rows.push_back({"Affected", i.affected ? std::to_string(*i.affected) : "not counted"});
    rows.push_back({"Opened", local(i.opened_at)});
    rows.push_back({"Closed", i.closed_at ? local(*i.closed_at) : "still open"});
    if (r.reopens > 0)
        rows.push_back(
            {"Reopened", fmt::format("{} time{}", r.reopens, r.reopens == 1 ? "" : "s")});
    Section s{"summary", "Summary", {{"", {"", ""}, rows, "", {}}}};

    Block changes{"Severity changes", {"When", "Change", "Rule", "By"}, {}, "Never assessed.", {}};
    for (const auto& c : r.severity_changes)
        changes.rows.push_back({local(c.at),
                                fmt::format("{} → {}", c.from.value_or("unassessed"), c.to), c.rule,
                                c.actor});
    s.blocks.push_back(changes);

    Block owners{"Owner and handovers", {"When", "From", "To", "Note", "By"}, {}, "", {}};
    owners.when_empty =
        fmt::format("No handovers: {} owned it throughout.", i.owner.value_or("nobody"));
    for (const auto& h : r.handovers)
        owners.rows.push_back({local(h.at), h.from.value_or("nobody"), h.to, h.note, h.actor});
    s.blocks.push_back(owners);
    return s;
}

Section key_durations(const Report& r) {
    const Durations& d = r.durations;
    std::vector<Row> rows;
    rows.push_back({"Time to assess", span_or(d.to_assess, "not assessed")});
    rows.push_back({"Time to first customer notice",
                    span_or(d.to_customer_notice, "no customer notice sent")});
    rows.push_back({"Time to resolve", span_or(d.to_resolve, "still open")});
    if (r.reopens > 0)
        rows.push_back({"Time open (without the time it stood closed)", format_span(d.open)});
    for (const auto& [level, span] : d.per_level) {
        bool now =
            !d.periods.empty() && d.periods.back().ongoing && d.periods.back().level == level;
        rows.push_back(
            {fmt::format("Time at {}", level), format_span(span) + (now ? " (and counting)" : "")});
    }
    return {"durations", "Key durations", {{"", {"Measure", "Time"}, rows, "", {}}}};
}

Section timeline(const Report& r) {
    Block block{"", {"When", "Who", "What"}, {}, "No events.", {}};
    for (const auto& line : r.timeline)
        block.rows.push_back({local(line.event.at), line.event.actor, line.text});
    return {"timeline", "Timeline", {block}};
}

Section notices(const Report& r) {
    Block audiences{"Per audience",
                    {"Audience", "Customer-facing", "Notices", "Sent", "Failed", "Pending"},
                    {},
                    "No notices were sent.",
                    {}};
    for (const auto& a : r.audiences)
        audiences.rows.push_back({a.audience, a.customer_facing ? "yes" : "no",
                                  std::to_string(a.notices), std::to_string(a.counts.sent),
                                  std::to_string(a.counts.failed),
                                  std::to_string(a.counts.pending)});
    Block each{
        "Each notice",
        {"Notice", "When", "Audience", "Template", "Channel", "By", "Sent", "Failed", "Pending"},
        {},
        "",
        {}};
    for (const auto& n : r.notices)
        each.rows.push_back({std::to_string(n.id), local(n.at), n.audience, n.template_name,
                             n.channel, n.actor, std::to_string(n.counts.sent),
                             std::to_string(n.counts.failed), std::to_string(n.counts.pending)});
    Section s{"notices", "Notices", {audiences}};
    if (!each.rows.empty())
        s.blocks.push_back(each);
    return s;
}

Section steps(const Report& r) {
    Block block{"", {"State", "Step", "Title", "Role", "When", "By", "Note"}, {}, "", {}};
    int done = 0, skipped = 0, open = 0;
    for (const auto& line : r.steps) {
        const auto& p = line.progress;
        std::string state = p ? std::string(to_string(p->state)) : "open";
        (p ? (p->state == StepState::done ? done : skipped) : open)++;
        std::string title =
            line.step.title.empty() ? "(no longer in the runbook)" : line.step.title;
        if (line.step.optional)
            title += " (optional)";
        block.rows.push_back({state, line.step.id, title, line.step.role, p ? local(p->at) : "",
                              p ? p->actor : "", p ? p->note.value_or("") : ""});
    }
    block.when_empty = r.runbook_problem ? "The runbook could not be read: " + *r.runbook_problem
                                         : "The runbook has no steps.";
    Section s{
        "steps", fmt::format("Steps ({} done, {} skipped, {} open)", done, skipped, open), {block}};
    return s;
}

Section deadlines(const Report& r) {
    Block block{
        "", {"Deadline", "Title", "Started", "Due", "Outcome", "Met"}, {}, "No deadlines ran.", {}};
    for (const auto& line : r.deadlines) {
        const Deadline& d = line.deadline;
        block.rows.push_back({d.name, d.title, local(d.started_at), local(d.due_at),
                              std::string(to_string(line.outcome)),
                              d.met_at ? local(*d.met_at) : ""});
    }
    return {"deadlines", "Deadlines", {block}};
}

Section resolution(const Report& r) {
    const Incident& i = r.incident;
    std::vector<Row> rows;
    rows.push_back({"Resolution", i.resolution.value_or(
                                      i.status == Status::open ? "still open" : "not recorded")});
    rows.push_back({"Root cause", i.root_cause.value_or("not recorded")});
    rows.push_back(
        {"Recurrence", i.recurrence ? std::string(to_string(*i.recurrence)) : "not recorded"});
    return {"resolution",
            "Resolution",
            {{"", {"", ""}, rows, "", {}},
             {"Prevention actions", {}, {}, "No prevention actions recorded.", i.actions}}};
}

std::vector<Section> sections(const Report& r) {
    return {summary(r), key_durations(r), timeline(r),  notices(r),
            steps(r),   deadlines(r),     resolution(r)};
}

std::string heading(const Report& r) {
    return fmt::format("Post-incident report: incident {}", r.incident.id);
}

std::string preface(const Report& r) {
    return fmt::format("Generated {}. Internal: this report may name suppliers, systems and "
                       "people; do not send it outside.",
                       local(r.generated_at));
}

// Markdown ----------------------------------------------------------------------------------

// Text safe in a Markdown table cell, paragraph or list item: punctuation that would start
// markup is backslash-escaped (CommonMark makes it literal, and no raw HTML can slip in), and
// line breaks become <br> so a multi-line note stays in its cell.
std::string md(std::string_view text) {
    std::string out;
    // At the start, "- x", "+ x" and "1. x" would open a list.
    size_t digits = text.find_first_not_of("0123456789");
    size_t list_mark = text.empty() || digits == std::string_view::npos    ? std::string_view::npos
                       : digits == 0 && (text[0] == '-' || text[0] == '+') ? 0
                       : digits > 0 && (text[digits] == '.' || text[digits] == ')')
                           ? digits
                           : std::string_view::npos;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (i == list_mark) {
            out += '\\';
            out += c;
        } else if (c == '\r') {
            if (i + 1 < text.size() && text[i + 1] == '\n')
                continue;
            out += "<br>";
        } else if (c == '\n') {
            out += "<br>";
        } else if (std::string_view("\\`*_[]<>|#~&!").find(c) != std::string_view::npos) {
            out += '\\';
            out += c;
        } else {
            out += c;
        }
    }
    return out;
}

std::string md_table(const Row& header, const std::vector<Row>& rows) {
    auto line = [](const Row& cells) {
        std::string out = "|";
        for (const auto& cell : cells)
            out += " " + md(cell) + " |";
        return out + "\n";
    };
    std::string out = line(header);
    out += "|";
    for (size_t i = 0; i < header.size(); ++i)
        out += "---|";
    out += "\n";
    for (const auto& row : rows)
        out += line(row);
    return out;
}

// HTML --------------------------------------------------------------------------------------

std::string html_text(std::string_view text) {
    std::string escaped = html_escape(text);
    std::string out;
    for (char c : escaped) {
        if (c == '\n')
            out += "<br>";
        else if (c != '\r')
            out += c;
    }
    return out;
}

std::string html_table(const Row& header, const std::vector<Row>& rows) {
    std::string out = "<table>\n";
    bool has_header =
        std::any_of(header.begin(), header.end(), [](const std::string& h) { return !h.empty(); });
    if (has_header) {
        out += "<thead><tr>";
        for (const auto& h : header)
            out += "<th>" + html_text(h) + "</th>";
        out += "</tr></thead>\n";
    }
    out += "<tbody>\n";
    for (const auto& row : rows) {
        out += "<tr>";
        for (size_t i = 0; i < row.size(); ++i)
            out += (!has_header && i == 0 ? "<th scope=\"row\">" + html_text(row[i]) + "</th>"
                                          : "<td>" + html_text(row[i]) + "</td>");
        out += "</tr>\n";
    }
    return out + "</tbody>\n</table>\n";
}

constexpr std::string_view report_style = R"(
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:0;background:#f6f8fa}
main{max-width:960px;margin:0 auto;padding:1.5rem;background:#fff}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.3rem}
h3{font-size:1rem}.preface{color:#57606a}.title{font-size:1.15rem;margin:.2rem 0 1rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem;font-size:.92rem}
th,td{border:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f0f3f6}tbody th{background:#f6f8fa;width:16rem;font-weight:600}
figure{margin:1rem 0}figcaption{color:#57606a;font-size:.9rem}svg{max-width:100%;height:auto}
@media print{body{background:#fff}main{padding:0}}
)";

std::vector<ChartMark> chart_marks(const Report& r) {
    std::vector<ChartMark> marks;
    for (const auto& n : r.notices)
        marks.push_back({n.at, MarkKind::notice,
                         fmt::format("{} notice {} to {}", local(n.at), n.id, n.audience)});
    for (const auto& h : r.handovers)
        marks.push_back(
            {h.at, MarkKind::handover, fmt::format("{} handover to {}", local(h.at), h.to)});
    return marks;
}

} // namespace

std::string report_markdown(const Report& r) {
    std::string out =
        fmt::format("# {}\n\n**{}**\n\n{}\n", heading(r), md(r.incident.title), md(preface(r)));
    for (const auto& section : sections(r)) {
        out += fmt::format("\n## {}\n", md(section.title));
        for (const auto& block : section.blocks) {
            if (!block.heading.empty())
                out += fmt::format("\n### {}\n", md(block.heading));
            if (!block.rows.empty())
                out += "\n" + md_table(block.header, block.rows);
            else if (block.items.empty())
                out += fmt::format("\n{}\n", md(block.when_empty));
            if (!block.items.empty()) {
                out += "\n";
                for (const auto& item : block.items)
                    out += fmt::format("- {}\n", md(item));
            }
        }
    }
    return out;
}

std::string report_html(const Report& r) {
    std::string title = fmt::format("{} — {}", heading(r), r.incident.title);
    std::string out = html_page_start(title, report_style);
    out += fmt::format("<h1>{}</h1>\n<p class=\"title\">{}</p>\n<p class=\"preface\">{}</p>\n",
                       html_text(heading(r)), html_text(r.incident.title), html_text(preface(r)));
    for (const auto& section : sections(r)) {
        out +=
            fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n", section.id, html_text(section.title));
        for (const auto& block : section.blocks) {
            if (!block.heading.empty())
                out += fmt::format("<h3>{}</h3>\n", html_text(block.heading));
            if (!block.rows.empty())
                out += html_table(block.header, block.rows);
            else if (block.items.empty())
                out += fmt::format("<p>{}</p>\n", html_text(block.when_empty));
            if (!block.items.empty()) {
                out += "<ul>\n";
                for (const auto& item : block.items)
                    out += fmt::format("<li>{}</li>\n", html_text(item));
                out += "</ul>\n";
            }
        }
        if (section.id == "durations") {
            Timestamp end = r.incident.closed_at.value_or(r.generated_at);
            out +=
                "<figure id=\"severity-chart\">\n" +
                severity_chart_svg(fmt::format("Severity of incident {} over time", r.incident.id),
                                   r.incident.opened_at, end, r.durations.periods, chart_marks(r)) +
                "<figcaption>Severity over time, from opening to " +
                html_text(r.incident.closed_at ? "closing" : "now") +
                ", with notices (triangles) and handovers (diamonds) marked.</figcaption>\n"
                "</figure>\n";
        }
        out += "</section>\n";
    }
    out += html_page_end;
    return out;
}

} // namespace outage
