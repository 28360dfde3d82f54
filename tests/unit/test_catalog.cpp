#include "outage/model/error.hpp"
#include "outage/runbook/catalog.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

using namespace outage;

namespace {
const std::string data = OUTAGE_TEST_DATA;

Exit load_exit(const RunbookPath& path, const std::string& id, std::string& message) {
    return exit_of([&] { load_runbook(path, id); }, message);
}
} // namespace

TEST_CASE("runbook::catalog bundled set") {
    RunbookPath path = runbook_path({});
    CHECK(runbook_ids(path) == std::vector<std::string>{"hardware-failure", "malware",
                                                        "network-outage", "power-loss",
                                                        "third-party-outage"});
    auto runbook = load_runbook(path, "malware");
    CHECK(runbook.id == "malware");
    CHECK(runbook.title == "Malware or ransomware");
    CHECK_FALSE(runbook.description.empty());
    // Every bundled customer-sla clock stops at the first customer notice delivered.
    for (const auto& id : runbook_ids(path))
        for (const auto& deadline : load_runbook(path, id).deadlines) {
            INFO(id << " " << deadline.id);
            CHECK(deadline.met_by_audience == (deadline.id == "customer-sla"
                                                   ? std::optional<std::string>("customers")
                                                   : std::nullopt));
        }
}

TEST_CASE("runbook::catalog user folder overrides by id") {
    RunbookPath path = runbook_path(data + "/runbooks/user");
    auto ids = runbook_ids(path);
    CHECK(std::find(ids.begin(), ids.end(), "lab-flood") != ids.end());
    CHECK(std::find(ids.begin(), ids.end(), "malware") != ids.end());
    CHECK(load_runbook(path, "power-loss").title == "Power loss (our own site plan)");
    CHECK(load_runbook(path, "hardware-failure").title == "Hardware failure");
}

TEST_CASE("runbook::catalog errors") {
    std::string message;
    SECTION("unknown scenario lists the known ones") {
        CHECK(load_exit(runbook_path({}), "power-los", message) == Exit::not_found);
        CHECK(message == "unknown scenario 'power-los' (known: hardware-failure, malware, "
                         "network-outage, power-loss, third-party-outage)");
    }
    RunbookPath broken = runbook_path(data + "/runbooks/bad");
    const std::string dir = data + "/runbooks/bad/";
    SECTION("YAML syntax, 1-based position") {
        CHECK(load_exit(broken, "bad_syntax", message) == Exit::invalid_content);
        CHECK(message == dir + "bad_syntax.yaml:4:12: end of sequence flow not found");
    }
    SECTION("missing key") {
        CHECK(load_exit(broken, "bad_missing_title", message) == Exit::invalid_content);
        CHECK(message == dir + "bad_missing_title.yaml:1:1: missing required key 'title' in the "
                               "runbook (and 2 more; run `outage runbook lint` to see all)");
    }
    SECTION("id and file name disagree") {
        CHECK(load_exit(broken, "bad_id_mismatch", message) == Exit::invalid_content);
        CHECK(message == dir + "bad_id_mismatch.yaml:2:5: id 'something-else' does not match "
                               "the file name 'bad_id_mismatch.yaml'");
    }
}
