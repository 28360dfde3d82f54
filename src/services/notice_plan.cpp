#include "outage/services/notice_plan.hpp"

#include "outage/deliver/recipients.hpp"
#include "outage/io/digest.hpp"
#include "outage/model/error.hpp"
#include "outage/model/text.hpp"
#include "outage/render/fields.hpp"
#include "outage/services/eta.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/notice_templates.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <stdexcept>

namespace outage {
namespace {

using nlohmann::json;

std::optional<PlanEntry> plan_entry(const Runbook& runbook, const std::string& audience) {
    for (const auto& entry : runbook.communications)
        if (entry.audience == audience)
            return entry;
    return std::nullopt;
}

std::string local_time(const std::optional<Timestamp>& t) {
    return t ? format_local(*t) : std::string();
}

void warn_below_minimum(const NoticePlan& plan, const PlanEntry& entry,
                        std::vector<std::string>& warnings) {
    if (!plan.incident.severity)
        warnings.push_back(fmt::format("incident {} is not assessed yet; the plan tells {} "
                                       "from {} (pass --force to silence this)",
                                       plan.incident.id, plan.audience, entry.min_severity));
    else if (!meets(*plan.incident.severity, entry.min_severity))
        warnings.push_back(fmt::format("incident {} is {}, below the plan's {} for {} (pass "
                                       "--force to silence this)",
                                       plan.incident.id, *plan.incident.severity,
                                       entry.min_severity, plan.audience));
}

void refuse_withheld(const NoticePlan& plan, const PlanEntry& entry, const NotifyRequest& request) {
    for (const auto& field : entry.withhold) {
        bool given =
            (field == "note" && request.note) || (field == "workaround" && request.workaround) ||
            (field == "supplier" && request.supplier) ||
            (field == "internal_note" && request.internal_note) || (field == "eta" && request.eta);
        if (given)
            throw Error(Exit::usage,
                        fmt::format("the {} plan withholds {} from {}; drop --{}", plan.runbook_id,
                                    field, plan.audience,
                                    field == "internal_note" ? "internal-note" : field));
    }
}

// The earlier notice whose recipients `--recipients-of` names, checked against this send.
std::optional<NoticeRecord> earlier_notice(Store& store, const NotifyRequest& request,
                                           const NoticePlan& plan) {
    if (!request.recipients_of)
        return std::nullopt;
    if (!request.to.empty() || request.recipients_csv)
        throw Error(Exit::usage, "--recipients-of takes the place of --to and --recipients; "
                                 "pass only one of them");
    auto notice = store.find_notice(*request.recipients_of);
    if (!notice || notice->incident_id != plan.incident.id)
        throw Error(Exit::not_found, fmt::format("incident {} has no notice {}", plan.incident.id,
                                                 *request.recipients_of));
    bool was_webhook = notice->channel == "webhook";
    if (was_webhook != (plan.channel == ChannelKind::webhook))
        throw Error(Exit::usage,
                    fmt::format("notice {} went by {}: its recipients are not {}; pass --to",
                                notice->id, notice->channel,
                                was_webhook ? "e-mail addresses" : "webhook names"));
    return notice;
}

// Webhooks are few and named in the config: the earlier notice's names join --to (and the
// notice's identity), all of the config's when none is given.
RecipientSource webhook_recipients(Store& store, const NotifyEnvironment& env,
                                   const NotifyRequest& request,
                                   const std::optional<NoticeRecord>& earlier) {
    std::vector<std::string> names = request.to;
    if (earlier)
        RecipientSource({}, earlier->id, std::nullopt)
            .each(store, {}, [&](const SourceRecipient& recipient) {
                if (!recipient.address.empty())
                    names.push_back(recipient.address);
            });
    if (names.empty())
        for (const auto& [name, hook] : env.config.channels.webhooks)
            names.push_back(name);
    for (const auto& name : names)
        if (!env.config.channels.webhooks.count(name))
            throw Error(Exit::usage, fmt::format("no webhook named '{}' in the config", name));
    if (request.recipients_csv)
        throw Error(Exit::usage, "--recipients is for e-mail addresses; the webhook channel "
                                 "takes webhook names with --to");
    return RecipientSource(std::move(names), 0, std::nullopt);
}

RecipientSource address_recipients(const NotifyRequest& request,
                                   const std::optional<NoticeRecord>& earlier) {
    std::vector<std::string> addresses;
    for (const auto& address : request.to) {
        // An internationalised address may hold any letter, so the finder runs first: a bidi
        // override or zero-width character is not one.
        check_line("--to", address);
        if (!is_valid_address(address))
            throw Error(Exit::usage, fmt::format("--to: invalid e-mail address '{}'", address));
        if (std::find(addresses.begin(), addresses.end(), address) == addresses.end())
            addresses.push_back(address);
    }
    return RecipientSource(std::move(addresses), earlier ? earlier->id : 0, request.recipients_csv);
}

} // namespace

json public_only(const json& fields) {
    json result = json::object();
    for (const auto& [key, value] : fields.items()) {
        auto field = find_field(key);
        if (field && field->field_class == FieldClass::public_field)
            result[key] = value;
    }
    return result;
}

std::optional<Timestamp> next_update_promise(const Incident& incident, Timestamp now) {
    if (incident.status != Status::open || !incident.update_interval)
        return std::nullopt;
    return now + *incident.update_interval;
}

json notice_fields(Store& store, const Incident& incident, const Runbook& runbook,
                   const SeverityScale& scale, const Config& config, const NotifyRequest& request,
                   Timestamp now) {
    for (const auto& [name, value] :
         {std::pair{"--note", &request.note}, std::pair{"--workaround", &request.workaround},
          std::pair{"--internal-note", &request.internal_note}})
        if (*value)
            check_note(name, **value);
    if (request.supplier)
        check_line("--supplier", *request.supplier);
    const bool open = incident.status == Status::open;
    json fields = {
        {"incident_id", std::to_string(incident.id)},
        {"reference", fmt::format("INC-{}", incident.id)},
        {"title", incident.title},
        {"scenario", incident.scenario},
        {"scenario_title", runbook.title},
        {"severity", incident.severity.value_or("")},
        {"severity_name", incident.severity ? scale.level(*incident.severity).name : ""},
        {"severity_meaning", incident.severity ? scale.level(*incident.severity).meaning : ""},
        {"status", std::string(to_string(incident.phase))},
        {"opened_at", format_local(incident.opened_at)},
        {"services", incident.services},
        {"services_text", fmt::format("{}", fmt::join(incident.services, ", "))},
        {"affected", incident.affected ? std::to_string(*incident.affected) : ""},
        {"owner", incident.owner.value_or("")},
        // Once closed, the estimate and the workaround of the outage are history: they reach a
        // message only when given to it.
        {"eta", local_time(request.eta ? request.eta
                           : open      ? incident.eta
                                       : std::nullopt)},
        {"workaround", request.workaround ? *request.workaround
                       : open             ? incident.workaround.value_or("")
                                          : std::string()},
        {"note", request.note.value_or("")},
        {"update_number", std::to_string(store.count_notices(incident.id, request.audience) + 1)},
        {"next_update", local_time(next_update_promise(incident, now))},
        {"contact", config.contact},
        {"organisation", config.organisation},
        {"resolved", incident.status == Status::closed}, // a section: {{#resolved}}...
        {"resolved_at", local_time(incident.closed_at)},
        {"resolution", incident.resolution.value_or("")},
        {"root_cause", incident.root_cause.value_or("")},
        {"supplier", request.supplier.value_or("")},
        {"internal_note", request.internal_note.value_or("")},
        {"handover_note", store.last_handover_note(incident.id)},
    };
    return fields;
}

std::string notice_language(const TemplatePath& templates, const std::optional<std::string>& lang,
                            const Config& config) {
    if (lang) {
        check_language(templates, "--lang", *lang);
        return *lang;
    }
    check_language(templates,
                   config.file.empty() ? std::string("the default language")
                                       : fmt::format("{}: lang", config.file.string()),
                   config.default_lang, Exit::invalid_content);
    return config.default_lang;
}

NoticePlan plan_notice(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                       Timestamp now, std::vector<std::string>& warnings) {
    // Outside the runbook's plan (with --template and --channel) the audience is the
    // operator's word, recorded with the notice.
    check_line("--audience", request.audience);
    NoticePlan plan;
    plan.incident = require_incident(store, request.id);
    if (request.eta)
        check_eta(plan.incident, *request.eta, now);
    Runbook runbook = load_runbook(env.runbooks, plan.incident.scenario);
    SeverityScale scale = load_severity_scale(env.runbooks);
    plan.runbook_id = runbook.id;
    plan.audience = request.audience;
    plan.entry = plan_entry(runbook, request.audience);
    if (!plan.entry && (!request.template_name || !request.channel)) {
        std::vector<std::string> audiences;
        for (const auto& e : runbook.communications)
            audiences.push_back(e.audience);
        throw Error(Exit::usage,
                    fmt::format("the {} runbook has no plan for audience '{}' (audiences: {}); "
                                "pass --template and --channel to send anyway",
                                runbook.id, request.audience, fmt::join(audiences, ", ")));
    }
    plan.template_name =
        request.template_name.value_or(plan.entry ? plan.entry->template_name : "");
    std::string channel_name = request.channel.value_or(plan.entry ? plan.entry->channel : "");
    auto channel = parse_channel(channel_name);
    if (!channel)
        throw Error(Exit::usage, fmt::format("unknown channel '{}' (channels: stdout, file, email, "
                                             "webhook)",
                                             channel_name));
    plan.channel = *channel;
    plan.lang = notice_language(env.templates, request.lang, env.config);
    if (plan.entry && !request.force)
        warn_below_minimum(plan, *plan.entry, warnings);
    if (plan.entry)
        refuse_withheld(plan, *plan.entry, request);

    // Unknown names and broken templates fail here, before anything is sent; the template is
    // kept for the messages, so it is read once per notice.
    plan.tmpl = load_notice_template(env.templates, plan.template_name, plan.lang, warnings);
    plan.fields = notice_fields(store, plan.incident, runbook, scale, env.config, request, now);
    plan.promise = next_update_promise(plan.incident, now);
    if (plan.entry)
        for (const auto& field : plan.entry->withhold)
            plan.fields.erase(field);
    if (plan.tmpl.audience == AudienceClass::external)
        plan.fields = public_only(plan.fields);
    check_required(plan.tmpl, plan.fields);

    auto earlier = earlier_notice(store, request, plan);
    plan.recipients = plan.channel == ChannelKind::webhook
                          ? webhook_recipients(store, env, request, earlier)
                          : address_recipients(request, earlier);
    return plan;
}

RecipientTally::RecipientTally(const NoticePlan& plan)
    : m_plan(plan), m_by_organisation(plan.entry && plan.entry->min_per_organisation) {}

void RecipientTally::add(const SourceRecipient& recipient) {
    // Only counts are kept, so memory does not grow with the number of recipients.
    if (m_by_organisation && !recipient.organisation.empty())
        ++m_per_organisation[recipient.organisation];
}

void RecipientTally::check(std::int64_t count) const {
    const auto& entry = m_plan.entry;
    bool addressed = m_plan.channel == ChannelKind::email || m_plan.channel == ChannelKind::file;
    if (m_plan.channel == ChannelKind::email && count == 0)
        throw Error(Exit::usage, "the email channel needs recipients: pass --to ADDRESS or "
                                 "--recipients FILE.csv");
    if (entry && addressed && count > 0 && count < entry->min_recipients)
        throw Error(Exit::usage,
                    fmt::format("the plan tells {} through at least {} recipients; {} given (add "
                                "--to or --recipients)",
                                m_plan.audience, entry->min_recipients, count));
    if (entry && entry->min_per_organisation)
        for (const auto& [organisation, n] : m_per_organisation)
            if (n < *entry->min_per_organisation)
                throw Error(Exit::usage,
                            fmt::format("the plan tells each {} organisation through at least {} "
                                        "contacts; '{}' has {}",
                                        m_plan.audience, *entry->min_per_organisation, organisation,
                                        n));
}

std::string notice_identity(const NotifyRequest& request, const NoticePlan& plan,
                            const std::optional<std::string>& csv_digest) {
    if (plan.recipients.has_csv() && !csv_digest)
        throw std::logic_error("notice_identity: the recipients file has not been read yet");
    // The key order is nlohmann's (sorted), the values the call's: a re-run resumes, a changed
    // value makes a new notice.
    json call = {{"incident", plan.incident.id},
                 {"audience", plan.audience},
                 {"template", plan.template_name},
                 {"channel", to_string(plan.channel)},
                 {"lang", plan.lang},
                 {"to", plan.recipients.to()},
                 {"recipients", csv_digest ? json(*csv_digest) : json()},
                 {"note", request.note ? json(*request.note) : json()},
                 {"workaround", request.workaround ? json(*request.workaround) : json()},
                 {"supplier", request.supplier ? json(*request.supplier) : json()},
                 {"internal_note", request.internal_note ? json(*request.internal_note) : json()},
                 {"eta", request.eta ? json(format_iso_utc(*request.eta)) : json()}};
    // Only when given, so calls made before the option existed keep their identity.
    if (request.recipients_of)
        call["recipients_of"] = *request.recipients_of;
    // The same call after the close tells a different story (the status page's all-clear is
    // the status-page call made while it was open), and so does one after a later close.
    if (plan.incident.closed_at)
        call["closed_at"] = format_iso_utc(*plan.incident.closed_at);
    return sha256_hex(call.dump());
}

} // namespace outage
