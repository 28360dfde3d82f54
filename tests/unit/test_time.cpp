#include "outage/model/error.hpp"
#include "outage/model/time.hpp"

#include <catch2/catch.hpp>

using namespace outage;
using namespace std::chrono;

namespace {
// Tests run with TZ=Europe/Amsterdam (CET, UTC+1 in November; CEST, UTC+2 in summer).
const Timestamp now = *parse_iso_utc("2026-11-22T10:00:00Z");

std::string when(const char* text, Direction direction = Direction::ahead) {
    return format_iso_utc(parse_when(text, now, direction));
}
} // namespace

TEST_CASE("time::parse_when ISO 8601") {
    SECTION("UTC and offsets") {
        CHECK(when("2026-11-22T14:30:00Z") == "2026-11-22T14:30:00Z");
        CHECK(when("2026-11-22T14:30Z") == "2026-11-22T14:30:00Z");
        CHECK(when("2026-11-22T14:30:00+01:00") == "2026-11-22T13:30:00Z");
        CHECK(when("2026-11-22T14:30:00-0530") == "2026-11-22T20:00:00Z");
        CHECK(when("2026-11-22 14:30:00.250Z") == "2026-11-22T14:30:00Z");
    }
    SECTION("no zone means local time, with daylight saving") {
        CHECK(when("2026-11-22T14:30") == "2026-11-22T13:30:00Z");
        CHECK(when("2026-07-01T14:30") == "2026-07-01T12:30:00Z");
        CHECK(when("2026-11-22") == "2026-11-21T23:00:00Z");
    }
    SECTION("leap days") {
        CHECK(when("2028-02-29T00:00Z") == "2028-02-29T00:00:00Z");
        CHECK_THROWS_AS(parse_when("2027-02-29T00:00Z", now, Direction::ahead), Error);
    }
}

TEST_CASE("time::parse_when clock times and durations") {
    SECTION("HH:MM is today, local") {
        CHECK(when("14:30") == "2026-11-22T13:30:00Z");
        CHECK(when("9:05") == "2026-11-22T08:05:00Z");
        CHECK(when("00:00") == "2026-11-21T23:00:00Z");
    }
    SECTION("durations point ahead for an ETA and behind for --since") {
        CHECK(when("90m") == "2026-11-22T11:30:00Z");
        CHECK(when("2h") == "2026-11-22T12:00:00Z");
        CHECK(when("1d") == "2026-11-23T10:00:00Z");
        CHECK(when("1h30m") == "2026-11-22T11:30:00Z");
        CHECK(when("2h", Direction::behind) == "2026-11-22T08:00:00Z");
        CHECK(when("1w", Direction::behind) == "2026-11-15T10:00:00Z");
    }
}

TEST_CASE("time::parse_when rejects what is not a time") {
    const char* bad[] = {"",
                         "tomorrow",
                         "25:00",
                         "12:60",
                         "2026-13-01",
                         "2026-11-31",
                         "2h30",
                         "-2h",
                         "h",
                         "2026-11-22T10:00:00+25:00",
                         "2026-11-22T10",
                         "99999999999999999999d",
                         "2026-11-22T10:00:00Zjunk"};
    for (const char* text : bad) {
        INFO(text);
        try {
            parse_when(text, now, Direction::ahead);
            FAIL("accepted");
        } catch (const Error& e) {
            CHECK(e.code() == Exit::usage);
            CHECK(std::string(e.what()).find(std::string("invalid time '") + text + "'") == 0);
        }
    }
}

TEST_CASE("time::format") {
    CHECK(format_iso_utc(now) == "2026-11-22T10:00:00Z");
    CHECK(format_local(now) == "2026-11-22 11:00 CET");
    CHECK(format_span(seconds{45}) == "45s");
    CHECK(format_span(minutes{80}) == "1h 20m");
    CHECK(format_span(hours{2}) == "2h");
    CHECK(format_span(hours{50}) == "2d 2h");
    CHECK(format_span(-minutes{5}) == "5m");
}

TEST_CASE("time::clock_now") {
    CHECK(clock_now("2026-11-22T10:00:00Z") == now);
    CHECK(clock_now("2026-11-22T10:00:00") == now); // OUTAGE_NOW without a zone is UTC
    CHECK_THROWS_WITH(clock_now("yesterday"),
                      "invalid OUTAGE_NOW 'yesterday': expected ISO 8601 such as "
                      "2026-11-22T14:30:00Z");
    auto before = floor<seconds>(system_clock::now());
    CHECK(clock_now(nullptr) >= before);
    CHECK(clock_now("") >= before);
}
