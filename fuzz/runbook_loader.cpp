// The runbook and severity loaders on arbitrary bytes: every input ends in a runbook or a list
// of problems, never a crash or an exception escaping.
#include "fuzz_input.hpp"
#include "outage/model/error.hpp"
#include "outage/runbook/load.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<outage::Problem> problems;
    auto file = fuzz_file("fuzz.yaml", data, size);
    auto runbook = outage::parse_runbook(
        file, [](std::string_view) { return true; }, problems);
    if (runbook.has_value() != problems.empty())
        __builtin_trap(); // a runbook comes back exactly when nothing is wrong with it
    problems.clear();
    auto scale = outage::parse_severity_scale(fuzz_file("severity.yaml", data, size), problems);
    if (scale.has_value() != problems.empty())
        __builtin_trap();
    try {
        outage::read_answers_file(file);
    } catch (const outage::Error&) {
        // a malformed answers file is a usage error with a message: fine
    }
    return 0;
}
