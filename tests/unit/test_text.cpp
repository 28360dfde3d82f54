#include "outage/model/error.hpp"
#include "outage/model/text.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace outage;

namespace {

// What find_refused_character says about `text`, or "ok".
std::string verdict(std::string_view text, TextKind kind = TextKind::line) {
    auto refused = find_refused_character(text, kind);
    return refused ? describe(*refused) : "ok";
}

} // namespace

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

TEST_CASE("text::find_refused_character lets ordinary text through") {
    for (TextKind kind : {TextKind::line, TextKind::note}) {
        CHECK(verdict("Power cut at the Leeds office", kind) == "ok");
        CHECK(verdict("Zażółć gęślą jaźń", kind) == "ok");                // Polish
        CHECK(verdict("Straße gesperrt, Größe überprüft", kind) == "ok"); // German
        CHECK(verdict("Storing bij de ontvangst, café", kind) == "ok");
        CHECK(verdict("停电 東京オフィス 정전", kind) == "ok"); // CJK, Hangul
        CHECK(verdict("شبكة معطلة", kind) == "ok");             // Arabic, no marks
        CHECK(verdict("fire 🚒 and 🔥, ❤️ hearts, 👍🏽", kind) == "ok");
        // Emoji joined by ZERO WIDTH JOINER: firefighter, family, rainbow flag, heart on fire,
        // pirate flag, eye in speech bubble.
        CHECK(verdict("\U0001F9D1\u200D\U0001F692", kind) == "ok");
        CHECK(verdict("\U0001F468\u200D\U0001F469\u200D\U0001F467", kind) == "ok");
        CHECK(verdict("\U0001F3F3\uFE0F\u200D\U0001F308 pride", kind) == "ok");
        CHECK(verdict("\u2764\uFE0F\u200D\U0001F525", kind) == "ok");
        CHECK(verdict("\U0001F3F4\u200D\u2620\uFE0F", kind) == "ok");
        CHECK(verdict("\U0001F441\uFE0F\u200D\U0001F5E8\uFE0F", kind) == "ok");
        CHECK(verdict("\u00AD soft hyphen and NBSP\u00A0", kind) == "ok");
    }
}

TEST_CASE("text::find_refused_character names each class and its position") {
    SECTION("C0 controls, DEL; a note keeps tab, LF and CR") {
        CHECK(verdict(std::string("a\0b", 3)) == "character U+0000 (NULL) at position 2");
        CHECK(verdict(std::string("a\0b", 3), TextKind::note) ==
              "character U+0000 (NULL) at position 2");
        CHECK(verdict("bell\a") == "character U+0007 (BELL) at position 5");
        CHECK(verdict("\x1b[31mred", TextKind::note) == "character U+001B (ESCAPE) at position 1");
        CHECK(verdict("del\x7f") == "character U+007F (DELETE) at position 4");
        CHECK(verdict("two\nlines") == "character U+000A (LINE FEED) at position 4");
        CHECK(verdict("tab\there") == "character U+0009 (CHARACTER TABULATION) at position 4");
        CHECK(verdict("a\rb") == "character U+000D (CARRIAGE RETURN) at position 2");
        CHECK(verdict("line one\r\nline two\twith a tab", TextKind::note) == "ok");
        CHECK(verdict("form\ffeed", TextKind::note) ==
              "character U+000C (FORM FEED) at position 5");
    }
    SECTION("C1 controls") {
        CHECK(verdict("a\u0085b") == "character U+0085 (NEXT LINE) at position 2");
        CHECK(verdict("\u009b31m", TextKind::note) ==
              "character U+009B (CONTROL SEQUENCE INTRODUCER) at position 1");
        CHECK(verdict("x\u0091") == "character U+0091 (C1 CONTROL) at position 2");
    }
    SECTION("bidi embeddings, overrides and isolates, everywhere") {
        // Positions count characters: "Zażółć " is 7 characters and 11 bytes.
        auto refused = find_refused_character("Zażółć \u202Egnp.exe", TextKind::line);
        REQUIRE(refused);
        CHECK(refused->position == 8);
        CHECK(refused->offset == 11);
        CHECK(describe(*refused) == "character U+202E (RIGHT-TO-LEFT OVERRIDE) at position 8");
        CHECK(verdict("a\u202Ab", TextKind::note) ==
              "character U+202A (LEFT-TO-RIGHT EMBEDDING) at position 2");
        CHECK(verdict("\u202C") == "character U+202C (POP DIRECTIONAL FORMATTING) at position 1");
        CHECK(verdict("x\u2066y\u2069", TextKind::note) ==
              "character U+2066 (LEFT-TO-RIGHT ISOLATE) at position 2");
        CHECK(verdict("x\u2068") == "character U+2068 (FIRST STRONG ISOLATE) at position 2");
    }
    SECTION("bidi marks: refused in a line, kept in a note") {
        CHECK(verdict("db\u200E") == "character U+200E (LEFT-TO-RIGHT MARK) at position 3");
        CHECK(verdict("\u200F") == "character U+200F (RIGHT-TO-LEFT MARK) at position 1");
        CHECK(verdict("\u061C") == "character U+061C (ARABIC LETTER MARK) at position 1");
        CHECK(verdict("שלום\u200F 123", TextKind::note) == "ok");
    }
    SECTION("zero-width and invisible characters") {
        CHECK(verdict("pay\u200Bpal") == "character U+200B (ZERO WIDTH SPACE) at position 4");
        CHECK(verdict("a\u200Cb", TextKind::note) ==
              "character U+200C (ZERO WIDTH NON-JOINER) at position 2");
        CHECK(verdict("a\u2060b") == "character U+2060 (WORD JOINER) at position 2");
        CHECK(verdict("\uFEFFtitle") ==
              "character U+FEFF (ZERO WIDTH NO-BREAK SPACE) at position 1");
        CHECK(verdict("x\u2062y") == "character U+2062 (INVISIBLE TIMES) at position 2");
        CHECK(verdict("a\u2028b", TextKind::note) ==
              "character U+2028 (LINE SEPARATOR) at position 2");
    }
    SECTION("ZERO WIDTH JOINER only between two emoji") {
        CHECK(verdict("ad\u200Dmin") == "character U+200D (ZERO WIDTH JOINER) at position 3");
        CHECK(verdict("\u200D\U0001F692") == "character U+200D (ZERO WIDTH JOINER) at position 1");
        CHECK(verdict("\U0001F9D1\u200D") == "character U+200D (ZERO WIDTH JOINER) at position 2");
        CHECK(verdict("\U0001F9D1\u200Dx") == "character U+200D (ZERO WIDTH JOINER) at position 2");
        CHECK(verdict("\U0001F9D1\u200D\u200D\U0001F692") ==
              "character U+200D (ZERO WIDTH JOINER) at position 2");
    }
    SECTION("invalid UTF-8: the byte and its position") {
        CHECK(verdict("caf\xe9") == "byte 0xe9 at position 4");
        CHECK(verdict("żó\xff", TextKind::note) == "byte 0xff at position 3");
        CHECK(verdict("over\xc0\xaflong") == "byte 0xc0 at position 5");
        CHECK(verdict("surrogate\xed\xa0\x80") == "byte 0xed at position 10");
        CHECK(verdict("cut\xe2\x82") == "byte 0xe2 at position 4");
    }
}

