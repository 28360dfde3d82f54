#include "outage/cli/commands.hpp"
#include "outage/cli/options.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"
#include "outage/report/describe.hpp"
#include "outage/runbook/catalog.hpp"
#include "outage/services/progress.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace outage::cli {

namespace {
struct DueOptions {
    bool fail_if_overdue = false;
    std::string within = "4h";
    std::chrono::seconds horizon{};
};

// An incident of the JSON report: the kind, the incident's facts, the time (`at_key`) and how
// many minutes ago it was (`minutes_key`).
nlohmann::json due_incident_json(const char* kind, const Incident& incident, Timestamp at,
                                 const char* at_key, const char* minutes_key, Timestamp now) {
    return {{"kind", kind},
            {"incident", incident.id},
            {"title", incident.title},
            {"severity", incident.severity ? nlohmann::json(*incident.severity) : nlohmann::json()},
            {"owner", incident.owner ? nlohmann::json(*incident.owner) : nlohmann::json()},
            {at_key, format_iso_utc(at)},
            // A time outside the accepted range counts as overdue by no number of minutes.
            {minutes_key,
             in_time_range(at) ? nlohmann::json((now - at).count() / 60) : nlohmann::json()}};
}

// How long ago `at` was, or, for a time outside the accepted range, the time as stored.
std::string due_since(Timestamp at, Timestamp now) {
    return in_time_range(at) ? format_span(now - at) : format_iso_utc(at);
}

// The audience as `due` names it: the assessment's first-update clock has none.
std::string audience_label(const std::string& audience) {
    return audience == first_update ? "(first update)" : audience;
}

// One line of a table: id, severity, the audience when there is one, how long since `since`,
// owner, title. Returns whether `since` is a time shown as stored.
bool due_print_row(const Incident& incident, const std::optional<std::string>& audience,
                   Timestamp since, Timestamp now) {
    fmt::print("  {:>5}  {:<8}  {}{:<10}  {:<12}  {}\n", incident.id,
               shown(incident.severity.value_or("-")),
               audience ? fmt::format("{:<16}  ", shown(audience_label(*audience))) : "",
               due_since(since, now), shown(incident.owner.value_or("-")), shown(incident.title));
    return !in_time_range(since);
}

void due_print_heading(bool first, const std::string& heading, const char* column, bool audience) {
    fmt::print("{}{}\n", first ? "" : "\n", heading);
    fmt::print("  {:>5}  {:<8}  {}{:<10}  {:<12}  {}\n", "ID", "SEVERITY",
               audience ? fmt::format("{:<16}  ", "AUDIENCE") : "", column, "OWNER", "TITLE");
}

// Lists what is overdue or close; exit 7 with --fail-if-overdue when anything is overdue.
Exit due_run(bool fail_if_overdue, std::chrono::seconds horizon, const Given& given) {
    Timestamp now = given.now();
    SeverityScale scale = load_severity_scale(given.runbooks());
    DueReport report = due_report(given.log(), now, horizon, scale);
    // An unacknowledged handover counts: the runbooks ask for a warm handover, and an
    // incident whose new owner has not taken it is one nobody may be working on.
    bool overdue = !report.unassessed.empty() || !report.overdue.empty() ||
                   !report.unacknowledged.empty() ||
                   std::any_of(report.deadlines.begin(), report.deadlines.end(),
                               [&](const Deadline& d) { return has_passed(d.due_at, now); }) ||
                   // Refused for good: no flush will deliver them; a person must.
                   std::any_of(report.undelivered.begin(), report.undelivered.end(),
                               [](const QueuedNotice& q) { return q.counts.permanent > 0; });
    Exit code = fail_if_overdue && overdue ? Exit::overdue : Exit::ok;

    if (given.out().json) {
        nlohmann::json array = nlohmann::json::array();
        for (const auto& incident : report.unassessed)
            array.push_back(due_incident_json("unassessed", incident, incident.opened_at,
                                              "opened_at", "waiting_minutes", now));
        for (const auto& update : report.overdue) {
            auto object = due_incident_json("update", update.incident, update.due_at, "due_at",
                                            "overdue_minutes", now);
            object["audience"] = update.audience == first_update ? nlohmann::json()
                                                                 : nlohmann::json(update.audience);
            array.push_back(object);
        }
        for (const auto& incident : report.unacknowledged)
            array.push_back(due_incident_json("handover", incident, *incident.handed_off_at,
                                              "handed_off_at", "waiting_minutes", now));
        for (const auto& deadline : report.deadlines) {
            auto object = deadline_json(deadline, now);
            object["kind"] = "deadline";
            array.push_back(object);
        }
        for (const auto& queued : report.undelivered)
            array.push_back({{"kind", "undelivered"},
                             {"id", queued.notice.incident_id},
                             {"notice", queued.notice.id},
                             {"audience", queued.notice.audience},
                             {"channel", queued.notice.channel},
                             {"failed", queued.counts.failed - queued.counts.permanent},
                             {"refused", queued.counts.permanent},
                             {"next_retry", queued.next_retry
                                                ? nlohmann::json(format_iso_utc(*queued.next_retry))
                                                : nlohmann::json()},
                             {"last_error", queued.last_error ? nlohmann::json(*queued.last_error)
                                                              : nlohmann::json()}});
        print_json(array);
        return code;
    }
    if (report.unassessed.empty() && report.overdue.empty() && report.unacknowledged.empty() &&
        report.deadlines.empty() && report.undelivered.empty()) {
        fmt::print("Nothing overdue; no deadline within {}.\n", format_span(horizon));
        return code;
    }
    bool first = true;
    bool stored_shown = false; // a time outside the accepted range, shown as stored
    if (!report.unassessed.empty()) {
        due_print_heading(first,
                          fmt::format("Not assessed within {} of opening (run `outage assess "
                                      "ID`):",
                                      format_span(scale.assess_within)),
                          "WAITING", false);
        for (const auto& incident : report.unassessed)
            stored_shown |= due_print_row(incident, std::nullopt, incident.opened_at, now);
        first = false;
    }
    if (!report.overdue.empty()) {
        due_print_heading(first,
                          "Updates due (each audience was promised the time, or the "
                          "assessment asked for a first update):",
                          "OVERDUE", true);
        for (const auto& update : report.overdue)
            stored_shown |= due_print_row(update.incident, update.audience, update.due_at, now);
        first = false;
    }
    if (!report.unacknowledged.empty()) {
        due_print_heading(first,
                          fmt::format("Handovers not acknowledged after {} (the new owner "
                                      "runs `outage ack ID`):",
                                      format_span(handover_ack_window)),
                          "WAITING", false);
        for (const auto& incident : report.unacknowledged)
            stored_shown |= due_print_row(incident, std::nullopt, *incident.handed_off_at, now);
        first = false;
    }
    if (!report.deadlines.empty()) {
        fmt::print("{}Deadlines missed or due within {}:\n", first ? "" : "\n",
                   format_span(horizon));
        fmt::print("  {:>5}  {:<22} {:<36} {}\n", "ID", "DEADLINE", "STATE", "TITLE");
        for (const auto& deadline : report.deadlines)
            fmt::print("  {:>5}  {:<22} {:<36} {}\n", deadline.incident_id, shown(deadline.name),
                       deadline_state(deadline, now), shown(deadline.title));
        first = false;
    }
    if (!report.undelivered.empty()) {
        fmt::print("{}Messages not delivered (`outage outbox` has the reasons):\n",
                   first ? "" : "\n");
        for (const auto& queued : report.undelivered) {
            std::int64_t waiting = queued.counts.failed - queued.counts.permanent;
            std::string what;
            if (queued.counts.permanent > 0)
                what = fmt::format("{} refused for good (fix, then `outage outbox --flush "
                                   "--retry-failed`)",
                                   queued.counts.permanent);
            if (waiting > 0)
                what += fmt::format("{}{} failed, retried by `outage outbox --flush`{}",
                                    what.empty() ? "" : "; ", waiting,
                                    queued.next_retry ? " from " + format_local(*queued.next_retry)
                                                      : std::string());
            fmt::print("  {:>5}  notice {} to {} by {}: {}\n", queued.notice.incident_id,
                       queued.notice.id, shown(queued.notice.audience),
                       shown(queued.notice.channel), what);
        }
    }
    if (stored_shown)
        fmt::print("  (a time shown as stored is outside {}: the log was written before times "
                   "were checked, and it counts as overdue)\n",
                   time_range_text());
    return code;
}
} // namespace

Command add_due(CLI::App& command) {
    auto options = std::make_shared<DueOptions>();
    command.add_flag("--fail-if-overdue", options->fail_if_overdue,
                     "Exit 7 when an update, a handover acknowledgement or a deadline is overdue "
                     "(for cron and CI)");
    command
        .add_option("--within", options->within, "Also list deadlines falling due within this time")
        ->capture_default_str()
        ->type_name("DURATION");
    command.footer("Example (cron, every 5 minutes):\n  outage due --fail-if-overdue || "
                   "notify-oncall \"incident updates overdue\"");
    return {.check =
                [options](const Given&) {
                    auto horizon = parse_duration(options->within);
                    if (!horizon)
                        throw Error(Exit::usage,
                                    fmt::format("--within: invalid duration '{}': expected "
                                                "such as 90m, 4h, 1d",
                                                options->within));
                    options->horizon = *horizon;
                },
            .run =
                [options](const Given& given) {
                    return due_run(options->fail_if_overdue, options->horizon, given);
                }};
}

} // namespace outage::cli
