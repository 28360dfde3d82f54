#include "outage/io/csv.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <sstream>

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
