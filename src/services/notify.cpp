#include "outage/services/notify.hpp"

#include "outage/model/error.hpp"
#include "outage/model/state.hpp"
#include "outage/services/delivery_digest.hpp"
#include "outage/services/lifecycle.hpp"
#include "outage/services/notice_plan.hpp"
#include "outage/services/notice_templates.hpp"
#include "outage/services/send_notice.hpp"

#include <fmt/format.h>

namespace outage {
namespace {

using nlohmann::json;

// Stands in for a new notice's identity until its recipients have been read: the notice is
// inserted first so that its deliveries can be, and the identity (which covers the CSV's
// digest) is set before the transaction commits, so no committed notice ever carries this.
// Not hex, so it cannot be any call's identity.
constexpr std::string_view identity_being_recorded = "(being recorded)";

// A notify call as recorded: a new notice, or the one the same call made before.
struct Recorded {
    NoticePlan plan;
    NoticeRecord notice;
    bool resumed = false;
    bool unrecorded_send = false; // the earlier send of the notice never recorded notice_sent
    std::unique_ptr<Channel> channel;
};

// The identity of the `repeat`th notice of one call: the first has the call's own, so notices
// recorded before repeats existed are found as they were.
std::string repeat_identity(const std::string& call, int repeat) {
    return repeat == 1 ? call : fmt::format("{}/{}", call, repeat);
}

// When the notice's last send ended: its last notice_sent event.
std::optional<Timestamp> last_sent(Store& store, const NoticeRecord& notice) {
    std::optional<Timestamp> at;
    EventFilter filter{.incident = notice.incident_id, .kinds = {EventKind::notice_sent}};
    store.each_event(filter, [&](const Event& event) {
        if (std::get<events::NoticeSent>(decode(event, MissingField::empty)).notice == notice.id)
            at = event.at;
    });
    return at;
}

// The same call again moments after it completed is most likely a command run twice by
// accident (docs/notify.md#repeats); later it is the next update, with its own promise.
void refuse_accidental_repeat(Store& store, const NoticeRecord& earlier,
                              const NotifyRequest& request, Timestamp now) {
    auto sent = last_sent(store, earlier);
    if (request.again || !sent || now - *sent >= repeat_guard)
        return;
    throw Error(Exit::conflict,
                fmt::format("notice {} to {} went out {} ago with the same message; to send it "
                            "again as a new update, add --again",
                            earlier.id, earlier.audience,
                            format_span(std::max(now - *sent, std::chrono::seconds{0}))));
}

// What a notice tells people stays the incident's word until changed: the ETA and workaround
// it gives are kept for later messages, and the next update it promises becomes its audience's
// clock, replacing the first-update clock of the assessment (docs/architecture.md#update-clocks).
// `plan.fields` already holds the promise, so the message and the clock say the same time.
void keep_promises(Store& store, const NoticePlan& plan, events::Notice& payload, Timestamp at) {
    if (plan.promise && uses_field(plan.tmpl, "next_update")) {
        UpdateClocks clocks = store.update_clocks(plan.incident.id);
        clocks.erase(first_update);
        clocks[plan.audience] = *plan.promise;
        store.save_update_clocks(plan.incident.id, clocks);
        payload.next_update_due = plan.promise;
        payload.clocks = std::move(clocks);
    }
    // What the event does to the incident is said once, where verify replays it.
    Incident incident = plan.incident;
    apply(incident, at, payload);
    if (incident.eta != plan.incident.eta || incident.workaround != plan.incident.workaround ||
        incident.next_update_due != plan.incident.next_update_due)
        store.save_incident(incident);
}

// Plans, walks the recipients once (counting, digesting the CSV, inserting each delivery) and
// records the notice, all in one write transaction: what the checks saw is what is recorded,
// and a check that fails after the walk has begun (a bad CSV row, too few recipients, a
// channel the config cannot build) rolls back every row before it
// (docs/architecture.md#the-send-path-notify-in-parts).
Recorded record_notice(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                       const Stamp& stamp, const NotifyIo& io, std::vector<std::string>& warnings) {
    store.begin_write();
    try {
        Recorded recorded{.plan = plan_notice(store, env, request, stamp.at, warnings)};
        const NoticePlan& plan = recorded.plan;
        NoticeRecord created;
        created.incident_id = plan.incident.id;
        created.identity = identity_being_recorded;
        created.audience = plan.audience;
        created.template_name = plan.template_name;
        created.channel = std::string(to_string(plan.channel));
        created.fields = plan.fields;
        created.created_at = stamp.at;
        created.actor = stamp.actor;
        created.id = store.insert_notice(created);

        RecipientTally tally(plan);
        DeliveryRecord delivery;
        delivery.notice_id = created.id;
        std::int64_t count =
            recorded.plan.recipients.each(store, io.open_file, [&](const SourceRecipient& r) {
                tally.add(r);
                delivery.recipient = r.address;
                delivery.lang = r.lang.empty() ? plan.lang : r.lang;
                delivery.columns = r.columns;
                store.insert_delivery(delivery, stamp.at);
            });
        tally.check(count);
        const std::string call = notice_identity(request, plan, plan.recipients.csv_digest());

        // Built before anything is kept: a missing password must not leave a notice behind
        // that can never be sent.
        recorded.channel = io.channel(plan.channel);

        int repeat = 1;
        std::optional<NoticeRecord> earlier;
        while (auto found = store.find_notice_by_identity(repeat_identity(call, repeat))) {
            earlier = std::move(found);
            ++repeat;
        }
        if (earlier) {
            DeliveryCounts counts = store.delivery_counts(earlier->id);
            // Every delivery marked but no notice_sent: the sender was killed before its last
            // transaction. Resumed, the notice gets its event and nothing is sent again.
            recorded.unrecorded_send = !last_sent(store, *earlier);
            if (counts.pending + counts.failed > 0 || recorded.unrecorded_send) {
                // The same call was made before and did not finish: resume that notice,
                // keeping none of this one.
                store.rollback();
                recorded.notice = *earlier;
                recorded.resumed = true;
                return recorded;
            }
            refuse_accidental_repeat(store, *earlier, request, stamp.at);
        }
        created.identity = repeat_identity(call, repeat);
        store.set_notice_identity(created.id, created.identity);
        // What the tables now hold of the notice, for `verify` to check them against.
        DeliveryDigests recorded_deliveries = delivery_digests(store, created.id);
        events::Notice payload{.notice = created.id,
                               .audience = created.audience,
                               .template_name = created.template_name,
                               .channel = created.channel,
                               .recipients = recorded_deliveries.counts.pending,
                               .note = request.note,
                               .eta = request.eta,
                               .workaround = request.workaround,
                               .identity = created.identity,
                               .fields_digest = fields_digest(created.fields),
                               .recipients_digest = recorded_deliveries.recipients};
        keep_promises(store, plan, payload, stamp.at);
        store.append_event(created.incident_id, stamp, payload);
        store.commit();
        recorded.notice = std::move(created);
        return recorded;
    } catch (...) {
        store.rollback();
        throw;
    }
}

// Renders every message to the stdout channel. The recipients are walked twice, once to
// check and once to show, so a bad CSV row or too few recipients shows nothing.
NotifyResult dry_run(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                     const Stamp& stamp, const NotifyIo& io) {
    NotifyResult result;
    NoticePlan plan = plan_notice(store, env, request, stamp.at, result.warnings);
    RecipientTally tally(plan);
    tally.check(
        plan.recipients.each(store, io.open_file, [&](const SourceRecipient& r) { tally.add(r); }));
    auto preview = io.channel(ChannelKind::stdout_channel);
    TemplatesByLanguage templates(env.templates, plan.template_name, plan.fields, result.warnings);
    templates.adopt(plan.lang, std::move(plan.tmpl));
    plan.recipients.each(store, io.open_file, [&](const SourceRecipient& r) {
        Message message = templates.get(r.lang.empty() ? plan.lang : r.lang).render_for(r.columns);
        preview->send({.recipient = r.address,
                       .subject = message.subject,
                       .body = message.body,
                       .date = stamp.at});
        ++result.attempted;
    });
    return result;
}

} // namespace

NotifyIo system_io(const NotifyEnvironment& env) {
    return {[&env](ChannelKind kind) {
                return make_channel(kind, env.config.channels, env.outbox, env.out);
            },
            open_file_on_disk};
}

Message render_preview(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                       Timestamp now, std::vector<std::string>& warnings) {
    Incident incident = require_incident(store, request.id);
    Runbook runbook = load_runbook(env.runbooks, incident.scenario);
    SeverityScale scale = load_severity_scale(env.runbooks);
    std::string lang = request.lang.value_or(env.config.default_lang);
    Template tmpl =
        load_notice_template(env.templates, request.template_name.value_or(""), lang, warnings);
    json fields = notice_fields(store, incident, runbook, scale, env.config, request, now);
    if (tmpl.audience == AudienceClass::external)
        fields = public_only(fields);
    fields["recipient"] = json::object();
    return render_message(tmpl, fields, Escaping::plain_text);
}

NotifyResult notify(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                    const Stamp& stamp, const Progress& progress, const NotifyIo& io) {
    if (request.dry_run)
        return dry_run(store, env, request, stamp, io);
    NotifyResult result;
    Recorded recorded = record_notice(store, env, request, stamp, io, result.warnings);
    result.resumed = recorded.resumed;
    TemplatesByLanguage templates(env.templates, recorded.notice.template_name,
                                  recorded.notice.fields, result.warnings);
    // The identity covers template and language, so a resumed notice's are the plan's too.
    templates.adopt(recorded.plan.lang, std::move(recorded.plan.tmpl));
    send_notice(store, env, recorded.notice, *recorded.channel, templates, stamp, progress, {},
                result);
    if (recorded.unrecorded_send && result.attempted == 0)
        record_notice_sent(store, recorded.notice, stamp, result);
    return result;
}

NotifyResult notify(Store& store, const NotifyEnvironment& env, const NotifyRequest& request,
                    const Stamp& stamp, const Progress& progress) {
    return notify(store, env, request, stamp, progress, system_io(env));
}

NotifyResult resume_notice(Store& store, const NotifyEnvironment& env, std::int64_t notice_id,
                           const Stamp& stamp, const Progress& progress, const SendOptions& options,
                           const NotifyIo& io) {
    auto notice = store.find_notice(notice_id);
    if (!notice)
        throw Error(Exit::not_found, fmt::format("no notice {}", notice_id));
    auto kind = parse_channel(notice->channel);
    if (!kind)
        throw Error(Exit::runtime, fmt::format("notice {} names a channel this outage does not "
                                               "know: '{}'",
                                               notice_id, notice->channel));
    auto channel = io.channel(*kind);
    NotifyResult result;
    result.resumed = true;
    TemplatesByLanguage templates(env.templates, notice->template_name, notice->fields,
                                  result.warnings);
    send_notice(store, env, *notice, *channel, templates, stamp, progress, options, result);
    return result;
}

NotifyResult resume_notice(Store& store, const NotifyEnvironment& env, std::int64_t notice_id,
                           const Stamp& stamp, const Progress& progress,
                           const SendOptions& options) {
    return resume_notice(store, env, notice_id, stamp, progress, options, system_io(env));
}

} // namespace outage
