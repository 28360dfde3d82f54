// What operators type for times and durations: any text parses or is refused, and a parsed
// UTC time prints back to the same instant.
#include "outage/model/error.hpp"
#include "outage/model/time.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    const outage::Timestamp now = *outage::parse_iso_utc("2026-11-22T10:00:00Z");
    for (auto direction : {outage::Direction::ahead, outage::Direction::behind}) {
        try {
            outage::parse_when(text, now, direction);
        } catch (const outage::Error&) {
            // refused with a message: fine
        }
    }
    outage::parse_duration(text);
    if (auto at = outage::parse_iso_utc(text)) {
        auto again = outage::parse_iso_utc(outage::format_iso_utc(*at));
        if (!again || *again != *at)
            __builtin_trap();
    }
    return 0;
}
