#pragma once

// The runbook parser's parts, shared by load.cpp and parse_questions.cpp; not a public header.

#include "outage/io/yaml_reader.hpp"
#include "outage/runbook/load.hpp"

#include <nlohmann/json.hpp>

#include <optional>

namespace outage {

// Reads runbook files; every parse_* reports its own problems and returns what it could read.
class RunbookParser {
  public:
    RunbookParser(YamlReader& reader, const TemplateExists& template_exists)
        : r(reader), m_template_exists(template_exists) {}

    void parse(const YAML::Node& root, Runbook& runbook);

  private:
    using Seen = YamlReader::Seen;

    void parse_questions(const YAML::Node& root, Runbook& runbook);
    std::optional<Condition> parse_condition(const YAML::Node& node, const Runbook& runbook,
                                             int depth);
    std::optional<nlohmann::json> answer_value(const YAML::Node& node, const Question& question);
    std::optional<Condition> parse_when(const YAML::Node& map, const Runbook& runbook);
    void parse_severity_rules(const YAML::Node& root, Runbook& runbook);
    void parse_intervals(const YAML::Node& root, Runbook& runbook);
    void parse_steps(const YAML::Node& root, Runbook& runbook);
    void parse_communications(const YAML::Node& root, Runbook& runbook);
    void parse_workarounds(const YAML::Node& root, Runbook& runbook);
    void parse_deadlines(const YAML::Node& root, Runbook& runbook);
    std::optional<std::string> parse_met_by(const YAML::Node& deadline, const Runbook& runbook);

    YamlReader& r;
    const TemplateExists& m_template_exists;
};

} // namespace outage
