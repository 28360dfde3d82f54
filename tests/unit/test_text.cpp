#include "outage/model/error.hpp"
#include "outage/model/text.hpp"

#include <catch2/catch.hpp>

using namespace outage;

TEST_CASE("text::is_valid_utf8") {
    CHECK(is_valid_utf8("plain"));
    CHECK(is_valid_utf8("Zażółć gęślą jaźń — café 🚒"));
    CHECK_FALSE(is_valid_utf8("\xff"));
    CHECK_FALSE(is_valid_utf8("\xc3"));             // truncated
    CHECK_FALSE(is_valid_utf8("\xc0\xaf"));         // overlong '/'
    CHECK_FALSE(is_valid_utf8("\xed\xa0\x80"));     // surrogate
    CHECK_FALSE(is_valid_utf8("\xf4\x90\x80\x80")); // above U+10FFFF
    CHECK_FALSE(is_valid_utf8("ok\xe2\x82"));       // truncated at the end
}

TEST_CASE("text::check_line and check_note") {
    CHECK_NOTHROW(check_line("--title", "Power cut at the Leeds office"));
    CHECK_THROWS_WITH(check_line("--title", "  "), "--title is empty");
    CHECK_THROWS_WITH(check_line("--title", "two\nlines"),
                      "--title contains a control character (0x0a); it must be one line");
    CHECK_THROWS_WITH(check_line("--title", "bell\a"),
                      "--title contains a control character (0x07); it must be one line");
    CHECK_THROWS_WITH(check_line("--title", "\xff"), "--title is not valid UTF-8");
    CHECK_THROWS_WITH(check_line("--title", std::string(1001, 'x')),
                      "--title is 1001 bytes long; the limit is 1000");
    CHECK_NOTHROW(check_note("--note", "line one\nline two\twith a tab"));
    CHECK_NOTHROW(check_note("--note", "pasted from Windows\r\n"));
    CHECK_THROWS_WITH(check_note("--note", "escape \x1b[31m"),
                      "--note contains a control character (0x1b)");
    try {
        check_note("--note", "");
    } catch (const Error& e) {
        CHECK(e.code() == Exit::usage);
    }
}
