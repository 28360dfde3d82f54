#pragma once

#include "outage/model/incident.hpp"
#include "outage/store/store.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

namespace outage {

// What a notice's events record of its rows, so that `verify` can tell an edit of the
// notices or deliveries table from the sends that change them (docs/security.md, "The
// state"). The notify writer and verify compute them with the same function.

// SHA-256 of a notice's values as the notices table keeps them.
std::string fields_digest(const nlohmann::json& fields);

struct DeliveryDigests {
    std::string recipients; // each delivery's id, recipient, language and columns
    std::string states;     // each delivery's id and state
    DeliveryCounts counts;
};

// The digests of the notice's deliveries as stored now, read in id order a page at a time:
// a notice of 100,000 recipients is never held whole.
DeliveryDigests delivery_digests(Store& store, std::int64_t notice);

} // namespace outage
