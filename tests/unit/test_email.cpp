#include "outage/deliver/email.hpp"
#include "outage/model/time.hpp"

#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

using namespace outage;

namespace {

// The physical lines of a header field or message (CRLF line ends).
std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find("\r\n", start);
        if (end == std::string::npos)
            end = text.size();
        lines.push_back(text.substr(start, end - start));
        start = end + 2;
    }
    return lines;
}

// RFC 5322 2.2.3: unfolding removes each CRLF that is followed by white space.
std::string unfold(const std::string& field) {
    std::string out;
    for (size_t i = 0; i < field.size(); ++i) {
        if (field.compare(i, 2, "\r\n") == 0 && i + 2 < field.size() &&
            (field[i + 2] == ' ' || field[i + 2] == '\t')) {
            ++i;
            continue;
        }
        out += field[i];
    }
    return out;
}

std::string base64_decode(const std::string& text) {
    static const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    unsigned bits = 0;
    int count = 0;
    for (char c : text) {
        if (c == '=')
            break;
        bits = (bits << 6) | static_cast<unsigned>(alphabet.find(c));
        count += 6;
        if (count >= 8) {
            count -= 8;
            out += static_cast<char>((bits >> count) & 0xff);
        }
    }
    return out;
}

// The text of an unfolded value: plain, or RFC 2047 B encoded-words (the white space
// between adjacent encoded-words is not part of the text).
std::string decode(const std::string& value) {
    if (!value.starts_with("=?UTF-8?B?"))
        return value;
    std::istringstream words(value);
    std::string word;
    std::string out;
    while (words >> word) {
        REQUIRE(word.starts_with("=?UTF-8?B?"));
        REQUIRE(word.ends_with("?="));
        CHECK(word.size() <= 75);
        out += base64_decode(word.substr(10, word.size() - 12));
    }
    return out;
}

// Checks `text` as a Subject: every line within 998 characters (and 78 when `short_lines`),
// none only white space, and unfolding and decoding give the text back.
void check_subject(const std::string& text, bool short_lines) {
    std::string field = header_field("Subject", text);
    CAPTURE(field.substr(0, 200));
    for (const auto& line : lines_of(field)) {
        CHECK(line.size() <= 998);
        if (short_lines)
            CHECK(line.size() <= 81); // an encoded-word line after "Subject: " is 81
        CHECK(line.find_first_not_of(" \t") != std::string::npos);
        CHECK(line.find_first_of("\r\n") == std::string::npos);
    }
    std::string unfolded = unfold(field);
    REQUIRE(unfolded.starts_with("Subject: "));
    CHECK(decode(unfolded.substr(9)) == text);
}

// Words of 1 to 12 letters, separated by single spaces, `size` bytes in all.
std::string words(size_t size) {
    std::string text;
    for (size_t i = 0; text.size() < size; ++i) {
        if (!text.empty())
            text += ' ';
        text += std::string(1 + i % 12, static_cast<char>('a' + i % 26));
    }
    text.resize(size);
    if (text.ends_with(' '))
        text.back() = 'z';
    return text;
}

} // namespace

TEST_CASE("email::header_field folds subjects per RFC 5322") {
    SECTION("a short subject stays on one line") {
        CHECK(header_field("Subject", "Flood in lab 2") == "Subject: Flood in lab 2");
        CHECK(header_field("Subject", "") == "Subject: ");
    }
    SECTION("a long ASCII subject is folded before white space near 78") {
        std::string text = words(200);
        std::string field = header_field("Subject", text);
        CHECK(field.find("=?") == std::string::npos);
        auto lines = lines_of(field);
        CHECK(lines.size() > 2);
        for (size_t i = 0; i < lines.size(); ++i) {
            CHECK(lines[i].size() <= 78);
            if (i > 0)
                CHECK(lines[i].starts_with(" "));
        }
        check_subject(text, true);
    }
    SECTION("subjects of 1,023 and 3,477 characters go out as valid headers") {
        for (size_t size : {1023, 3477}) {
            check_subject(words(size), true);
            check_subject("Storing: telefonie en e-mail — " + words(size), true);
        }
    }
    SECTION("white space is kept as it was") {
        check_subject("  two  spaces  and\ttabs\t\t" + words(150) + "   ", true);
        check_subject(std::string(100, ' ') + "x", false);
    }
    SECTION("a word too long for a line goes as encoded-words") {
        std::string long_word = std::string(90, 'w');
        std::string field = header_field("Subject", "see " + long_word + " here");
        CHECK(field == "Subject: see\r\n " + long_word + "\r\n here"); // over 78, within 998
        check_subject("see " + long_word + " here", false);
        std::string huge = "see " + std::string(1200, 'h') + " there";
        CHECK(header_field("Subject", huge).starts_with("Subject: =?UTF-8?B?"));
        check_subject(huge, true);
        check_subject(std::string(2000, ' '), true);
    }
}

TEST_CASE("email::format_email sends a 3,477-character subject folded") {
    std::string subject = words(3477);
    Email email{.from = "Ops <ops@example.com>",
                .to = "ann@example.com",
                .subject = subject,
                .body = "Body.\n",
                .date = *parse_iso_utc("2026-11-22T10:05:09Z"),
                .message_id = "outage.1.2.3@example.com"};
    std::string message = format_email(email);
    std::string head = message.substr(0, message.find("\r\n\r\n"));
    for (const auto& line : lines_of(head))
        CHECK(line.size() <= 78);
    std::string unfolded = unfold(head);
    CHECK(unfolded.find("\r\nSubject: " + subject + "\r\nDate: ") != std::string::npos);
}
