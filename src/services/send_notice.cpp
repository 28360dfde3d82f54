#include "outage/services/send_notice.hpp"

#include "outage/deliver/email.hpp"
#include "outage/io/process.hpp"
#include "outage/model/error.hpp"
#include "outage/services/deadlines.hpp"
#include "outage/services/delivery_digest.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace outage {
namespace {

using nlohmann::json;

// Deliveries are claimed this many at a time: the file and stdout channels mark a batch in
// one transaction; e-mail and webhooks mark each message as the server accepts it.
constexpr int batch_size = 500;
constexpr int per_message_batch_size = 100;

// The Message-ID's domain: the sender's, so mail systems see one of their own.
std::string message_id_domain(const Config& config) {
    if (config.channels.email) {
        std::string address = bare_address(config.channels.email->from);
        if (auto at = address.rfind('@'); at != std::string::npos)
            return address.substr(at + 1);
    }
    return "outage.invalid";
}

// A claim whose sender is gone is taken over: on this host when its process no longer runs,
// from another host once the lease has passed (docs/notify.md#claims).
std::function<bool(const Claim&)> abandoned_claims(const std::string& host, Timestamp now) {
    return [host, now](const Claim& claim) {
        if (claim.host == host)
            return !process_running(claim.pid, claim.started);
        return now - claim.at >= claim_lease;
    };
}

// One claimed delivery, rendered: its message, or why it could not be rendered.
struct Rendered {
    DeliveryRecord delivery;
    Outgoing outgoing;
    std::optional<DeliveryFailure> failure;
};

class Sender {
  public:
    Sender(Store& store, const NotifyEnvironment& env, const NoticeRecord& notice, Channel& channel,
           TemplatesByLanguage& templates, const Stamp& stamp, const Progress& progress,
           const SendOptions& options)
        : m_store(store), m_notice(notice), m_channel(channel), m_templates(templates),
          m_stamp(stamp), m_progress(progress), m_options(options),
          m_domain(message_id_domain(env.config)),
          m_meets(deadlines_met_by(store, env.runbooks, notice)) {
        ProcessIdentity me = this_process();
        m_claim = {.host = me.host, .pid = me.pid, .started = me.started, .at = stamp.at};
        DeliveryCounts before = store.delivery_counts(notice.id);
        m_total = before.pending + before.failed;
    }

    // Claims, renders, sends and marks batch after batch until nothing is left that this
    // send may claim, or the stall budget is spent.
    void run(NotifyResult& result) {
        auto* staged = dynamic_cast<StagedChannel*>(&m_channel);
        bool per_message = m_notice.channel == "email" || m_notice.channel == "webhook";
        ClaimFilter filter{.after = 0,
                           .limit = per_message ? per_message_batch_size : batch_size,
                           .now = m_stamp.at,
                           .retry_now = m_options.retry_now,
                           .permanent_too = m_options.permanent_too,
                           .abandoned = abandoned_claims(m_claim.host, m_stamp.at)};
        while (!m_stalled) {
            auto claimed = write_transaction(
                m_store, [&] { return m_store.claim_deliveries(m_notice.id, m_claim, filter); });
            if (claimed.empty())
                break;
            filter.after = claimed.back().id;
            std::vector<Rendered> batch;
            batch.reserve(claimed.size());
            for (auto& delivery : claimed)
                batch.push_back(render(std::move(delivery)));
            if (staged)
                send_staged(*staged, batch);
            else
                send_batch(batch, per_message);
            // A short batch took everything there was to take.
            if (static_cast<int>(claimed.size()) < filter.limit)
                break;
        }
        // What the stall budget left claimed goes back; after an error the claims stay until
        // this process has ended, when the next send takes them over.
        if (m_stalled)
            write_transaction(m_store, [&] { m_store.release_claims(m_notice.id, m_claim); });
        result.attempted = m_done;
        if (m_stalled)
            result.stopped = fmt::format(
                "stopped after {} messages in a row timed out; the rest wait for the next send "
                "(`outage outbox --flush`)",
                m_timeouts);
    }

  private:
    Rendered render(DeliveryRecord delivery) {
        Rendered rendered{std::move(delivery), {}, std::nullopt};
        const DeliveryRecord& d = rendered.delivery;
        try {
            MessageRenderer& renderer = m_templates.get(d.lang);
            Message message = renderer.render_for(d.columns);
            std::string message_id = fmt::format("outage.{}.{}.{}@{}", m_notice.incident_id,
                                                 m_notice.id, d.id, m_domain);
            json notice_json;
            // Only a webhook in the "notice" format sends the whole notice; other channels
            // never look at it, and a bulk send would copy every field into it for each one.
            if (m_notice.channel == "webhook") {
                json fields = m_notice.fields;
                fields["recipient"] = d.columns;
                notice_json = {{"incident", m_notice.incident_id},
                               {"notice", m_notice.id},
                               {"delivery", d.id},
                               {"idempotency_key", message_id},
                               {"audience", m_notice.audience},
                               {"template", m_notice.template_name},
                               {"lang", renderer.source().lang},
                               {"subject", message.subject},
                               {"body", message.body},
                               {"fields", std::move(fields)}};
            }
            rendered.outgoing = {.recipient = d.recipient,
                                 .subject = std::move(message.subject),
                                 .body = std::move(message.body),
                                 .message_id = message_id,
                                 .file_stem = fmt::format("incident-{}-notice-{}-{}",
                                                          m_notice.incident_id, m_notice.id, d.id),
                                 .idempotency_key = message_id,
                                 .date = m_notice.created_at,
                                 .notice = std::move(notice_json)};
        } catch (const Error& e) {
            rendered.failure = DeliveryFailure(FailureKind::transient, e.what());
        }
        return rendered;
    }

