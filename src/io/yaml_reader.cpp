#include "outage/io/yaml_reader.hpp"

#include "outage/io/trust.hpp"
#include "outage/model/incident.hpp"
#include "outage/model/runbook.hpp"
#include "outage/model/text.hpp"
#include "outage/model/time.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <tuple>

namespace outage {
namespace {

// Levenshtein distance, for "did you mean" on a mistyped key.
size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string suggestion(std::string_view key, std::initializer_list<std::string_view> allowed) {
    std::string_view best;
    size_t best_distance = 3;
    for (auto candidate : allowed) {
        size_t distance = edit_distance(key, candidate);
        if (distance < best_distance) {
            best = candidate;
            best_distance = distance;
        }
    }
    return best.empty() ? std::string() : fmt::format(" (did you mean '{}'?)", best);
}

std::string type_name(const YAML::Node& node) {
    switch (node.Type()) {
    case YAML::NodeType::Map:
        return "a mapping";
    case YAML::NodeType::Sequence:
        return "a list";
    case YAML::NodeType::Null:
        return "empty";
    default:
        return "a scalar";
    }
}

} // namespace

std::string to_string(const Problem& problem) {
    return fmt::format("{}:{}:{}: {}", problem.file, problem.line, problem.column, problem.message);
}

void sort_problems(std::vector<Problem>& problems, size_t first) {
    std::stable_sort(problems.begin() + static_cast<std::ptrdiff_t>(first), problems.end(),
                     [](const Problem& a, const Problem& b) {
                         return std::tie(a.line, a.column) < std::tie(b.line, b.column);
                     });
}

bool is_slug(std::string_view text) {
    if (text.empty() || text.size() > 64 || text[0] < 'a' || text[0] > 'z')
        return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

YamlReader::YamlReader(std::filesystem::path file, std::vector<Problem>& problems, int first_line)
    : m_file(std::move(file)), m_problems(problems), m_first_line(first_line) {}

void YamlReader::problem(const YAML::Mark& mark, std::string message) {
    // yaml-cpp counts lines and columns from 0 and marks a null position with -1.
    m_problems.push_back(Problem{m_file.string(), std::max(mark.line, 0) + m_first_line,
                                 std::max(mark.column, 0) + 1, std::move(message)});
}

bool YamlReader::mapping(const YAML::Node& node, std::string_view what,
                         std::initializer_list<std::string_view> allowed,
                         std::initializer_list<std::string_view> required) {
    if (!node.IsMap()) {
        problem(node.Mark(), fmt::format("{} must be a mapping of keys to values, not {}", what,
                                         type_name(node)));
        return false;
    }
    std::vector<std::string> seen;
    for (auto it = node.begin(); it != node.end(); ++it) {
        if (!it->first.IsScalar()) {
            problem(it->first.Mark(), fmt::format("{} has a key that is not a plain name", what));
            continue;
        }
        auto key = it->first.Scalar();
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            problem(it->first.Mark(),
                    fmt::format("unknown key '{}' in {}{}", key, what, suggestion(key, allowed)));
        else if (std::find(seen.begin(), seen.end(), key) != seen.end())
            problem(it->first.Mark(), fmt::format("duplicate key '{}' in {}", key, what));
        seen.push_back(key);
    }
    for (auto key : required)
        if (std::find(seen.begin(), seen.end(), key) == seen.end())
            problem(node.Mark(), fmt::format("missing required key '{}' in {}", key, what));
    return true;
}

std::optional<std::string> YamlReader::string(const YAML::Node& map, const char* key) {
    const YAML::Node node = map[key];
    if (!node)
        return std::nullopt;
    if (!node.IsScalar() || node.Scalar().empty()) {
        problem(node.Mark(), fmt::format("'{}' must be text, not {}", key, type_name(node)));
        return std::nullopt;
    }
    return node.Scalar();
}

std::optional<std::string> YamlReader::slug(const YAML::Node& map, const char* key) {
    auto text = string(map, key);
    if (text && !is_slug(*text)) {
        problem(map[key].Mark(),
                fmt::format("'{}' must be a lowercase name of letters, digits, '-' and '_' "
                            "starting with a letter, not '{}'",
                            key, *text));
        return std::nullopt;
    }
    return text;
}

std::optional<std::chrono::seconds> YamlReader::duration(const YAML::Node& map, const char* key) {
    auto text = string(map, key);
    if (!text)
        return std::nullopt;
    auto span = parse_duration(*text);
    if (!span || span->count() == 0) {
        problem(map[key].Mark(),
                fmt::format("'{}' must be a duration such as 30m, 4h or 3d, not '{}'", key, *text));
        return std::nullopt;
    }
    return span;
}

std::optional<long long> YamlReader::integer(const YAML::Node& map, const char* key,
                                             long long min) {
    const YAML::Node node = map[key];
    if (!node)
        return std::nullopt;
    long long value = 0;
    if (!node.IsScalar() || !YAML::convert<long long>::decode(node, value) || value < min) {
        problem(node.Mark(), fmt::format("'{}' must be a whole number of at least {}", key, min));
        return std::nullopt;
    }
    return value;
}

std::optional<double> YamlReader::number(const YAML::Node& map, const char* key) {
    const YAML::Node node = map[key];
    if (!node)
        return std::nullopt;
    double value = 0;
    if (!node.IsScalar() || !YAML::convert<double>::decode(node, value) || value != value) {
        problem(node.Mark(), fmt::format("'{}' must be a number", key));
        return std::nullopt;
    }
    return value;
}

std::optional<bool> YamlReader::boolean(const YAML::Node& map, const char* key) {
    const YAML::Node node = map[key];
    if (!node)
        return std::nullopt;
    bool value = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, value)) {
        problem(node.Mark(), fmt::format("'{}' must be true or false", key));
        return std::nullopt;
    }
    return value;
}

