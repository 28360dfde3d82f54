#pragma once

#include "outage/model/names.hpp"

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outage {

// One thing wrong in a runbook, template, severity or config file, at a 1-based position.
struct Problem {
    std::string file;
    int line = 0;
    int column = 0;
    std::string message;
};

// "file:line:column: message"
std::string to_string(const Problem& problem);

// Reads values out of a YAML document while collecting every problem instead of stopping at
// the first: each accessor reports what is wrong at the node's position and returns nothing.
class YamlReader {
  public:
    // `first_line` is the file line of the document's first line (a front matter block
    // starts below its opening ---).
    YamlReader(std::filesystem::path file, std::vector<Problem>& problems, int first_line = 1);

    // Adds a problem at a yaml-cpp mark (0-based; reported 1-based).
    void problem(const YAML::Mark& mark, std::string message);
    const std::filesystem::path& file() const { return m_file; }

    // Checks that `node` is a mapping whose keys are all in `allowed` and appear once; reports
    // each missing key of `required`. Returns false when it is not a mapping at all.
    bool mapping(const YAML::Node& node, std::string_view what,
                 std::initializer_list<std::string_view> allowed,
                 std::initializer_list<std::string_view> required = {});

    // Accessors for optional keys: absent gives nothing without a problem. Required keys are
    // reported missing by mapping().
    std::optional<std::string> string(const YAML::Node& map, const char* key);
    std::optional<std::string> slug(const YAML::Node& map, const char* key);
    std::optional<std::chrono::seconds> duration(const YAML::Node& map, const char* key);
    std::optional<long long> integer(const YAML::Node& map, const char* key, long long min);
    std::optional<double> number(const YAML::Node& map, const char* key);
    std::optional<bool> boolean(const YAML::Node& map, const char* key);
    std::optional<std::string> severity(const YAML::Node& map, const char* key);
    // One of the table's names, reported as "KEY is a, b or c, not 'x'" otherwise.
    template <typename Enum, std::size_t N>
    std::optional<Enum> one_of(const YAML::Node& map, const char* key,
                               const NameTable<Enum, N>& names) {
        auto text = string(map, key);
        if (!text)
            return std::nullopt;
        auto value = names.parse(*text);
        if (!value)
            problem(map[key].Mark(),
                    std::string(key) + " is " + names.alternatives() + ", not '" + *text + "'");
        return value;
    }
    // The items of a sequence under `key` (empty when absent or not a sequence).
    std::vector<YAML::Node> sequence(const YAML::Node& map, const char* key);
    std::vector<std::string> strings(const YAML::Node& map, const char* key);

    using Seen = std::vector<std::pair<std::string, YAML::Mark>>;

    // Reports a second use of an id within one list.
    void unique(Seen& seen, const std::string& id, const YAML::Mark& mark, std::string_view what);

    // The slug under `key`, reported as a duplicate `what` when `seen` already has it;
    // empty when missing or invalid.
    std::string unique_slug(const YAML::Node& map, const char* key, Seen& seen,
                            std::string_view what);

  private:
    std::filesystem::path m_file;
    std::vector<Problem>& m_problems;
    int m_first_line;
};

// Loads a YAML file, reporting a syntax error as a problem. Returns nothing when unreadable.
std::optional<YAML::Node> load_yaml(const std::filesystem::path& file,
                                    std::vector<Problem>& problems);

// Parses YAML text that starts at line `first_line` of `file`, reporting a syntax error.
std::optional<YAML::Node> parse_yaml(const std::string& text, const std::filesystem::path& file,
                                     std::vector<Problem>& problems, int first_line = 1);

// Reads a whole file; nothing when it cannot be read.
std::optional<std::string> read_file(const std::filesystem::path& file);

// Runbooks, templates and config files are small, and decide what outage tells people.
inline constexpr std::uintmax_t max_input_file_size = 1024 * 1024;

// Why `file` must not be read: someone else on this machine could change it
// (untrusted_input, io/trust.hpp), or it is larger than max_input_file_size. Nothing when it
// is fine.
std::optional<std::string> unfit_input_file(const std::filesystem::path& file);

// Puts problems[first..] in file order (line, then column); checks find some problems, such
// as cross-references, after others further down.
void sort_problems(std::vector<Problem>& problems, size_t first);

// True for lowercase letters, digits, '-' and '_', starting with a letter.
bool is_slug(std::string_view text);

} // namespace outage
