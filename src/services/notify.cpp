#include "outage/services/notify.hpp"

#include "outage/io/digest.hpp"
#include "outage/model/error.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/model/text.hpp"
#include "outage/deliver/email.hpp"
#include "outage/deliver/recipients.hpp"
#include "outage/render/fields.hpp"
#include "outage/render/render.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <map>

namespace outage {
namespace {

using nlohmann::json;

constexpr int batch_size = 500;

std::string fallback_warning(const std::string& template_name, const std::string& lang) {
    return fmt::format("template {} has no '{}' version; using English", template_name, lang);
}

const PlanEntry* plan_entry(const Runbook& runbook, const std::string& audience) {
    for (const auto& entry : runbook.communications)
        if (entry.audience == audience)
            return &entry;
    return nullptr;
}

std::string local_time(const std::optional<Timestamp>& t) {
    return t ? format_local(*t) : std::string();
}

// Only the fields an external audience may see; internal ones never reach its messages,
// whatever the template says.
json public_only(const json& fields) {
    json result = json::object();
    for (const auto& [key, value] : fields.items()) {
        auto field = find_field(key);
        if (field && field->field_class == FieldClass::public_field)
            result[key] = value;
    }
    return result;
}

std::string last_handover_note(Store& store, IncidentId id) {
    std::string note;
    for (const auto& event : store.timeline(id))
        if (kind_of(event) == EventKind::handoff && event.payload.contains("note"))
            note = event.payload["note"].get<std::string>();
    return note;
}

// Everything a notify call needs, resolved and checked before anything is recorded.
struct Plan {
    Incident incident;
    Runbook runbook;
    std::string audience;
    std::string template_name;
    ChannelKind channel = ChannelKind::stdout_channel;
    std::string lang;
    AudienceClass audience_class = AudienceClass::internal;
    json fields;
    std::vector<std::string> to; // addresses or webhook names from --to (or all webhooks)
    std::int64_t csv_recipients = 0;
    std::int64_t previous_notice = 0; // --recipients-of, for addressed channels
    std::int64_t previous_recipients = 0;
    std::string identity;
};

// Calls `visit` for each recipient of an earlier notice, a page at a time, so a bulk list
// never sits in memory.
void each_previous_recipient(Store& store, std::int64_t notice,
                             const std::function<void(const DeliveryRecord&)>& visit) {
    std::int64_t after = 0;
    while (true) {
        auto page = store.deliveries(notice, after, batch_size);
        if (page.empty())
            return;
        for (const auto& delivery : page) {
            after = delivery.id;
            if (!delivery.recipient.empty())
                visit(delivery);
        }
    }
}

std::string column_of(const DeliveryRecord& delivery, const char* column) {
    if (!delivery.columns.is_object())
        return "";
    auto it = delivery.columns.find(column);
    return it != delivery.columns.end() && it->is_string() ? it->get<std::string>() : "";
}

// The earlier notice whose recipients `--recipients-of` names, checked against this send.
std::optional<NoticeRecord> previous_notice(Store& store, const NotifyRequest& request,
                                            const Plan& plan) {
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

// Reads the whole CSV once before anything is recorded, so a malformed row stops the send
// before it starts. Only counts are kept (per organisation when the plan sets a minimum for
// each), so memory does not grow with the number of rows.
void check_recipients_csv(const std::filesystem::path& file, bool count_organisations, Plan& plan,
                          std::map<std::string, std::int64_t>& per_organisation) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        throw Error(Exit::usage,
                    fmt::format("--recipients {}: cannot read the file", file.string()));
    RecipientReader reader(in, file.string());
    while (auto recipient = reader.next()) {
        if (count_organisations && !recipient->organisation.empty())
            ++per_organisation[recipient->organisation];
        ++plan.csv_recipients;
    }
}

Plan make_plan(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
               std::vector<std::string>& warnings) {
    Plan plan;
    plan.incident = require_incident(store, request.id);
    plan.runbook = load_runbook(env.runbooks, plan.incident.scenario);
    SeverityScale scale = load_severity_scale(env.runbooks);
    plan.audience = request.audience;
    const PlanEntry* entry = plan_entry(plan.runbook, request.audience);
    if (!entry && (!request.template_name || !request.channel)) {
        std::vector<std::string> audiences;
        for (const auto& e : plan.runbook.communications)
            audiences.push_back(e.audience);
        throw Error(Exit::usage,
                    fmt::format("the {} runbook has no plan for audience '{}' (audiences: {}); "
                                "pass --template and --channel to send anyway",
                                plan.runbook.id, request.audience, fmt::join(audiences, ", ")));
    }
    plan.template_name = request.template_name.value_or(entry ? entry->template_name : "");
    std::string channel_name = request.channel.value_or(entry ? entry->channel : "");
    auto channel = parse_channel(channel_name);
    if (!channel)
        throw Error(Exit::usage, fmt::format("unknown channel '{}' (channels: stdout, file, email, "
                                             "webhook)",
                                             channel_name));
    plan.channel = *channel;
    plan.lang = request.lang.value_or(env.config.default_lang);

    if (entry && !request.force) {
        if (!plan.incident.severity)
            warnings.push_back(fmt::format("incident {} is not assessed yet; the plan tells {} "
                                           "from {} (pass --force to silence this)",
                                           plan.incident.id, plan.audience, entry->min_severity));
        else if (!meets(*plan.incident.severity, entry->min_severity))
            warnings.push_back(fmt::format("incident {} is {}, below the plan's {} for {} (pass "
                                           "--force to silence this)",
                                           plan.incident.id, *plan.incident.severity,
                                           entry->min_severity, plan.audience));
    }
    if (entry)
        for (const auto& field : entry->withhold) {
            bool given = (field == "note" && request.note) ||
                         (field == "workaround" && request.workaround) ||
                         (field == "supplier" && request.supplier) ||
                         (field == "internal_note" && request.internal_note) ||
                         (field == "eta" && request.eta);
            if (given)
                throw Error(Exit::usage,
                            fmt::format("the {} plan withholds {} from {}; drop --{}",
                                        plan.runbook.id, field, plan.audience,
                                        field == "internal_note" ? "internal-note" : field));
        }

    // Load one template now: unknown names and broken templates fail before anything is sent.
    bool fallback = false;
    Template tmpl = load_template(env.templates, plan.template_name, plan.lang, fallback);
    if (fallback)
        warnings.push_back(fallback_warning(plan.template_name, plan.lang));
    plan.audience_class = tmpl.audience;
    plan.fields = notice_fields(store, plan.incident, plan.runbook, scale, env.config, request);
    if (entry)
        for (const auto& field : entry->withhold)
            plan.fields.erase(field);
    if (plan.audience_class == AudienceClass::external)
        plan.fields = public_only(plan.fields);
    check_required(tmpl, plan.fields);

    // Recipients.
    std::map<std::string, std::int64_t> per_organisation;
    auto previous = previous_notice(store, request, plan);
    if (plan.channel == ChannelKind::webhook) {
        plan.to = request.to;
        if (previous)
            each_previous_recipient(store, previous->id, [&](const DeliveryRecord& delivery) {
                plan.to.push_back(delivery.recipient);
            });
        if (plan.to.empty())
            for (const auto& [name, hook] : env.config.channels.webhooks)
                plan.to.push_back(name);
        for (const auto& name : plan.to)
            if (!env.config.channels.webhooks.count(name))
                throw Error(Exit::usage, fmt::format("no webhook named '{}' in the config", name));
        if (request.recipients_csv)
            throw Error(Exit::usage, "--recipients is for e-mail addresses; the webhook channel "
                                     "takes webhook names with --to");
    } else {
        for (const auto& address : request.to) {
            if (!is_valid_address(address))
                throw Error(Exit::usage, fmt::format("--to: invalid e-mail address '{}'", address));
            if (std::find(plan.to.begin(), plan.to.end(), address) == plan.to.end())
                plan.to.push_back(address);
        }
        bool count_organisations = entry && entry->min_per_organisation.has_value();
        if (request.recipients_csv)
            check_recipients_csv(*request.recipients_csv, count_organisations, plan,
                                 per_organisation);
        if (previous) {
            plan.previous_notice = previous->id;
            each_previous_recipient(store, previous->id, [&](const DeliveryRecord& delivery) {
                std::string organisation = column_of(delivery, "organisation");
                if (count_organisations && !organisation.empty())
                    ++per_organisation[organisation];
                ++plan.previous_recipients;
            });
        }
    }
    std::int64_t recipients =
        static_cast<std::int64_t>(plan.to.size()) + plan.csv_recipients + plan.previous_recipients;
    bool addressed = plan.channel == ChannelKind::email || plan.channel == ChannelKind::file;
    if (plan.channel == ChannelKind::email && recipients == 0)
        throw Error(Exit::usage, "the email channel needs recipients: pass --to ADDRESS or "
                                 "--recipients FILE.csv");
    if (entry && addressed && recipients > 0 && recipients < entry->min_recipients)
        throw Error(Exit::usage,
                    fmt::format("the plan tells {} through at least {} recipients; {} given (add "
                                "--to or --recipients)",
                                plan.audience, entry->min_recipients, recipients));
    if (entry && entry->min_per_organisation)
        for (const auto& [organisation, count] : per_organisation)
            if (count < *entry->min_per_organisation)
                throw Error(Exit::usage,
                            fmt::format("the plan tells each {} organisation through at least {} "
                                        "contacts; '{}' has {}",
                                        plan.audience, *entry->min_per_organisation, organisation,
                                        count));

    // The same call is the same notice: a re-run resumes it, a changed value makes a new one.
    json call = {{"incident", plan.incident.id},
                 {"audience", plan.audience},
                 {"template", plan.template_name},
                 {"channel", to_string(plan.channel)},
                 {"lang", plan.lang},
                 {"to", plan.to},
                 {"recipients", request.recipients_csv
                                    ? json(sha256_file(request.recipients_csv->string()))
                                    : json()},
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
    plan.identity = sha256_hex(call.dump());
    return plan;
}

// A notice's template in each language its recipients ask for, parsed on first use and
// given the notice's fields once. A language without its own version falls back to English,
// said once in the warnings.
struct RenderersByLanguage {
    const TemplatePath& path;
    const std::string& name;
    const json& fields;
    std::vector<std::string>& warnings;
    std::map<std::string, MessageRenderer> by_language;

    MessageRenderer& get(const std::string& lang) {
        auto it = by_language.find(lang);
        if (it != by_language.end())
            return it->second;
        bool fallback = false;
        Template tmpl = load_template(path, name, lang, fallback);
        std::string warning = fallback_warning(name, lang);
        if (fallback && std::find(warnings.begin(), warnings.end(), warning) == warnings.end())
            warnings.push_back(warning);
        MessageRenderer renderer(std::move(tmpl), Escaping::plain_text);
        renderer.share_fields(fields);
        return by_language.emplace(lang, std::move(renderer)).first->second;
    }
};

// Renders and sends the unsent deliveries of a notice, marking each; commits in batches
// (file and stdout writes are idempotent by name) or per message (SMTP, webhooks).
std::int64_t send_unsent(Store& store, const NotifyEnvironment& env, const NoticeRecord& notice,
                         Channel& channel, const Stamp& stamp, const Progress& progress,
                         std::vector<std::string>& warnings) {
    RenderersByLanguage renderers{env.templates, notice.template_name, notice.fields, warnings, {}};
    // Only a webhook in the "notice" format sends the whole notice; other channels never
    // look at it, and a bulk send would copy every field into it for each message.
    bool with_notice = notice.channel == "webhook";
    DeliveryCounts before = store.delivery_counts(notice.id);
    std::int64_t total = before.pending + before.failed, done = 0, after = 0;
    bool per_message = notice.channel == "email" || notice.channel == "webhook";
    std::string domain = "outage.invalid";
    if (env.config.channels.email) {
        std::string address = bare_address(env.config.channels.email->from);
        if (auto at = address.rfind('@'); at != std::string::npos)
            domain = address.substr(at + 1);
    }
    while (true) {
        auto batch = store.unsent_deliveries(notice.id, after, batch_size);
        if (batch.empty())
            break;
        if (!per_message)
            store.begin_write();
        try {
            for (const auto& delivery : batch) {
                after = delivery.id;
                MessageRenderer& renderer = renderers.get(delivery.lang);
                std::optional<std::string> error;
                try {
                    Message message = renderer.render_for(delivery.columns);
                    json notice_json;
                    if (with_notice) {
                        json fields = notice.fields;
                        fields["recipient"] = delivery.columns;
                        notice_json = {
                            {"incident", notice.incident_id}, {"notice", notice.id},
                            {"audience", notice.audience},    {"template", notice.template_name},
                            {"lang", renderer.source().lang}, {"subject", message.subject},
                            {"body", message.body},           {"fields", std::move(fields)}};
                    }
                    Outgoing outgoing{delivery.recipient,
                                      std::move(message.subject),
                                      std::move(message.body),
                                      fmt::format("outage.{}.{}.{}@{}", notice.incident_id,
                                                  notice.id, delivery.id, domain),
                                      fmt::format("incident-{}-notice-{}-{}", notice.incident_id,
                                                  notice.id, delivery.id),
                                      notice.created_at,
                                      std::move(notice_json)};
                    channel.send(outgoing);
                } catch (const Error& e) {
                    error = e.what();
                }
                if (per_message)
                    store.begin_write();
                store.mark_delivery(delivery.id,
                                    error ? DeliveryState::failed : DeliveryState::sent, error,
                                    stamp.at);
                if (per_message)
                    store.commit();
                ++done;
                if (progress)
                    progress(done, total);
            }
            if (!per_message)
                store.commit();
        } catch (...) {
            if (!per_message)
                store.rollback();
            throw;
        }
    }
    return done;
}

NotifyResult finish(Store& store, const NoticeRecord& notice, std::int64_t attempted,
                    const Stamp& stamp, NotifyResult result) {
    result.notice_id = notice.id;
    result.attempted = attempted;
    result.counts = store.delivery_counts(notice.id);
    if (attempted > 0)
        write_transaction(store, [&] {
            store.append_event(notice.incident_id, stamp,
                               events::NoticeSent{.notice = notice.id,
                                                  .audience = notice.audience,
                                                  .attempted = attempted,
                                                  .sent = result.counts.sent,
                                                  .failed = result.counts.failed,
                                                  .pending = result.counts.pending});
        });
    return result;
}

} // namespace

json notice_fields(Store& store, const Incident& incident, const Runbook& runbook,
                   const SeverityScale& scale, const Config& config, const NotifyRequest& request) {
    for (const auto& [name, value] :
         {std::pair{"--note", &request.note}, std::pair{"--workaround", &request.workaround},
          std::pair{"--internal-note", &request.internal_note}})
        if (*value)
            check_note(name, **value);
    if (request.supplier)
        check_line("--supplier", *request.supplier);
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
        {"eta", local_time(request.eta ? request.eta : incident.eta)},
        {"workaround", request.workaround.value_or("")},
        {"note", request.note.value_or("")},
        {"update_number", std::to_string(store.count_notices(incident.id, request.audience) + 1)},
        {"next_update", local_time(incident.next_update_due)},
        {"contact", config.contact},
        {"organisation", config.organisation},
        {"resolved_at", local_time(incident.closed_at)},
        {"resolution", incident.resolution.value_or("")},
        {"root_cause", incident.root_cause.value_or("")},
        {"supplier", request.supplier.value_or("")},
        {"internal_note", request.internal_note.value_or("")},
        {"handover_note", last_handover_note(store, incident.id)},
    };
    return fields;
}

Message render_preview(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                       std::vector<std::string>& warnings) {
    Incident incident = require_incident(store, request.id);
    Runbook runbook = load_runbook(env.runbooks, incident.scenario);
    SeverityScale scale = load_severity_scale(env.runbooks);
    std::string lang = request.lang.value_or(env.config.default_lang);
    bool fallback = false;
    Template tmpl =
        load_template(env.templates, request.template_name.value_or(""), lang, fallback);
    if (fallback)
        warnings.push_back(fallback_warning(tmpl.name, lang));
    json fields = notice_fields(store, incident, runbook, scale, env.config, request);
    if (tmpl.audience == AudienceClass::external)
        fields = public_only(fields);
    fields["recipient"] = json::object();
    return render_message(tmpl, fields, Escaping::plain_text);
}

NotifyResult notify(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                    const Stamp& stamp, const Progress& progress) {
    NotifyResult result;
    Plan plan = make_plan(store, env, request, result.warnings);

    if (request.dry_run) {
        auto preview = make_channel(ChannelKind::stdout_channel, env.config.channels, env.outbox, env.out);
        RenderersByLanguage renderers{
            env.templates, plan.template_name, plan.fields, result.warnings, {}};
        auto show = [&](const std::string& recipient, const json& columns,
                        const std::string& lang) {
            Message message = renderers.get(lang.empty() ? plan.lang : lang).render_for(columns);
            preview->send({recipient, message.subject, message.body, "", "", stamp.at, {}});
            ++result.attempted;
        };
        if (plan.to.empty() && plan.csv_recipients == 0 && plan.previous_recipients == 0)
            show("", json::object(), plan.lang);
        for (const auto& to : plan.to)
            show(to, json::object(), plan.lang);
        if (plan.previous_notice)
            each_previous_recipient(store, plan.previous_notice, [&](const DeliveryRecord& d) {
                show(d.recipient, d.columns.is_object() ? d.columns : json::object(), d.lang);
            });
        if (request.recipients_csv) {
            std::ifstream in(*request.recipients_csv, std::ios::binary);
            RecipientReader reader(in, request.recipients_csv->string());
            while (auto recipient = reader.next())
                show(recipient->address, recipient->columns, recipient->lang);
        }
        return result;
    }

    // The channel is built before anything is recorded: a missing password must not leave
    // a notice behind that can never be sent.
    auto channel = make_channel(plan.channel, env.config.channels, env.outbox, env.out);

    NoticeRecord notice;
    if (auto existing = store.find_notice_by_identity(plan.identity)) {
        notice = *existing;
        result.resumed = true;
    } else {
        notice = write_transaction(store, [&] {
            NoticeRecord created;
            created.incident_id = plan.incident.id;
            created.identity = plan.identity;
            created.audience = plan.audience;
            created.template_name = plan.template_name;
            created.channel = std::string(to_string(plan.channel));
            created.fields = plan.fields;
            created.created_at = stamp.at;
            created.actor = stamp.actor;
            // Another process may have recorded the same call while we read the CSV.
            if (auto raced = store.find_notice_by_identity(plan.identity))
                return *raced;
            created.id = store.insert_notice(created);
            DeliveryRecord delivery;
            delivery.notice_id = created.id;
            delivery.lang = plan.lang;
            if (plan.to.empty() && plan.csv_recipients == 0 && plan.previous_recipients == 0)
                store.insert_delivery(delivery, stamp.at);
            for (const auto& to : plan.to) {
                delivery.recipient = to;
                store.insert_delivery(delivery, stamp.at);
            }
            if (plan.previous_notice)
                each_previous_recipient(store, plan.previous_notice, [&](const DeliveryRecord& d) {
                    DeliveryRecord copy = delivery;
                    copy.recipient = d.recipient;
                    copy.lang = d.lang.empty() ? plan.lang : d.lang;
                    copy.columns = d.columns.is_object() ? d.columns : json::object();
                    store.insert_delivery(copy, stamp.at);
                });
            if (request.recipients_csv) {
                std::ifstream in(*request.recipients_csv, std::ios::binary);
                RecipientReader reader(in, request.recipients_csv->string());
                while (auto recipient = reader.next()) {
                    delivery.recipient = recipient->address;
                    delivery.lang = recipient->lang.empty() ? plan.lang : recipient->lang;
                    delivery.columns = recipient->columns;
                    store.insert_delivery(delivery, stamp.at);
                }
            }
            events::Notice payload{.notice = created.id,
                                   .audience = created.audience,
                                   .template_name = created.template_name,
                                   .channel = created.channel,
                                   .recipients = store.delivery_counts(created.id).pending,
                                   .note = request.note};
            // An update to people outside starts the clock for the next one.
            if (plan.audience_class == AudienceClass::external && plan.incident.update_interval) {
                Incident incident = require_incident(store, plan.incident.id);
                incident.next_update_due = stamp.at + *incident.update_interval;
                store.save_incident(incident);
                payload.next_update_due = incident.next_update_due;
            }
            store.append_event(created.incident_id, stamp, payload);
            return created;
        });
    }
    std::int64_t attempted =
        send_unsent(store, env, notice, *channel, stamp, progress, result.warnings);
    return finish(store, notice, attempted, stamp, result);
}

NotifyResult resume_notice(Store& store, const NotifyEnvironment& env, std::int64_t notice_id,
                           const Stamp& stamp, const Progress& progress) {
    auto notice = store.find_notice(notice_id);
    if (!notice)
        throw Error(Exit::not_found, fmt::format("no notice {}", notice_id));
    auto channel = make_channel(*parse_channel(notice->channel), env.config.channels, env.outbox, env.out);
    NotifyResult result;
    result.resumed = true;
    std::int64_t attempted =
        send_unsent(store, env, *notice, *channel, stamp, progress, result.warnings);
    return finish(store, *notice, attempted, stamp, result);
}

} // namespace outage
