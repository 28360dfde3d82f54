#include "outage/cli/output.hpp"

#include "outage/io/atomic_file.hpp"
#include "outage/io/folders.hpp"
#include "outage/model/deadline.hpp"
#include "outage/model/error.hpp"
#include "outage/services/assessment.hpp"

#include <fmt/color.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <filesystem>
#include <set>

namespace outage::cli {
namespace {
using nlohmann::json;
} // namespace

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
    return {{"notice", result.notice_id},      {"audience", audience},
            {"resumed", result.resumed},       {"attempted", result.attempted},
            {"sent", result.counts.sent},      {"failed", result.counts.failed},
            {"pending", result.counts.pending}};
}

void print_notice_result(const NotifyResult& result, const std::string& audience) {
    if (result.resumed && result.attempted == 0) {
        fmt::print("Notice {} was already sent: {} sent, {} failed; nothing left to send.\n",
                   result.notice_id, result.counts.sent, result.counts.failed);
        return;
    }
    fmt::print("Notice {}{}{}: {} sent, {} failed, {} pending.\n", result.notice_id,
               audience.empty() ? "" : " to ", audience, result.counts.sent, result.counts.failed,
               result.counts.pending);
    if (result.counts.failed > 0)
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
    if (!color)
        return *severity;
    switch ((*severity)[3]) {
    case '1':
        return fmt::format(fmt::emphasis::bold | fg(fmt::terminal_color::red), "{}", *severity);
    case '2':
        return fmt::format(fg(fmt::terminal_color::red), "{}", *severity);
    case '3':
        return fmt::format(fg(fmt::terminal_color::yellow), "{}", *severity);
    default:
        return *severity;
    }
}

void print_incident(const Incident& incident, const Output& out) {
    auto row = [](std::string_view label, const std::string& value) {
        fmt::print("  {:<12} {}\n", label, value);
    };
    auto optional_row = [&row](std::string_view label, const auto& value, auto&& show) {
        if (value)
            row(label, show(*value));
    };
    auto local = [](Timestamp t) { return format_local(t); };
    auto plain = [](const std::string& s) { return s; };

    fmt::print("Incident {}: {}\n", incident.id, incident.title);
    row("scenario", incident.scenario);
    row("status", incident.status == Status::open
                      ? fmt::format("open ({})", to_string(incident.phase))
                      : std::string("closed"));
    row("severity", severity_label(incident.severity, out.color));
    row("owner", incident.owner.value_or("nobody"));
    if (!incident.services.empty())
        row("services", fmt::format("{}", fmt::join(incident.services, ", ")));
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
        row("action", action);
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
            severity = severity_label(incident.severity, true) +
                       std::string(10 - incident.severity->size(), ' ');
        fmt::print("{:>5}  {}  {:<6}  {:<20}  {:<18}  {:<12}  {}\n", incident.id, severity,
                   to_string(incident.status), incident.scenario,
                   format_local(incident.opened_at).substr(0, 16), incident.owner.value_or("-"),
                   incident.title);
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
        fmt::print("  {} {:<24} {:<15} {}{}\n", box, view.step->id, view.step->role,
                   view.step->title, view.step->optional ? " (optional)" : "");
        if (view.progress && view.progress->note)
            fmt::print("      {} by {}: {}\n", to_string(view.progress->state),
                       view.progress->actor, *view.progress->note);
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
        fmt::print("  {:<22} {:<36} {}\n", deadline.name, deadline_state(deadline, now),
                   deadline.title);
}

void print_timeline(const std::vector<Event>& events) {
    fmt::print("Timeline\n");
    for (const auto& event : events)
        fmt::print("  {}  {:<12} {}\n", format_local(event.at), event.actor, describe_event(event));
}

} // namespace outage::cli
