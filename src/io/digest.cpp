#include "outage/io/digest.hpp"

#include "outage/model/error.hpp"

#include <fmt/format.h>
#include <nettle/base64.h>
#include <nettle/sha2.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace outage {
namespace {

std::string to_hex(const uint8_t* digest, size_t length) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(length * 2);
    for (size_t i = 0; i < length; ++i) {
        hex += digits[digest[i] >> 4];
        hex += digits[digest[i] & 0xf];
    }
    return hex;
}

} // namespace

std::string sha256_hex(std::string_view data) {
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof digest, digest);
    return to_hex(digest, sizeof digest);
}

std::string sha256_file(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file)
        throw Error(Exit::usage, fmt::format("{}: {}", path, std::strerror(errno)));
    sha256_ctx ctx;
    sha256_init(&ctx);
    char buffer[1 << 16];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0)
        sha256_update(&ctx, n, reinterpret_cast<const uint8_t*>(buffer));
    bool failed = std::ferror(file);
    std::fclose(file);
    if (failed)
        throw Error(Exit::usage, fmt::format("{}: read error", path));
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&ctx, sizeof digest, digest);
    return to_hex(digest, sizeof digest);
}

std::string base64(std::string_view data) {
    std::string out(BASE64_ENCODE_RAW_LENGTH(data.size()), '\0');
    base64_encode_raw(out.data(), data.size(), reinterpret_cast<const uint8_t*>(data.data()));
    return out;
}

} // namespace outage
