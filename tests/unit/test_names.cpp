#include "outage/model/incident.hpp"
#include "outage/model/runbook.hpp"
#include "outage/store/schema.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

using namespace outage;

TEST_CASE("store::schema CHECK lists are the enums' name tables") {
    // A value added to an enum must come with a migration: the released CHECK lists stay.
    std::string v1(migration_sql(1));
    auto checks = [&](const std::string& column, const std::string& list) {
        INFO(column);
        CHECK(v1.find(fmt::format("{} IN ({})", column, list)) != std::string::npos);
    };
    checks("status", status_names.sql_list());
    checks("phase", phase_names.sql_list());
    checks("recurrence", recurrence_names.sql_list());
    checks("state", step_state_names.sql_list());
    checks("state", delivery_state_names.sql_list());
    checks("severity", fmt::format("'{}'", fmt::join(severity_levels, "', '")));
    CHECK_THROWS(migration_sql(schema_version + 1));
}

TEST_CASE("model::NameTable") {
    CHECK(phase_names.name(Phase::identified) == "identified");
    CHECK(phase_names.parse("monitoring") == Phase::monitoring);
    CHECK_FALSE(phase_names.parse("Monitoring"));
    CHECK(recurrence_names.names() == std::vector<std::string>{"likely", "unlikely", "unknown"});
    CHECK(recurrence_names.joined() == "likely, unlikely, unknown");
    CHECK(recurrence_names.alternatives() == "likely, unlikely or unknown");
    CHECK(status_names.alternatives() == "open or closed");
    CHECK(status_names.sql_list() == "'open', 'closed'");
}
