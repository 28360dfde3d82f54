#pragma once

#include "outage/model/incident.hpp"

#include <string>
#include <string_view>

namespace outage {

// The link before the first event.
inline constexpr std::string_view genesis_hash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Hex SHA-256 over the event's id, incident, time, kind, actor, payload text and the previous
// event's hash, each length-prefixed so no two different events serialise alike.
std::string chain_hash(std::int64_t id, IncidentId incident, std::string_view at_iso,
                       std::string_view kind, std::string_view actor, std::string_view payload_text,
                       std::string_view previous_hash);

} // namespace outage
