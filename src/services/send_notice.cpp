#include "outage/services/send_notice.hpp"

#include "outage/deliver/email.hpp"
#include "outage/model/error.hpp"
#include "outage/services/deadlines.hpp"
#include "outage/services/delivery_digest.hpp"

#include <fmt/format.h>

namespace outage {
namespace {

using nlohmann::json;

// Deliveries are read this many at a time, and marked in one transaction on the file and
// stdout channels.
constexpr int batch_size = 500;

// The Message-ID's domain: the sender's, so mail systems see one of their own.
std::string message_id_domain(const Config& config) {
    if (config.channels.email) {
        std::string address = bare_address(config.channels.email->from);
        if (auto at = address.rfind('@'); at != std::string::npos)
            return address.substr(at + 1);
    }
    return "outage.invalid";
}

// Renders and sends the unsent deliveries of a notice, marking each; returns how many it tried.
std::int64_t send_unsent(Store& store, const NotifyEnvironment& env, const NoticeRecord& notice,
                         Channel& channel, TemplatesByLanguage& templates, const Stamp& stamp,
                         const Progress& progress) {
    // Only a webhook in the "notice" format sends the whole notice; other channels never
    // look at it, and a bulk send would copy every field into it for each message.
    bool with_notice = notice.channel == "webhook";
    DeliveryCounts before = store.delivery_counts(notice.id);
    std::int64_t total = before.pending + before.failed, done = 0, after = 0;
    bool per_message = notice.channel == "email" || notice.channel == "webhook";
    std::string domain = message_id_domain(env.config);
    // The deadlines a delivered message meets (`met-by`), met with the first one sent.
    std::vector<std::string> meets = deadlines_met_by(store, env.runbooks, notice);
    while (true) {
        auto batch = store.unsent_deliveries(notice.id, after, batch_size);
        if (batch.empty())
            break;
        if (!per_message)
            store.begin_write();
        try {
            for (const auto& delivery : batch) {
                after = delivery.id;
                MessageRenderer& renderer = templates.get(delivery.lang);
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
                    std::string message_id = fmt::format("outage.{}.{}.{}@{}", notice.incident_id,
                                                         notice.id, delivery.id, domain);
                    Outgoing outgoing{.recipient = delivery.recipient,
                                      .subject = std::move(message.subject),
                                      .body = std::move(message.body),
                                      .message_id = message_id,
                                      .file_stem =
                                          fmt::format("incident-{}-notice-{}-{}",
                                                      notice.incident_id, notice.id, delivery.id),
                                      .idempotency_key = message_id,
                                      .date = notice.created_at,
                                      .notice = std::move(notice_json)};
                    channel.send(outgoing);
                } catch (const Error& e) {
                    error = e.what();
                }
                if (per_message)
                    store.begin_write();
                store.mark_delivery(delivery.id,
                                    error ? DeliveryState::failed : DeliveryState::sent, error,
                                    stamp.at);
                if (!error)
                    meet_deadlines_by_notice(store, notice, meets, stamp);
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

} // namespace

void send_notice(Store& store, const NotifyEnvironment& env, const NoticeRecord& notice,
                 Channel& channel, TemplatesByLanguage& templates, const Stamp& stamp,
                 const Progress& progress, NotifyResult& result) {
    std::int64_t attempted = send_unsent(store, env, notice, channel, templates, stamp, progress);
    result.notice_id = notice.id;
    result.attempted = attempted;
    result.counts = store.delivery_counts(notice.id);
    if (attempted > 0)
        write_transaction(store, [&] {
            // Read under the lock, so that the last notice_sent of a notice two senders
            // shared says where its deliveries ended (docs/security.md, "The state").
            DeliveryDigests after = delivery_digests(store, notice.id);
            result.counts = after.counts;
            store.append_event(notice.incident_id, stamp,
                               events::NoticeSent{.notice = notice.id,
                                                  .audience = notice.audience,
                                                  .attempted = attempted,
                                                  .sent = result.counts.sent,
                                                  .failed = result.counts.failed,
                                                  .pending = result.counts.pending,
                                                  .states_digest = after.states});
        });
}

} // namespace outage