TEST_CASE("text::check_line and check_note") {
    CHECK_NOTHROW(check_line("--title", "Power cut at the Leeds office"));
    CHECK_THROWS_WITH(check_line("--title", "  "), "--title is empty");
    CHECK_THROWS_WITH(check_line("--title", "two\nlines"),
                      "--title: character U+000A (LINE FEED) at position 4 is not allowed; it "
                      "must be one line");
    CHECK_THROWS_WITH(check_line("--title", "bell\a"),
                      "--title: character U+0007 (BELL) at position 5 is not allowed");
    CHECK_THROWS_WITH(check_line("--title", "\xff"),
                      "--title is not valid UTF-8 (byte 0xff at position 1)");
    CHECK_THROWS_WITH(check_line("--title", "Invoice \u202Efdp.exe"),
                      "--title: character U+202E (RIGHT-TO-LEFT OVERRIDE) at position 9 is not "
                      "allowed");
    CHECK_THROWS_WITH(check_line("--service", "mail\u200B"),
                      "--service: character U+200B (ZERO WIDTH SPACE) at position 5 is not "
                      "allowed");
    CHECK_THROWS_WITH(check_line("--title", std::string(1001, 'x')),
                      "--title is 1001 bytes long; the limit is 1000");
    CHECK_NOTHROW(check_line("--title", "Brand bij de brandweer \U0001F9D1\u200D\U0001F692"));
    CHECK_NOTHROW(check_note("--note", "line one\nline two\twith a tab"));
    CHECK_NOTHROW(check_note("--note", "pasted from Windows\r\n"));
    CHECK_THROWS_WITH(check_note("--note", "escape \x1b[31m"),
                      "--note: character U+001B (ESCAPE) at position 8 is not allowed");
    try {
        check_note("--note", "");
        FAIL("an empty note was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == Exit::usage);
    }
    try {
        check_line("--title", "a\u202Eb");
        FAIL("a bidi override was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == Exit::usage);
    }
}

TEST_CASE("text::escape_controls") {
    CHECK(escape_controls("plain Zażółć 🚒") == "plain Zażółć 🚒");
    CHECK(escape_controls("\x1b[2J\x07title") == "\\x1b[2J\\x07title");
    CHECK(escape_controls("two\nlines\tand\r") == "two\\nlines\\tand\\r");
    CHECK(escape_controls("a\u202Eb\u200Bc") == "a\\u202eb\\u200bc");
    CHECK(escape_controls("\u009b31m") == "\\u009b31m");
    CHECK(escape_controls("caf\xe9!") == "caf\\xe9!");
    CHECK(escape_controls(std::string("nul\0", 4)) == "nul\\x00");
    CHECK(escape_controls("\U0001F9D1\u200D\U0001F692") == "\U0001F9D1\u200D\U0001F692");
    CHECK(escape_controls("x\u200Dy") == "x\\u200dy");
}
