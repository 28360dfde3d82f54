#include "outage/cli/output.hpp"

#include "outage/io/atomic_file.hpp"
#include "outage/io/folders.hpp"
#include "outage/model/deadline.hpp"
#include "outage/model/error.hpp"
#include "outage/model/text.hpp"
#include "outage/services/assessment.hpp"

#include <fmt/color.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>

namespace outage::cli {
namespace {
using nlohmann::json;
} // namespace

std::string shown(std::string_view text, bool keep_line_feeds) {
    if (!keep_line_feeds)
        return escape_controls(text);
    // Line feeds, tabs and a CR ending a line (a note pasted from Windows) move the cursor
    // nowhere a reader does not expect; everything else is escaped as on one line.
    std::string out;
    for (size_t start = 0; start <= text.size();) {
        size_t end = std::min(text.find('\n', start), text.size());
        std::string_view line = text.substr(start, end - start);
        bool cr = end < text.size() && line.ends_with('\r');
        if (cr)
            line.remove_suffix(1);
        for (size_t from = 0; from <= line.size();) {
            size_t tab = std::min(line.find('\t', from), line.size());
            out += escape_controls(line.substr(from, tab - from));
            if (tab < line.size())
                out += '\t';
            from = tab + 1;
        }
        if (cr)
            out += '\r';
        if (end < text.size())
            out += '\n';
        start = end + 1;
    }
    return out;
}

ShownStdout::ShownStdout() : std::ostream(&m_lines) {}

ShownStdout::~ShownStdout() {
    m_lines.write_out();
}

void ShownStdout::Lines::write_out() {
    std::string text = shown(m_line, true);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
    m_line.clear();
}

ShownStdout::Lines::int_type ShownStdout::Lines::overflow(int_type c) {
    if (traits_type::eq_int_type(c, traits_type::eof()))
        return traits_type::not_eof(c);
    m_line += traits_type::to_char_type(c);
    if (c == '\n')
        write_out();
    return c;
}

std::streamsize ShownStdout::Lines::xsputn(const char* text, std::streamsize count) {
    std::string_view rest(text, static_cast<size_t>(count));
    // Whole lines go out at once; a partial one waits for its end (a UTF-8 sequence is never
    // split between two escapings).
    for (size_t end; (end = rest.find('\n')) != std::string_view::npos;) {
        m_line += rest.substr(0, end + 1);
        write_out();
        rest.remove_prefix(end + 1);
    }
    m_line += rest;
    return count;
}

int ShownStdout::Lines::sync() {
    write_out();
    return 0;
}

json condition_json(const Condition& condition) {
    using Op = Condition::Op;
    auto children = [&] {
        json array = json::array();
        for (const auto& child : condition.children)
            array.push_back(condition_json(child));
        return array;
    };
    switch (condition.op) {
    case Op::all:
        return {{"all", children()}};
    case Op::any:
        return {{"any", children()}};
    case Op::negate:
        return {
            {"not", condition.children.empty() ? json() : condition_json(condition.children[0])}};
    case Op::equals:
        return {{"question", condition.question},
                {"equals", condition.values.empty() ? json() : condition.values[0]}};
    case Op::one_of:
        return {{"question", condition.question}, {"one-of", condition.values}};
    case Op::at_least:
        return {{"question", condition.question}, {"at-least", number_answer(condition.number)}};
    case Op::at_most:
        return {{"question", condition.question}, {"at-most", number_answer(condition.number)}};
    }
    return json();
}

json notice_result_json(const NotifyResult& result, const std::string& audience) {
    return {{"notice", result.notice_id},
            {"audience", audience},
            {"resumed", result.resumed},
            {"attempted", result.attempted},
            {"sent", result.counts.sent},
            {"failed", result.counts.failed},
            {"pending", result.counts.pending},
            {"refused", result.counts.permanent},
            {"stopped", result.stopped ? json(*result.stopped) : json()}};
}

void print_notice_result(const NotifyResult& result, const std::string& audience) {
    const DeliveryCounts& counts = result.counts;
    if (result.resumed && result.attempted == 0 && counts.pending > 0) {
        // Pending deliveries nobody here could claim are another sender's, under way.
        fmt::print("Notice {} is being sent by another outage: {} sent, {} pending; nothing "
                   "left for this one to send.\n",
                   result.notice_id, counts.sent, counts.pending);
        return;
    }
    if (result.resumed && result.attempted == 0) {
        fmt::print("Notice {} was already sent: {} sent, {} failed; nothing left to send.\n",
                   result.notice_id, counts.sent, counts.failed);
        return;
    }
    fmt::print("Notice {}{}{}: {} sent, {} failed, {} pending.\n", result.notice_id,
               audience.empty() ? "" : " to ", shown(audience), counts.sent, counts.failed,
               counts.pending);
    if (result.stopped)
        fmt::print("The send {}.\n", *result.stopped);
    if (counts.permanent > 0)
        fmt::print("{} refused by the server for good: see `outage outbox`; send them again "
                   "with `outage outbox --flush --retry-failed` once fixed.\n",
                   counts.permanent);
    if (counts.failed > counts.permanent)
        fmt::print("Failed deliveries stay queued: retry with `outage notify --resume {}` or "
                   "`outage outbox --flush`.\n",
                   result.notice_id);
}

Exit print_problems(const std::vector<Problem>& problems, const Output& out) {
    Exit code = problems.empty() ? Exit::ok : Exit::invalid_content;
    if (out.json) {
        json array = json::array();
        for (const auto& p : problems)
            array.push_back(
                {{"file", p.file}, {"line", p.line}, {"column", p.column}, {"message", p.message}});
        print_json(array);
        return code;
    }
    std::set<std::string> files;
    for (const auto& p : problems) {
        fmt::print("{}\n", to_string(p));
        files.insert(p.file);
    }
    if (problems.empty()) {
        fmt::print("No problems found.\n");
        return code;
    }
    std::fflush(stdout);
    fmt::print(stderr, "outage: {} problem{} in {} file{}\n", problems.size(),
               problems.size() == 1 ? "" : "s", files.size(), files.size() == 1 ? "" : "s");
    return code;
}

JsonArrayPrinter::JsonArrayPrinter()
    : m_serializer(nlohmann::detail::output_adapter<char>(m_out), ' ',
                   json::error_handler_t::replace) {}

void JsonArrayPrinter::add(const json& element) {
    m_out += m_count++ == 0 ? "\n" : ",\n";
    m_serializer.dump(element, false, false, 0);
    if (m_out.size() > 1 << 16) {
        std::fwrite(m_out.data(), 1, m_out.size(), stdout);
        m_out.clear();
    }
}

void JsonArrayPrinter::finish() {
    m_out += m_count == 0 ? "]\n" : "\n]\n";
    std::fwrite(m_out.data(), 1, m_out.size(), stdout);
    m_out.clear();
}

void write_output_file(const std::string& file, std::string_view content, mode_t mode,
                       std::string_view option) {
    std::filesystem::path folder = std::filesystem::path(file).parent_path();
    refuse_if_others_may_write(folder, fmt::format("the folder of {}", option),
                               StickyFolder::accepted);
    write_file_atomically(file, content, mode);
}

void print_json(const json& document) {
    if (!document.is_array()) {
        fmt::print("{}\n", dump_json(document, 2));
        return;
    }
    JsonArrayPrinter printer;
    for (const auto& element : document)
        printer.add(element);
    printer.finish();
}

std::string severity_label(const std::optional<std::string>& severity, bool color) {
    if (!severity)
        return "unassessed";
    std::string text = shown(*severity);
    if (!color || text.size() < 4)
        return text;
    switch (text[3]) {
    case '1':
        return fmt::format(fmt::emphasis::bold | fg(fmt::terminal_color::red), "{}", text);
    case '2':
        return fmt::format(fg(fmt::terminal_color::red), "{}", text);
    case '3':
        return fmt::format(fg(fmt::terminal_color::yellow), "{}", text);
    default:
        return text;
    }
}

void print_incident(const Incident& incident, const Output& out) {
    // Every value is shown(): only the severity's colour codes are ours.
    auto row = [](std::string_view label, const std::string& value) {
        fmt::print("  {:<12} {}\n", label, value);
    };
    auto optional_row = [&row](std::string_view label, const auto& value, auto&& show) {
        if (value)
            row(label, show(*value));
    };
    auto local = [](Timestamp t) { return format_local(t); };
    auto plain = [](const std::string& s) { return shown(s); };

    fmt::print("Incident {}: {}\n", incident.id, shown(incident.title));
    row("scenario", shown(incident.scenario));
    row("status", incident.status == Status::open
                      ? fmt::format("open ({})", to_string(incident.phase))
                      : std::string("closed"));
    row("severity", severity_label(incident.severity, out.color));
    row("owner", shown(incident.owner.value_or("nobody")));
    if (!incident.services.empty())
        row("services", shown(fmt::format("{}", fmt::join(incident.services, ", "))));
    if (incident.affected)
        row("affected", std::to_string(*incident.affected));
    optional_row("dedup key", incident.dedup_key, plain);
    row("opened", format_local(incident.opened_at));
    optional_row("eta", incident.eta, local);
    if (incident.next_update_due && incident.update_interval)
        row("next update", fmt::format("{} (every {})", format_local(*incident.next_update_due),
                                       format_span(*incident.update_interval)));
    optional_row("closed", incident.closed_at, local);
    optional_row("resolution", incident.resolution, plain);
    optional_row("root cause", incident.root_cause, plain);
    if (incident.recurrence)
        row("recurrence", std::string(to_string(*incident.recurrence)));
    for (const auto& action : incident.actions)
        row("action", shown(action));
}

void print_incident_table(const std::vector<Incident>& incidents, const Output& out) {
    if (incidents.empty()) {
        fmt::print("No incidents.\n");
        return;
    }
    fmt::print("{:>5}  {:<10}  {:<6}  {:<20}  {:<18}  {:<12}  {}\n", "ID", "SEVERITY", "STATUS",
               "SCENARIO", "OPENED", "OWNER", "TITLE");
    for (const auto& incident : incidents) {
        // Pad before colouring: escape codes would count as width.
        std::string severity = fmt::format("{:<10}", severity_label(incident.severity, false));
        if (out.color && incident.severity)
            severity =
                severity_label(incident.severity, true) +
                std::string(10 - std::min<size_t>(10, shown(*incident.severity).size()), ' ');
        fmt::print("{:>5}  {}  {:<6}  {:<20}  {:<18}  {:<12}  {}\n", incident.id, severity,
                   to_string(incident.status), shown(incident.scenario),
                   format_local(incident.opened_at).substr(0, 16),
                   shown(incident.owner.value_or("-")), shown(incident.title));
    }
}

void print_steps(const std::vector<StepView>& steps) {
    if (steps.empty()) {
        fmt::print("  (no steps in this runbook)\n");
        return;
    }
    for (const auto& view : steps) {
        const char* box = !view.progress                            ? "[ ]"
                          : view.progress->state == StepState::done ? "[x]"
                                                                    : "[-]";
        fmt::print("  {} {:<24} {:<15} {}{}\n", box, shown(view.step->id), shown(view.step->role),
                   shown(view.step->title), view.step->optional ? " (optional)" : "");
        if (view.progress && view.progress->note)
            fmt::print("      {} by {}: {}\n", to_string(view.progress->state),
                       shown(view.progress->actor), shown(*view.progress->note));
    }
}

std::string deadline_state(const Deadline& deadline, Timestamp now) {
    switch (deadline_outcome(deadline, now)) {
    case DeadlineOutcome::met_on_time:
        return fmt::format("met on time, {}", format_local(*deadline.met_at));
    case DeadlineOutcome::met_late:
        return fmt::format("met {} late, {}", format_span(*deadline.met_at - deadline.due_at),
                           format_local(*deadline.met_at));
    case DeadlineOutcome::missed:
        if (!in_time_range(deadline.due_at)) // docs/decisions.md, "Promises kept (issue 11)"
            return fmt::format("MISSED: due {} as stored", format_iso_utc(deadline.due_at));
        return fmt::format("MISSED {} ago", format_span(now - deadline.due_at));
    case DeadlineOutcome::running:
        break;
    }
    return fmt::format("due {} (in {})", format_local(deadline.due_at),
                       format_span(deadline.due_at - now));
}

void print_deadlines(const std::vector<Deadline>& deadlines, Timestamp now) {
    for (const auto& deadline : deadlines)
        fmt::print("  {:<22} {:<36} {}\n", shown(deadline.name), deadline_state(deadline, now),
                   shown(deadline.title));
}

void print_timeline(const std::vector<Event>& events) {
    fmt::print("Timeline\n");
    for (const auto& event : events)
        fmt::print("  {}  {:<12} {}\n", format_local(event.at), shown(event.actor),
                   shown(describe_event(event)));
}

} // namespace outage::cli
