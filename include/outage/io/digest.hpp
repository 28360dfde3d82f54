#pragma once

#include <array>
#include <istream>
#include <memory>
#include <streambuf>
#include <string>
#include <string_view>

namespace outage {

// Lowercase hex SHA-256 of `data` (nettle).
std::string sha256_hex(std::string_view data);

// Lowercase hex SHA-256 of a file's bytes, read in chunks. Throws Error(usage) when the file
// cannot be read.
std::string sha256_file(const std::string& path);

// SHA-256 fed piece by piece.
class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::string_view data);
    // Lowercase hex of everything given since the start; the hasher starts afresh after it.
    std::string hex_digest();

  private:
    struct Context;
    std::unique_ptr<Context> m_context;
};

// Reads another stream through, digesting every byte that passes, so a file read once for
// its content also yields its SHA-256: a recipients CSV is parsed and digested in one pass
// (docs/architecture.md#the-send-path-notify-in-parts).
class DigestingStream : public std::istream {
  public:
    explicit DigestingStream(std::istream& source);

    // Reads what the reader left of the source, then gives the lowercase hex SHA-256 of all
    // its bytes: sha256_file's answer for the same file.
    std::string finish();

  private:
    class Buffer : public std::streambuf {
      public:
        explicit Buffer(std::istream& source) : m_source(source) {}
        Sha256& hash() { return m_hash; }
        // Reads the rest of the source, a chunk at a time.
        void drain();

      protected:
        int_type underflow() override;

      private:
        std::istream& m_source;
        Sha256 m_hash;
        std::array<char, 1 << 16> m_chunk{};
    };
    Buffer m_buffer;
};

// Standard base64 of `data`, without line breaks.
std::string base64(std::string_view data);

} // namespace outage