std::optional<std::string> YamlReader::severity(const YAML::Node& map, const char* key) {
    auto text = string(map, key);
    if (text && severity_rank(*text) == 0) {
        problem(map[key].Mark(), fmt::format("unknown severity level '{}' (levels: {})", *text,
                                             fmt::join(severity_levels, ", ")));
        return std::nullopt;
    }
    return text;
}

std::vector<YAML::Node> YamlReader::sequence(const YAML::Node& map, const char* key) {
    const YAML::Node node = map[key];
    if (!node)
        return {};
    if (!node.IsSequence()) {
        problem(node.Mark(), fmt::format("'{}' must be a list, not {}", key, type_name(node)));
        return {};
    }
    return {node.begin(), node.end()};
}

std::vector<std::string> YamlReader::strings(const YAML::Node& map, const char* key) {
    std::vector<std::string> result;
    for (const auto& item : sequence(map, key)) {
        if (item.IsScalar() && !item.Scalar().empty())
            result.push_back(item.Scalar());
        else
            problem(item.Mark(), fmt::format("each item of '{}' must be text", key));
    }
    return result;
}

void YamlReader::unique(Seen& seen, const std::string& id, const YAML::Mark& mark,
                        std::string_view what) {
    for (const auto& [other, other_mark] : seen)
        if (other == id) {
            problem(mark, fmt::format("duplicate {} '{}' (first at line {})", what, id,
                                      other_mark.line + 1));
            return;
        }
    seen.emplace_back(id, mark);
}

std::string YamlReader::unique_slug(const YAML::Node& map, const char* key, Seen& seen,
                                    std::string_view what) {
    std::string id = slug(map, key).value_or("");
    if (!id.empty())
        unique(seen, id, map[key].Mark(), what);
    return id;
}

std::optional<std::string> read_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::optional<YAML::Node> parse_yaml(const std::string& text, const std::filesystem::path& file,
                                     std::vector<Problem>& problems, int first_line) {
    try {
        return YAML::Load(text);
    } catch (const YAML::Exception& e) {
        YamlReader(file, problems, first_line).problem(e.mark, e.msg);
        return std::nullopt;
    }
}

std::optional<std::string> unfit_input_file(const std::filesystem::path& file) {
    if (auto untrusted = untrusted_input(file))
        return untrusted;
    std::error_code ec;
    auto size = std::filesystem::file_size(file, ec);
    if (!ec && size > max_input_file_size)
        return fmt::format("the file is {} bytes; runbooks, templates and config files are at "
                           "most {} bytes",
                           size, max_input_file_size);
    return std::nullopt;
}

std::optional<YAML::Node> load_yaml(const std::filesystem::path& file,
                                    std::vector<Problem>& problems) {
    auto fail = [&](std::string message) {
        problems.push_back(Problem{file.string(), 1, 1, std::move(message)});
        return std::nullopt;
    };
    if (auto unfit = unfit_input_file(file))
        return fail(*unfit);
    auto text = read_file(file);
    if (!text)
        return fail("cannot read the file");
    if (!is_valid_utf8(*text))
        return fail("the file is not valid UTF-8");
    return parse_yaml(*text, file, problems);
}

} // namespace outage
