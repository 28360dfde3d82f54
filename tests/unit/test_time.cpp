#include "outage/model/error.hpp"
#include "outage/model/time.hpp"

#include <catch2/catch.hpp>

using namespace outage;
using namespace std::chrono;

namespace {
// Tests run with TZ=Europe/Amsterdam (CET, UTC+1 in November; CEST, UTC+2 in summer).
const Timestamp now = *parse_iso_utc("2026-11-22T10:00:00Z");

std::string when(const char* text, Direction direction = Direction::ahead) {
    return format_iso_utc(parse_when(text, now, direction).at);
}

// The message parse_when refuses `text` with (empty when it accepts it).
std::string refusal(const char* text, Timestamp at = now, Direction direction = Direction::ahead) {
    try {
        parse_when(text, at, direction);
        return "";
    } catch (const Error& e) {
        CHECK(e.code() == Exit::usage);
        return e.what();
    }
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
    SECTION("HH:MM is today, local, when today's lies in the direction") {
        CHECK(when("14:30") == "2026-11-22T13:30:00Z");
        CHECK(when("11:00") == "2026-11-22T10:00:00Z"); // now, not past
        CHECK_FALSE(parse_when("14:30", now, Direction::ahead).other_day);
        CHECK(when("9:05", Direction::behind) == "2026-11-22T08:05:00Z");
        CHECK(when("00:00", Direction::behind) == "2026-11-21T23:00:00Z");
        CHECK_FALSE(parse_when("9:05", now, Direction::behind).other_day);
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

TEST_CASE("time::parse_when HH:MM already past moves a day") {
    SECTION("an ETA already past today is tomorrow's") {
        CHECK(when("9:05") == "2026-11-23T08:05:00Z");
        CHECK(when("00:00") == "2026-11-22T23:00:00Z");
        CHECK(parse_when("9:05", now, Direction::ahead).other_day);
        // 23:30 local: 01:00 is the night ahead, not the one that is ending.
        When eta = parse_when("01:00", *parse_iso_utc("2026-11-22T22:30:00Z"), Direction::ahead);
        CHECK(format_iso_utc(eta.at) == "2026-11-23T00:00:00Z");
        CHECK(eta.other_day);
    }
    SECTION("a --since still to come today is yesterday's") {
        CHECK(when("14:30", Direction::behind) == "2026-11-21T13:30:00Z");
        CHECK(parse_when("14:30", now, Direction::behind).other_day);
    }
    SECTION("across a change of daylight saving time and the end of a month") {
        // Saturday 2026-03-28 22:00 CET; the clocks go forward that night.
        CHECK(
            format_iso_utc(
                parse_when("09:00", *parse_iso_utc("2026-03-28T21:00:00Z"), Direction::ahead).at) ==
            "2026-03-29T07:00:00Z");
        // 2026-03-31 22:00 CEST: 09:00 is on 1 April.
        CHECK(
            format_iso_utc(
                parse_when("09:00", *parse_iso_utc("2026-03-31T20:00:00Z"), Direction::ahead).at) ==
            "2026-04-01T07:00:00Z");
    }
}

TEST_CASE("time::parse_when refuses times outside 2000..2100") {
    CHECK(refusal("9999-12-31T23:59Z") == "'9999-12-31T23:59Z' is outside the times outage "
                                          "accepts, 2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z");
    CHECK(refusal("10000-01-01T00:00Z").find("is outside the times outage accepts") !=
          std::string::npos);
    CHECK(refusal("1999-12-31T23:59:59Z") != "");
    CHECK(refusal("2100-01-01T00:00:01Z") != "");
    CHECK(refusal("0000-01-01") != "");
    CHECK(refusal("2000-01-01T00:00:00Z") == "");
    CHECK(refusal("2100-01-01T00:00:00Z") == "");
    // Relative times too: a duration that reaches past the end, an HH:MM past it.
    CHECK(refusal("36500d").find("'36500d' is outside") == 0);
    CHECK(refusal("36500d", now, Direction::behind) != ""); // 1926
    CHECK(refusal("9000d", now, Direction::behind) == "");  // 2002
    CHECK(refusal("52w", *parse_iso_utc("2000-06-01T00:00:00Z"), Direction::behind) != "");
    CHECK(refusal("23:59", *parse_iso_utc("2100-01-01T00:00:00Z")) != "");
}

TEST_CASE("time::in_time_range and has_passed") {
    CHECK(in_time_range(earliest_time));
    CHECK(in_time_range(latest_time));
    CHECK_FALSE(in_time_range(earliest_time - seconds{1}));
    CHECK_FALSE(in_time_range(latest_time + seconds{1}));
    CHECK(has_passed(now - seconds{1}, now));
    CHECK_FALSE(has_passed(now, now));
    CHECK_FALSE(has_passed(now + hours{1}, now));
    // A due time outside the range has passed, whichever side it lies.
    CHECK(has_passed(*parse_iso_utc("10000-01-01T00:59:00Z"), now));
    CHECK(has_passed(*parse_iso_utc("1970-01-01T00:00:00Z"), now));
}

TEST_CASE("time::parse_iso_utc reads what older logs hold") {
    // Year 10000: what `update` wrote with OUTAGE_NOW=9999-12-31T23:59:00Z before times
    // were checked.
    auto far = parse_iso_utc("10000-01-01T00:59:00Z");
    REQUIRE(far);
    CHECK(format_iso_utc(*far) == "10000-01-01T00:59:00Z");
    CHECK(format_local(*far) == "10000-01-01T00:59:00Z"); // shown as stored
    auto early = parse_iso_utc("0000-01-01T00:00:00Z");
    REQUIRE(early);
    CHECK(format_local(*early) == "0000-01-01T00:00:00Z");
    CHECK(parse_iso_utc("32767-12-31T23:59:59Z"));
    // Beyond what formats back: refused, not wrapped.
    CHECK_FALSE(parse_iso_utc("32768-01-01T00:00:00Z"));
    CHECK_FALSE(parse_iso_utc("32767-12-31T23:59:59-01:00"));
    CHECK_FALSE(parse_iso_utc("0000-01-01T00:00:00+01:00"));
    CHECK_FALSE(parse_iso_utc("100000-01-01T00:00:00Z"));
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
    CHECK_THROWS_WITH(clock_now("9999-12-31T23:59:00Z"),
                      "OUTAGE_NOW '9999-12-31T23:59:00Z' is outside the times outage accepts, "
                      "2000-01-01T00:00:00Z to 2100-01-01T00:00:00Z");
    CHECK_THROWS_AS(clock_now("1970-01-01T00:00:00Z"), Error);
    CHECK(clock_now("2100-01-01T00:00:00Z") == latest_time);
    auto before = floor<seconds>(system_clock::now());
    CHECK(clock_now(nullptr) >= before);
    CHECK(clock_now("") >= before);
}