    // Records what became of one message; the first one sent meets the deadlines whose
    // `met-by` names the audience, in the same transaction.
    void mark(const Rendered& item, const std::optional<DeliveryFailure>& failure) {
        if (!failure) {
            m_store.mark_delivery(item.delivery.id, DeliveryState::sent, std::nullopt, m_stamp.at);
            meet_deadlines_by_notice(m_store, m_notice, m_meets, m_stamp);
        } else {
            m_store.mark_delivery(item.delivery.id, DeliveryState::failed,
                                  std::string(failure->what()), m_stamp.at);
            m_store.schedule_retry(
                item.delivery.id,
                failure->kind() == FailureKind::permanent
                    ? std::nullopt
                    : std::optional(m_stamp.at + retry_delay(item.delivery.attempts + 1)));
        }
        if (failure && failure->kind() == FailureKind::timeout) {
            if (++m_timeouts >= stall_budget)
                m_stalled = true;
        } else {
            m_timeouts = 0;
        }
        ++m_done;
        if (m_progress)
            m_progress(m_done, m_total);
    }

    // Sends a claimed batch; e-mail and webhooks commit each mark as the message ends (the
    // server has it), stdout the whole batch once written.
    void send_batch(const std::vector<Rendered>& batch, bool per_message) {
        std::vector<Outgoing> messages;
        std::vector<const Rendered*> sending;
        std::vector<std::pair<const Rendered*, std::optional<DeliveryFailure>>> ended;
        for (const auto& item : batch) {
            if (item.failure) {
                ended.emplace_back(&item, item.failure);
                continue;
            }
            messages.push_back(item.outgoing);
            sending.push_back(&item);
        }
        if (per_message) {
            for (const auto& item : ended)
                write_transaction(m_store, [&] { mark(*item.first, item.second); });
            ended.clear();
        }
        m_channel.send_all(
            messages, [&](std::size_t index, const std::optional<DeliveryFailure>& failure) {
                if (per_message)
                    write_transaction(m_store, [&] { mark(*sending[index], failure); });
                else
                    ended.emplace_back(sending[index], failure);
                return !m_stalled;
            });
        if (!ended.empty())
            write_transaction(m_store, [&] {
                for (const auto& [item, failure] : ended)
                    mark(*item, failure);
            });
    }

    // The file channel: stage the batch, record that, move it into the outbox, record that.
    // A delivery a killed send staged is moved, never written again.
    void send_staged(StagedChannel& channel, const std::vector<Rendered>& batch) {
        std::vector<std::pair<const Rendered*, std::optional<DeliveryFailure>>> ended;
        std::vector<const Rendered*> to_publish, newly_staged;
        for (const auto& item : batch) {
            if (item.failure) {
                ended.emplace_back(&item, item.failure);
            } else if (item.delivery.staged) {
                to_publish.push_back(&item);
            } else {
                try {
                    channel.stage(item.outgoing);
                    newly_staged.push_back(&item);
                    to_publish.push_back(&item);
                } catch (const Error& e) {
                    ended.emplace_back(&item, DeliveryFailure(FailureKind::transient, e.what()));
                }
            }
        }
        if (!newly_staged.empty()) {
            channel.sync_staged();
            write_transaction(m_store, [&] {
                for (const Rendered* item : newly_staged)
                    m_store.mark_staged(item->delivery.id);
            });
        }
        for (const Rendered* item : to_publish) {
            // false: a killed send moved it already; it is in the outbox all the same.
            channel.publish(item->outgoing);
            ended.emplace_back(item, std::nullopt);
        }
        if (!to_publish.empty())
            channel.sync_published();
        write_transaction(m_store, [&] {
            for (const auto& [item, failure] : ended)
                mark(*item, failure);
        });
    }

    Store& m_store;
    const NoticeRecord& m_notice;
    Channel& m_channel;
    TemplatesByLanguage& m_templates;
    const Stamp& m_stamp;
    const Progress& m_progress;
    SendOptions m_options;
    std::string m_domain;
    std::vector<std::string> m_meets;
    Claim m_claim;
    std::int64_t m_total = 0, m_done = 0;
    int m_timeouts = 0; // consecutive
    bool m_stalled = false;
};

} // namespace

std::chrono::seconds retry_delay(int attempts) {
    using namespace std::chrono;
    seconds delay = minutes(1);
    for (int i = 1; i < attempts && delay < hours(1); ++i)
        delay *= 2;
    return std::min<seconds>(delay, hours(1));
}

void send_notice(Store& store, const NotifyEnvironment& env, const NoticeRecord& notice,
                 Channel& channel, TemplatesByLanguage& templates, const Stamp& stamp,
                 const Progress& progress, const SendOptions& options, NotifyResult& result) {
    Sender(store, env, notice, channel, templates, stamp, progress, options).run(result);
    result.notice_id = notice.id;
    result.counts = store.delivery_counts(notice.id);
    if (result.attempted > 0)
        record_notice_sent(store, notice, stamp, result);
}

void record_notice_sent(Store& store, const NoticeRecord& notice, const Stamp& stamp,
                        NotifyResult& result) {
    write_transaction(store, [&] {
        // Read under the lock, so that the last notice_sent of a notice two senders shared
        // says where its deliveries ended (docs/security.md, "The state").
        DeliveryDigests after = delivery_digests(store, notice.id);
        result.counts = after.counts;
        store.append_event(notice.incident_id, stamp,
                           events::NoticeSent{.notice = notice.id,
                                              .audience = notice.audience,
                                              .attempted = result.attempted,
                                              .sent = result.counts.sent,
                                              .failed = result.counts.failed,
                                              .pending = result.counts.pending,
                                              .states_digest = after.states});
    });
}

} // namespace outage
