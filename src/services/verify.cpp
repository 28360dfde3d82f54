#include "outage/services/verify.hpp"

#include "outage/model/error.hpp"
#include "outage/services/delivery_digest.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace outage {
namespace {

using nlohmann::json;

std::string field_name(const FactName& name) {
    return name.first.empty() ? name.second : name.first + " " + name.second;
}

// The tables' side of the comparison, in the projection's shape.
IncidentState stored_state(Store& store, const Incident& incident, StateScope scope) {
    IncidentState state;
    state.incident = incident;
    state.opened = true;
    state.clocks = store.update_clocks(incident.id);
    if (scope == StateScope::incident)
        return state;
    state.assessments = store.assessments(incident.id);
    state.steps = store.step_progress(incident.id);
    state.deadlines = store.deadlines(incident.id);
    for (const auto& notice : store.notices(incident.id)) {
        DeliveryDigests deliveries = delivery_digests(store, notice.id);
        const DeliveryCounts& counts = deliveries.counts;
        state.notices.push_back({.id = notice.id,
                                 .audience = notice.audience,
                                 .template_name = notice.template_name,
                                 .channel = notice.channel,
                                 .created_at = notice.created_at,
                                 .actor = notice.actor,
                                 .identity = notice.identity,
                                 .fields_digest = fields_digest(notice.fields),
                                 .recipients = counts.pending + counts.sent + counts.failed,
                                 .recipients_digest = deliveries.recipients,
                                 .counts = counts,
                                 .states_digest = deliveries.states});
    }
    return state;
}

bool same(const DeliveryCounts& a, const DeliveryCounts& b) {
    return a.pending == b.pending && a.sent == b.sent && a.failed == b.failed;
}

// A send moves deliveries from pending to sent or failed and from failed to sent or failed,
// never back: a table that got from `log` to `table` that way is a send that went on after
// its last event.
bool further_along(const DeliveryCounts& log, const DeliveryCounts& table) {
    return log.pending + log.sent + log.failed == table.pending + table.sent + table.failed &&
           table.sent >= log.sent && table.pending <= log.pending && !same(log, table);
}

json counts_json(const DeliveryCounts& counts) {
    return {{"sent", counts.sent}, {"failed", counts.failed}, {"pending", counts.pending}};
}

void compare_deliveries(StateCheck& check, const IncidentState& log_state, const NoticeState& log,
                        const NoticeState& table, std::int64_t legacy) {
    IncidentId id = log_state.incident.id;
    FactName states{fmt::format("notice {}", log.id), "delivery_states"};
    auto unproven = log_state.unproven.find(states);
    bool counts_only = unproven != log_state.unproven.end() && unproven->second <= legacy;
    // After a notice_sent the digest says each delivery's state; with none yet every delivery
    // is pending, which the counts say as exactly.
    bool matches = log.states_digest ? log.states_digest == table.states_digest
                                     : same(log.counts, table.counts);
    if (matches) {
        if (counts_only)
            check.unproven.push_back({id, states, unproven->second});
        return;
    }
    if (further_along(log.counts, table.counts)) {
        check.interrupted.push_back({id, log.id, log.counts, table.counts});
        return;
    }
    json in_log = counts_json(log.counts), in_table = counts_json(table.counts);
    if (same(log.counts, table.counts)) {
        in_log["states"] = log.states_digest ? json(*log.states_digest) : json();
        in_table["states"] = table.states_digest ? json(*table.states_digest) : json();
    }
    check.differences.push_back(
        {id, fmt::format("notice {} deliveries", log.id), std::move(in_log), std::move(in_table)});
}

// The fields of one record, as one object.
json record_json(const std::vector<Fact>& facts, const std::string& record) {
    json object = json::object();
    for (const auto& fact : facts)
        if (fact.name.first == record)
            object[fact.name.second] = fact.value;
    return object;
}

StateCheck compare_incident(Store& store, const Incident& incident,
                            const std::vector<Event>& timeline, StateScope scope,
                            std::int64_t legacy) {
    StateCheck check;
    check.incidents = 1;
    IncidentId id = incident.id;
    if (timeline.empty()) {
        check.problems.push_back(
            fmt::format("incident {}: the table has it, the log has no event of it", id));
        return check;
    }
    // An event that cannot be read is the reader's error, naming the event, as everywhere.
    IncidentState log = project(id, timeline);
    for (const auto& anomaly : log.anomalies)
        check.problems.push_back(fmt::format("incident {}: {}", id, anomaly));

    if (scope == StateScope::incident) {
        // Only the incident's own row is compared: its records need no facts made.
        log.assessments.clear();
        log.steps.clear();
        log.deadlines.clear();
        log.notices.clear();
    }
    IncidentState table = stored_state(store, incident, scope);
    std::vector<Fact> log_facts = facts(log), table_facts = facts(table);
    std::map<FactName, const json*> stored;
    std::set<std::string> log_records, table_records;
    for (const auto& fact : table_facts) {
        stored.emplace(fact.name, &fact.value);
        if (!fact.name.first.empty())
            table_records.insert(fact.name.first);
    }
    for (const auto& fact : log_facts)
        if (!fact.name.first.empty())
            log_records.insert(fact.name.first);
    if (scope == StateScope::incident)
        log_records.clear();

    for (const auto& fact : log_facts) {
        const std::string& record = fact.name.first;
        if (!record.empty() && !(log_records.count(record) && table_records.count(record)))
            continue; // a record on one side only is one difference, below
        auto unproven = log.unproven.find(fact.name);
        if (unproven != log.unproven.end() && unproven->second <= legacy) {
            check.unproven.push_back({id, fact.name, unproven->second});
            continue;
        }
        auto found = stored.find(fact.name);
        json in_table = found == stored.end() ? json() : *found->second;
        if (fact.value != in_table)
            check.differences.push_back({id, field_name(fact.name), fact.value, in_table});
    }
    for (const auto& record : log_records)
        if (!table_records.count(record))
            check.differences.push_back({id, record, record_json(log_facts, record), json()});
    for (const auto& record : table_records)
        if (!log_records.count(record))
            check.differences.push_back({id, record, json(), record_json(table_facts, record)});

    for (const auto& notice : log.notices)
        for (const auto& stored_notice : table.notices)
            if (stored_notice.id == notice.id)
                compare_deliveries(check, log, notice, stored_notice, legacy);
    return check;
}

// A value as one line: text quoted, nothing as `none`, long values cut.
std::string shown(const json& value) {
    if (value.is_null())
        return "none";
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    constexpr std::size_t longest = 100;
    if (text.size() > longest)
        text = text.substr(0, longest) + "...";
    return text;
}

} // namespace

