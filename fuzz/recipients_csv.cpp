// The recipients CSV reader on arbitrary bytes: rows come out or a `file:line:` error does.
#include "outage/deliver/recipients.hpp"
#include "outage/model/error.hpp"

#include <cstdint>
#include <sstream>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    try {
        outage::RecipientReader reader(in, "fuzz.csv");
        while (auto recipient = reader.next())
            if (!outage::is_valid_address(recipient->address))
                __builtin_trap(); // the reader hands out only addresses that are valid
    } catch (const outage::Error&) {
        // a malformed file is refused with a message: fine
    }
    return 0;
}
