#include "outage/io/digest.hpp"
#include "outage/model/error.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <string>

using namespace outage;

// FIPS 180-2's test vectors: the hash chain of every log ever written depends on them.
TEST_CASE("digest::sha256_hex matches the standard's vectors") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex(std::string("a\0b", 3)) != sha256_hex("a"));
}

TEST_CASE("digest::sha256_file hashes the bytes read in chunks") {
    TempDir dir;
    std::string content(200'000, 'x'); // several of the reader's 64 KiB chunks
    content[123'456] = '\0';
    std::ofstream(dir.file("big.csv"), std::ios::binary) << content;
    CHECK(sha256_file(dir.file("big.csv")) == sha256_hex(content));
    try {
        sha256_file(dir.file("missing.csv"));
        FAIL("no error for a missing file");
    } catch (const Error& e) {
        CHECK(e.code() == Exit::usage);
        CHECK(std::string(e.what()) == dir.file("missing.csv") + ": No such file or directory");
    }
}

TEST_CASE("digest::base64 pads as RFC 4648 says") {
    CHECK(base64("") == "");
    CHECK(base64("f") == "Zg==");
    CHECK(base64("fo") == "Zm8=");
    CHECK(base64("foo") == "Zm9v");
    CHECK(base64("foobar") == "Zm9vYmFy");
    CHECK(base64("\xff\xfe") == "//4=");
}
