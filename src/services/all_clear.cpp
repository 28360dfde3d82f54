#include "outage/services/all_clear.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

namespace outage {
namespace {

const PlanEntry* find_entry(const Runbook* runbook, const std::string& audience) {
    if (!runbook)
        return nullptr;
    for (const auto& entry : runbook->communications)
        if (entry.audience == audience)
            return &entry;
    return nullptr;
}

bool withholds(const PlanEntry* entry, const char* field) {
    return entry && std::find(entry->withhold.begin(), entry->withhold.end(), field) !=
                        entry->withhold.end();
}

// Messages that stay up until they are replaced, known by their audience or template: what
// the incident turned on and `close` lists to switch back (docs/decisions.md).
struct StandingMessage {
    std::string_view name; // an audience or a template
    std::string_view what;
};
constexpr StandingMessage standing_messages[] = {
    {"status-page", "the status page"},
    {"status-page-notice", "the status page"},
    {"auto-reply", "the automatic reply to incoming e-mail"},
    {"ivr", "the phone line's recorded message"},
    {"ivr-message", "the phone line's recorded message"},
    {"phone-line", "the phone line's recorded message"},
    {"error-page", "the error page"},
};

std::string_view standing_message(const std::string& audience, const std::string& template_name) {
    for (const auto& standing : standing_messages)
        if (standing.name == audience || standing.name == template_name)
            return standing.what;
    return {};
}

// The audience's template for the end of the incident: a standing message is replaced by its
// own template, which knows the incident is resolved; customers get an all-clear of their own;
// internal audiences get their usual message, with the resolution as its note.
std::string all_clear_template(const std::string& audience, const PlanEntry* entry,
                               const NoticeRecord& last) {
    if (audience == "status-page")
        return "status-page-notice";
    if (!standing_message(audience, last.template_name).empty())
        return entry ? entry->template_name : last.template_name;
    if (audience == "customers" || (entry && entry->customer_facing))
        return "customer-all-clear";
    return entry ? entry->template_name : last.template_name;
}

AllClear make_all_clear(Store& store, const PlanEntry* entry, const NoticeRecord& last,
                        const Incident& incident) {
    AllClear clear;
    clear.audience = last.audience;
    clear.template_name = all_clear_template(last.audience, entry, last);
    clear.outside_plan = entry == nullptr;
    clear.template_differs = !entry || entry->template_name != clear.template_name;
    clear.channel = entry ? entry->channel : last.channel;
    clear.last_notice = last.id;
    clear.force = entry && (!incident.severity || !meets(*incident.severity, entry->min_severity));
    clear.switch_back = standing_message(last.audience, last.template_name);
    if (last.fields.is_object() && last.fields.value("resolved", false))
        clear.sent_as = last.id;
    bool external = clear.template_name == "customer-all-clear" || !clear.switch_back.empty();
    if (!external && !withholds(entry, "note") && incident.resolution)
        clear.note = "Resolved: " + *incident.resolution;

    // A notice with no recipient has one delivery with an empty one (stdout, a file, every
    // webhook).
    auto first = store.deliveries(last.id, 0, 1);
    bool had_recipients = !first.empty() && !first.front().recipient.empty();
    if (!first.empty() && first.front().recipient.empty())
        clear.lang = first.front().lang;
    bool was_webhook = last.channel == "webhook", is_webhook = clear.channel == "webhook";
    if (had_recipients && was_webhook == is_webhook) {
        DeliveryCounts counts = store.delivery_counts(last.id);
        clear.recipients_of = last.id;
        clear.recipients = counts.pending + counts.sent + counts.failed;
    } else if (clear.channel == "email") {
        clear.blocked =
            had_recipients
                ? fmt::format("notice {} went to webhooks, not to e-mail addresses", last.id)
                : fmt::format("notice {} went by {} to no one in particular, so "
                              "there are no e-mail addresses to reuse",
                              last.id, last.channel);
    }
    return clear;
}

} // namespace

std::vector<AllClear> plan_all_clears(Store& store, const Runbook* runbook,
                                      const Incident& incident) {
    // The last notice to each audience, and the order audiences were first told in.
    std::map<std::string, NoticeRecord> last;
    std::vector<std::string> told;
    for (auto& notice : store.notices(incident.id)) {
        // A supplier was asked about its side of the outage, not told about ours.
        if (notice.audience == "vendor")
            continue;
        if (!last.count(notice.audience))
            told.push_back(notice.audience);
        last[notice.audience] = std::move(notice);
    }
    std::vector<AllClear> result;
    if (runbook)
        for (const auto& entry : runbook->communications)
            if (last.count(entry.audience))
                result.push_back(make_all_clear(store, &entry, last[entry.audience], incident));
    for (const auto& audience : told)
        if (!find_entry(runbook, audience))
            result.push_back(make_all_clear(store, nullptr, last[audience], incident));
    return result;
}

NotifyRequest all_clear_request(IncidentId id, const AllClear& clear) {
    NotifyRequest request;
    request.id = id;
    request.audience = clear.audience;
    if (clear.template_differs)
        request.template_name = clear.template_name;
    if (clear.outside_plan)
        request.channel = clear.channel;
    request.recipients_of = clear.recipients_of;
    request.note = clear.note;
    request.lang = clear.lang;
    request.force = clear.force;
    return request;
}

} // namespace outage
