// FakeStore's image of everything it holds, for tests that check a log is unchanged.
#include "fake_store.hpp"

using namespace outage;
using nlohmann::json;

namespace {

json optional_json(const auto& value) {
    return value ? json(*value) : json();
}

json time_json(const std::optional<Timestamp>& t) {
    return t ? json(format_iso_utc(*t)) : json();
}

json incident_json(const Incident& i) {
    return {{"id", i.id},
            {"title", i.title},
            {"scenario", i.scenario},
            {"status", to_string(i.status)},
            {"phase", to_string(i.phase)},
            {"severity", optional_json(i.severity)},
            {"owner", optional_json(i.owner)},
            {"services", i.services},
            {"affected", optional_json(i.affected)},
            {"dedup_key", optional_json(i.dedup_key)},
            {"eta", time_json(i.eta)},
            {"opened_at", format_iso_utc(i.opened_at)},
            {"closed_at", time_json(i.closed_at)},
            {"next_update_due", time_json(i.next_update_due)},
            {"update_interval", i.update_interval ? json(i.update_interval->count()) : json()},
            {"handed_off_at", time_json(i.handed_off_at)},
            {"resolution", optional_json(i.resolution)},
            {"root_cause", optional_json(i.root_cause)},
            {"recurrence", i.recurrence ? json(to_string(*i.recurrence)) : json()},
            {"actions", i.actions},
            {"workaround", optional_json(i.workaround)}};
}

json notice_json(const NoticeRecord& n) {
    return {{"id", n.id},
            {"incident", n.incident_id},
            {"identity", n.identity},
            {"audience", n.audience},
            {"template", n.template_name},
            {"channel", n.channel},
            {"fields", n.fields},
            {"created_at", format_iso_utc(n.created_at)},
            {"actor", n.actor}};
}

json delivery_json(const DeliveryRecord& d) {
    return {{"id", d.id},
            {"notice", d.notice_id},
            {"recipient", d.recipient},
            {"lang", d.lang},
            {"columns", d.columns},
            {"state", to_string(d.state)},
            {"attempts", d.attempts},
            {"last_error", optional_json(d.last_error)}};
}

json event_json(const Event& e) {
    return {{"id", e.id},     {"incident", e.incident_id}, {"at", format_iso_utc(e.at)},
            {"kind", e.kind}, {"actor", e.actor},          {"payload", e.payload},
            {"hash", e.hash}};
}

} // namespace

std::string FakeStore::dump() const {
    json all = {{"incidents", json::array()}, {"assessments", json::array()},
                {"steps", json::array()},     {"deadlines", json::array()},
                {"notices", json::array()},   {"deliveries", json::array()},
                {"events", json::array()},    {"clocks", json::object()}};
    for (const auto& [incident, clocks] : m_data.clocks)
        for (const auto& [audience, due] : clocks)
            all["clocks"][std::to_string(incident)][audience] = format_iso_utc(due);
    for (const auto& i : m_data.incidents)
        all["incidents"].push_back(incident_json(i));
    for (const auto& a : m_data.assessments)
        all["assessments"].push_back({{"incident", a.incident_id},
                                      {"at", format_iso_utc(a.at)},
                                      {"actor", a.actor},
                                      {"answers", a.answers},
                                      {"severity", a.severity},
                                      {"rule", a.rule}});
    for (const auto& [incident, s] : m_data.steps)
        all["steps"].push_back({{"incident", incident},
                                {"step", s.step_id},
                                {"state", to_string(s.state)},
                                {"note", optional_json(s.note)},
                                {"at", format_iso_utc(s.at)},
                                {"actor", s.actor}});
    for (const auto& d : m_data.deadlines)
        all["deadlines"].push_back({{"incident", d.incident_id},
                                    {"name", d.name},
                                    {"title", d.title},
                                    {"started_at", format_iso_utc(d.started_at)},
                                    {"due_at", format_iso_utc(d.due_at)},
                                    {"met_at", time_json(d.met_at)},
                                    {"note", optional_json(d.note)}});
    for (const auto& n : m_data.notices)
        all["notices"].push_back(notice_json(n));
    for (const auto& d : m_data.deliveries)
        all["deliveries"].push_back(delivery_json(d));
    for (const auto& e : m_data.events)
        all["events"].push_back(event_json(e));
    return all.dump(1);
}
