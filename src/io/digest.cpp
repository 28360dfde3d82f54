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

struct Sha256::Context {
    sha256_ctx ctx;
};

Sha256::Sha256() : m_context(std::make_unique<Context>()) {
    sha256_init(&m_context->ctx);
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
    sha256_update(&m_context->ctx, data.size(), reinterpret_cast<const uint8_t*>(data.data()));
}

std::string Sha256::hex_digest() {
    uint8_t digest[SHA256_DIGEST_SIZE];
    sha256_digest(&m_context->ctx, sizeof digest, digest);
    return to_hex(digest, sizeof digest);
}

std::string sha256_hex(std::string_view data) {
    Sha256 hash;
    hash.update(data);
    return hash.hex_digest();
}

std::string sha256_file(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (!file)
        throw Error(Exit::usage, fmt::format("{}: {}", path, std::strerror(errno)));
    Sha256 hash;
    char buffer[1 << 16];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0)
        hash.update({buffer, n});
    bool failed = std::ferror(file);
    std::fclose(file);
    if (failed)
        throw Error(Exit::usage, fmt::format("{}: read error", path));
    return hash.hex_digest();
}

DigestingStream::DigestingStream(std::istream& source) : std::istream(nullptr), m_buffer(source) {
    rdbuf(&m_buffer);
}

std::string DigestingStream::finish() {
    m_buffer.drain();
    return m_buffer.hash().hex_digest();
}

void DigestingStream::Buffer::drain() {
    do
        setg(eback(), egptr(), egptr());
    while (underflow() != traits_type::eof());
}

DigestingStream::Buffer::int_type DigestingStream::Buffer::underflow() {
    if (gptr() < egptr())
        return traits_type::to_int_type(*gptr());
    m_source.read(m_chunk.data(), static_cast<std::streamsize>(m_chunk.size()));
    auto n = static_cast<size_t>(m_source.gcount());
    if (n == 0)
        return traits_type::eof();
    m_hash.update({m_chunk.data(), n});
    setg(m_chunk.data(), m_chunk.data(), m_chunk.data() + n);
    return traits_type::to_int_type(*gptr());
}

std::string base64(std::string_view data) {
    std::string out(BASE64_ENCODE_RAW_LENGTH(data.size()), '\0');
    base64_encode_raw(out.data(), data.size(), reinterpret_cast<const uint8_t*>(data.data()));
    return out;
}

} // namespace outage
