#include "outage/services/verify.hpp"
#include "outage/cli/commands.hpp"
#include "outage/cli/output.hpp"
#include "outage/model/error.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>

namespace outage::cli {

namespace {

using nlohmann::json;

json verify_counts_json(const DeliveryCounts& counts) {
    return {{"sent", counts.sent}, {"failed", counts.failed}, {"pending", counts.pending}};
}

std::string counts_text(const DeliveryCounts& counts) {
    return fmt::format("{} sent, {} failed, {} pending", counts.sent, counts.failed,
                       counts.pending);
}

json verify_json(const VerifyResult& result) {
    const StateCheck& state = result.state;
    json doc = {{"ok", result.ok()},
                {"events_checked", result.chain.events_checked},
                {"head", result.chain.head},
                {"incidents_checked", state.incidents},
                {"differences", json::array()},
                {"problems", state.problems},
                {"clock_jumps", json::array()},
                {"unproven", json::array()},
                {"interrupted", json::array()}};
    if (result.head_wanted)
        doc["head_kept"] = {
            {"hash", *result.head_wanted},
            {"event", result.head_event ? json(*result.head_event) : json()},
            {"events_since", result.head_event ? json(result.events_since_head) : json()}};
    for (const auto& d : state.differences)
        doc["differences"].push_back(
            {{"incident", d.incident}, {"field", d.field}, {"log", d.log}, {"table", d.table}});
    for (const auto& jump : result.clock_jumps)
        doc["clock_jumps"].push_back({{"incident", jump.incident},
                                      {"event", jump.event},
                                      {"kind", jump.kind},
                                      {"at", format_iso_utc(jump.at)},
                                      {"after_event", jump.earlier_event},
                                      {"after_at", format_iso_utc(jump.earlier_at)}});
    for (const auto& fact : state.unproven)
        doc["unproven"].push_back({{"incident", fact.incident},
                                   {"record", fact.fact.first},
                                   {"field", fact.fact.second},
                                   {"event", fact.event}});
    for (const auto& send : state.interrupted)
        doc["interrupted"].push_back({{"incident", send.incident},
                                      {"notice", send.notice},
                                      {"log", verify_counts_json(send.log)},
                                      {"table", verify_counts_json(send.table)}});
    return doc;
}

// "1, 2, 5" with at most ten, then how many more.
std::string some_of(const std::vector<std::int64_t>& ids) {
    constexpr std::size_t shown = 10;
    std::vector<std::int64_t> first(ids.begin(), ids.begin() + std::min(ids.size(), shown));
    std::string text = fmt::format("{}", fmt::join(first, ", "));
    if (ids.size() > shown)
        text += fmt::format(" and {} more", ids.size() - shown);
    return text;
}

void print_notes(const StateCheck& state) {
    // One line per kind of fact: a log of 1,000 old notices is one note, not a thousand.
    std::map<std::string, std::vector<std::int64_t>> unproven;
    for (const auto& fact : state.unproven) {
        const auto& [record, field] = fact.fact;
        if (record.empty())
            unproven["the " + field + " of incident"].push_back(fact.incident);
        else
            unproven["the " + field + " of " + record.substr(0, record.find(' '))].push_back(
                std::stoll(record.substr(record.find(' ') + 1)));
    }
    for (auto& [what, ids] : unproven) {
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        fmt::print("note: {}{} {}: unproven, an earlier outage recorded {} with events that "
                   "do not carry it\n",
                   what, ids.size() == 1 ? "" : "s", some_of(ids), ids.size() == 1 ? "it" : "them");
    }
    for (const auto& send : state.interrupted)
        fmt::print("note: the send of notice {} (incident {}) was interrupted after its last "
                   "event: the log has {}, the table {}; {}\n",
                   send.notice, send.incident, counts_text(send.log), counts_text(send.table),
                   send.table.pending + send.table.failed > 0
                       ? "resume it with `outage outbox --flush`"
                       : "every message has gone since");
}

// The one line on stderr that says why verify failed.
std::string failure(const VerifyResult& result) {
    std::vector<std::string> reasons;
    if (result.head_wanted && !result.head_event)
        reasons.push_back(fmt::format("the chain does not hold the head {} kept elsewhere: "
                                      "events were removed from its end or it was rewritten",
                                      *result.head_wanted));
    if (auto n = result.state.differences.size() + result.state.problems.size())
        reasons.push_back(fmt::format("{} difference{} between the tables and the events: the "
                                      "log was changed outside outage",
                                      n, n == 1 ? "" : "s"));
    return fmt::format("{} (above)", fmt::join(reasons, "; "));
}

} // namespace

Command add_verify(CLI::App& command) {
    auto head = std::make_shared<std::optional<std::string>>();
    command
        .add_option("--head", *head,
                    "A last hash kept elsewhere (a mail, a ticket): the chain must still hold it")
        ->type_name("HASH");
    command.footer(
        "Checks the hash chain, then replays every event and compares what they give with the\n"
        "incidents, assessments, steps, deadlines, notices and deliveries stored. Exits 1 on\n"
        "any difference. The last hash it prints can be kept elsewhere and given back with\n"
        "--head to catch a log cut short or rewritten (docs/security.md).\n"
        "Example:\n  outage verify\n  outage verify --head \"$(cat /srv/ops/outage-head)\"");
    return {
        .check =
            [head](const Given&) {
                if (*head && ((*head)->size() != 64 ||
                              (*head)->find_first_not_of("0123456789abcdef") != std::string::npos))
                    throw Error(Exit::usage,
                                fmt::format("--head '{}' is not a hash: 64 lowercase hex "
                                            "digits, as `outage verify` prints it",
                                            **head));
            },
        .run =
            [head](const Given& given) {
                VerifyResult result = verify_log(given.log(), *head);
                const ChainCheck& check = result.chain;
                if (check.first_mismatch) {
                    const Event& bad = *check.first_mismatch;
                    if (given.out().json)
                        print_json({{"ok", false},
                                    {"events_checked", check.events_checked},
                                    {"first_mismatch",
                                     {{"id", bad.id},
                                      {"incident", bad.incident_id},
                                      {"kind", bad.kind}}}});
                    throw Error(Exit::runtime,
                                fmt::format("event {} (incident {}, {} by {}) does not match its "
                                            "hash: the log was changed outside outage at or after "
                                            "this event",
                                            bad.id, bad.incident_id, bad.kind, bad.actor));
                }
                if (given.out().json) {
                    print_json(verify_json(result));
                    if (!result.ok())
                        throw Error(Exit::runtime, failure(result));
                    return Exit::ok;
                }
                fmt::print("Timeline intact: {} events, last hash {}\n", check.events_checked,
                           check.head);
                if (result.head_event)
                    fmt::print("The head kept elsewhere is event {}; {} event{} since.\n",
                               *result.head_event, result.events_since_head,
                               result.events_since_head == 1 ? "" : "s");
                for (const auto& jump : result.clock_jumps)
                    fmt::print("warning: event {} (incident {}, {}) is stamped {}, {} before "
                               "event {}: a clock set back or a back-dated command\n",
                               jump.event, jump.incident, shown(jump.kind), format_iso_utc(jump.at),
                               format_span(jump.earlier_at - jump.at), jump.earlier_event);
                for (const auto& problem : result.state.problems)
                    fmt::print("{}\n", shown(problem));
                for (const auto& difference : result.state.differences)
                    fmt::print("{}\n", shown(describe(difference)));
                if (result.state.matches())
                    fmt::print("State matches the events: {} incident{}.\n", result.state.incidents,
                               result.state.incidents == 1 ? "" : "s");
                print_notes(result.state);
                if (!result.ok())
                    throw Error(Exit::runtime, failure(result));
                return Exit::ok;
            }};
}

} // namespace outage::cli
