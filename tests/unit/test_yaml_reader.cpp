#include "outage/io/yaml_reader.hpp"
#include "outage/model/channel_settings.hpp"

#include <catch2/catch.hpp>

using namespace outage;

TEST_CASE("io::YamlReader::one_of") {
    std::vector<Problem> problems;
    auto root = parse_yaml("security: tls\nformat: Notice\n", "config.yaml", problems);
    REQUIRE(root);
    YamlReader reader("config.yaml", problems);

    SECTION("a name of the table gives its value") {
        CHECK(reader.one_of(*root, "security", smtp_security_names) == SmtpSecurity::tls);
        CHECK(problems.empty());
    }
    SECTION("another name is a problem that lists the table, at the value") {
        CHECK_FALSE(reader.one_of(*root, "format", webhook_format_names));
        REQUIRE(problems.size() == 1);
        CHECK(to_string(problems[0]) == "config.yaml:2:9: format is text or notice, not 'Notice'");
    }
    SECTION("an absent key is nothing and no problem") {
        CHECK_FALSE(reader.one_of(*root, "audience", webhook_format_names));
        CHECK(problems.empty());
    }
}
