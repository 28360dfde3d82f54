#include "outage/services/delivery_digest.hpp"

#include "outage/io/digest.hpp"

namespace outage {

std::string fields_digest(const nlohmann::json& fields) {
    return sha256_hex(fields.dump());
}

DeliveryDigests delivery_digests(Store& store, std::int64_t notice) {
    constexpr int page = 1000;
    Sha256 recipients, states;
    DeliveryDigests result;
    std::int64_t after = 0;
    while (true) {
        auto batch = store.deliveries(notice, after, page);
        for (const auto& delivery : batch) {
            // One JSON array a line: no two different rows digest alike.
            recipients.update(nlohmann::json::array({delivery.id, delivery.recipient, delivery.lang,
                                                     delivery.columns})
                                  .dump());
            recipients.update("\n");
            std::string_view state = to_string(delivery.state);
            states.update(nlohmann::json::array({delivery.id, state}).dump());
            states.update("\n");
            ++(delivery.state == DeliveryState::sent     ? result.counts.sent
               : delivery.state == DeliveryState::failed ? result.counts.failed
                                                         : result.counts.pending);
            result.counts.permanent +=
                delivery.state == DeliveryState::failed && delivery.permanent;
            after = delivery.id;
        }
        if (static_cast<int>(batch.size()) < page)
            break;
    }
    result.recipients = recipients.hex_digest();
    result.states = states.hex_digest();
    return result;
}

} // namespace outage
