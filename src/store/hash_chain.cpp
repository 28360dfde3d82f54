#include "outage/store/hash_chain.hpp"

#include "outage/core/error.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <memory>

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

    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(material.data(), material.size(), digest, &length, EVP_sha256(), nullptr) != 1)
        throw Error(Exit::runtime, "SHA-256 failed in libcrypto");
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i)
        hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

} // namespace outage
