#include "outage/io/csv.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <sstream>
#include <streambuf>

using namespace outage;

TEST_CASE("io::csv_field quotes what RFC 4180 requires") {
    CHECK(csv_field("") == "");
    CHECK(csv_field("phones") == "phones");
    CHECK(csv_field("a, b") == "\"a, b\"");
    CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_field("two\nlines") == "\"two\nlines\"");
    CHECK(csv_field("cr\rhere") == "\"cr\rhere\"");
    CHECK(csv_field("it's fine") == "it's fine");
    CHECK(csv_field("ünïcødé ✓") == "ünïcødé ✓");
}

TEST_CASE("io::csv_field neutralises formula prefixes") {
    CHECK(csv_field("=1+1") == "'=1+1");
    CHECK(csv_field("+31 20 123") == "'+31 20 123");
    CHECK(csv_field("-2") == "'-2");
    CHECK(csv_field("@SUM(A1:A2)") == "'@SUM(A1:A2)");
    CHECK(csv_field("\tindented") == "'\tindented");
    // A leading CR is neutralised and, being a line break, quoted too.
    CHECK(csv_field("\r=cmd") == "\"'\r=cmd\"");
    CHECK(csv_field("=HYPERLINK(\"http://x\",\"a,b\")") ==
          "\"'=HYPERLINK(\"\"http://x\"\",\"\"a,b\"\")\"");
    // Only the first character counts.
    CHECK(csv_field("a=b") == "a=b");
    CHECK(csv_field(" =1") == " =1");
}

TEST_CASE("io::csv_record ends with CRLF and reads back") {
    CHECK(csv_record({"a", "b"}) == "a,b\r\n");
    CHECK(csv_record({"", ""}) == ",\r\n");
    CHECK(csv_record({}) == "\r\n");
    std::vector<std::string> tricky = {"plain", "a, b", "say \"hi\"", "two\r\nlines",
                                       "=1+1",  "-",    "",           "@x"};
    auto rows =
        read_csv(csv_record({"h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8"}) + csv_record(tricky));
    REQUIRE(rows.size() == 2);
    CHECK(rows[1] == std::vector<std::string>{"plain", "a, b", "say \"hi\"", "two\r\nlines",
                                              "'=1+1", "'-", "", "'@x"});
}

namespace {

// The message a recipients-style CSV is refused with, or "ok".
std::string csv_refusal(const std::string& text) {
    std::string message = "ok";
    exit_of([&] { read_csv(text, CsvReader::Fields::one_line_text); }, message);
    return message;
}

// An endless stream of one byte after a prefix: a reader that does not stop at its limit
// never returns.
class Endless : public std::streambuf {
  public:
    Endless(std::string prefix, char fill) : m_prefix(std::move(prefix)), m_fill(fill) {}
    size_t handed_out() const { return m_handed_out; }

  protected:
    int_type underflow() override {
        if (m_next < m_prefix.size()) {
            m_buffer = m_prefix.substr(m_next, 4096);
            m_next += m_buffer.size();
        } else {
            m_buffer.assign(4096, m_fill);
        }
        m_handed_out += m_buffer.size();
        setg(m_buffer.data(), m_buffer.data(), m_buffer.data() + m_buffer.size());
        return traits_type::to_int_type(m_buffer[0]);
    }

  private:
    std::string m_prefix;
    char m_fill;
    size_t m_next = 0;
    std::string m_buffer;
    size_t m_handed_out = 0;
};

} // namespace

TEST_CASE("io::CsvReader refuses bad bytes in any cell, naming row and column") {
    CHECK(csv_refusal("email,name\nann@example.com,Ann\n") == "ok");
    CHECK(csv_refusal("email,name,lang\nann@example.com,\"Zażółć, Größe\",pl\n") == "ok");
    CHECK(csv_refusal("email,name\nann@example.com,\U0001F9D1\u200D\U0001F692\n") == "ok");
    CHECK(csv_refusal(std::string("email,name\nann@example.com,An") + '\0' + "n\n") ==
          "2: column 'name': character U+0000 (NULL) at position 3 is not allowed");
    CHECK(csv_refusal("email,name\nann@example.com,ok\nbo@example.com,\x1b]0;pwned\x07\n") ==
          "3: column 'name': character U+001B (ESCAPE) at position 1 is not allowed");
    CHECK(csv_refusal("email,name\nann@example.com,ring\x07\n") ==
          "2: column 'name': character U+0007 (BELL) at position 5 is not allowed");
    CHECK(csv_refusal("email,org\nann@example.com,Acme \u202Egnp.exe\n") ==
          "2: column 'org': character U+202E (RIGHT-TO-LEFT OVERRIDE) at position 6 is not "
          "allowed");
    CHECK(csv_refusal("email,org\nann@example.com,Ac\u200Bme\n") ==
          "2: column 'org': character U+200B (ZERO WIDTH SPACE) at position 3 is not allowed");
    CHECK(csv_refusal("email,name\nann@example.com,\"tab\there\"\n") ==
          "2: column 'name': character U+0009 (CHARACTER TABULATION) at position 4 is not "
          "allowed");
    CHECK(csv_refusal("email,name\nann@example.com,\"two\nlines\"\n") ==
          "2: column 'name': character U+000A (LINE FEED) at position 4 is not allowed; it must "
          "be one line");
    CHECK(csv_refusal("email,name\nann@example.com,caf\xe9\n") ==
          "2: column 'name' is not valid UTF-8 (byte 0xe9 at position 4)");
    CHECK(csv_refusal("email,na\x1bme\n") ==
          "1: column 2 of the header: character U+001B (ESCAPE) at position 3 is not allowed");
    CHECK(csv_refusal("email\nann@example.com,\x07\n") ==
          "2: column 2: character U+0007 (BELL) at position 1 is not allowed");
    // The reader for exports checks only the syntax.
    CHECK(read_csv("a\n\"two\nlines\x1b\"\n") ==
          std::vector<std::vector<std::string>>{{"a"}, {"two\nlines\x1b"}});
}

TEST_CASE("io::CsvReader stops at the size limits instead of reading on") {
    CHECK(csv_refusal("email,note\nann@example.com," + std::string(max_csv_field_bytes, 'x') +
                      "\n") == "ok");
    CHECK(csv_refusal("email,note\nann@example.com," + std::string(max_csv_field_bytes + 1, 'x') +
                      "\n") ==
          "2: column 'note' is longer than 65536 bytes, the most a cell may hold");
    std::string wide_row = "email";
    for (int i = 0; i < 20; ++i)
        wide_row += fmt::format(",c{}", i);
    wide_row += "\nann@example.com";
    for (int i = 0; i < 20; ++i)
        wide_row += "," + std::string(60'000, 'x');
    CHECK(csv_refusal(wide_row + "\n") ==
          "2: the row is longer than 1048576 bytes, the most a row may hold");

    // A cell that never ends, quoted or not: refused once past the limit, having read little
    // more than the limit.
    for (const char* start : {"email,name\nann@example.com,", "email,name\nann@example.com,\""}) {
        Endless endless(start, 'x');
        std::istream in(&endless);
        CsvReader reader(in);
        std::vector<std::string> fields;
        REQUIRE(reader.next(fields));
        std::string message;
        CHECK(exit_of([&] { reader.next(fields); }, message) == Exit::usage);
        CHECK(message == "2: column 'name' is longer than 65536 bytes, the most a cell may hold");
        CHECK(endless.handed_out() < max_csv_field_bytes + 2 * 4096);
    }
}
