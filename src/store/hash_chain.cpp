#include "outage/store/hash_chain.hpp"

#include "outage/io/digest.hpp"

#include <fmt/format.h>

namespace outage {

std::string chain_hash(std::int64_t id, IncidentId incident, std::string_view at_iso,
                       std::string_view kind, std::string_view actor, std::string_view payload_text,
                       std::string_view previous_hash) {
    std::string material;
    auto field = [&material](std::string_view value) {
        material += fmt::format("{}:", value.size());
        material += value;
        material += ';';
    };
    field(std::to_string(id));
    field(std::to_string(incident));
    field(at_iso);
    field(kind);
    field(actor);
    field(payload_text);
    field(previous_hash);

    return sha256_hex(material);
}

} // namespace outage