void StateCheck::add(StateCheck other) {
    incidents += other.incidents;
    auto append = [](auto& into, auto& from) {
        into.insert(into.end(), std::make_move_iterator(from.begin()),
                    std::make_move_iterator(from.end()));
    };
    append(differences, other.differences);
    append(problems, other.problems);
    append(unproven, other.unproven);
    append(interrupted, other.interrupted);
}

StateCheck check_incident(Store& store, const Incident& incident,
                          const std::vector<Event>& timeline, StateScope scope) {
    return compare_incident(store, incident, timeline, scope, store.last_legacy_event());
}

StateCheck check_incidents(Store& store, const std::vector<Incident>& incidents, StateScope scope) {
    StateCheck check;
    std::int64_t legacy = store.last_legacy_event();
    for (const auto& incident : incidents)
        check.add(compare_incident(store, incident, store.timeline(incident.id), scope, legacy));
    return check;
}

VerifyResult verify_log(Store& store, const std::optional<std::string>& head) {
    VerifyResult result;
    result.head_wanted = head;
    result.chain = store.verify_chain();
    if (result.chain.first_mismatch)
        return result;

    // One pass in log order: each event's time against the latest before it, where the
    // head kept elsewhere stands, and which incidents have events.
    std::map<IncidentId, std::int64_t> events_of;
    std::optional<std::pair<std::int64_t, Timestamp>> latest;
    std::int64_t seen = 0;
    store.each_event({}, [&](const Event& event) {
        ++seen;
        ++events_of[event.incident_id];
        if (head && event.hash == *head) {
            result.head_event = event.id;
            result.events_since_head = result.chain.events_checked - seen;
        }
        // A send's notice_sent carries the time the send began, however long it took.
        if (latest && kind_of(event) != EventKind::notice_sent &&
            event.at + clock_tolerance < latest->second)
            result.clock_jumps.push_back(
                {event.incident_id, event.id, event.kind, event.at, latest->first, latest->second});
        if (!latest || event.at > latest->second)
            latest = {event.id, event.at};
    });

    std::int64_t legacy = store.last_legacy_event();
    store.each_incident({}, [&](const Incident& incident) {
        try {
            result.state.add(compare_incident(store, incident, store.timeline(incident.id),
                                              StateScope::full, legacy));
        } catch (const Error& e) {
            // The chain is whole, so an outage wrote the event: a newer one, or a forger who
            // recomputed the hashes. Either way it proves nothing here.
            result.state.incidents += 1;
            result.state.problems.push_back(fmt::format("incident {}: {}", incident.id, e.what()));
        }
        events_of.erase(incident.id);
    });
    for (const auto& [id, count] : events_of)
        result.state.problems.push_back(
            fmt::format("incident {}: the log has {} event{} of it, the table does not have it", id,
                        count, count == 1 ? "" : "s"));
    return result;
}

void require_matching_state(const StateCheck& check) {
    if (check.matches())
        return;
    std::string first =
        check.problems.empty() ? describe(check.differences.front()) : check.problems.front();
    std::size_t more = check.problems.size() + check.differences.size() - 1;
    throw Error(
        Exit::runtime,
        fmt::format("{}{}: the log was changed outside outage; `outage verify` lists "
                    "what does not match",
                    first,
                    more ? fmt::format(" (and {} more difference{})", more, more == 1 ? "" : "s")
                         : std::string()));
}

std::string describe(const StateDifference& difference) {
    return fmt::format("incident {}: {} is {} in the log, {} in the table", difference.incident,
                       difference.field, shown(difference.log), shown(difference.table));
}

} // namespace outage
