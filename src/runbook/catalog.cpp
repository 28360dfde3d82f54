#include "outage/runbook/catalog.hpp"

#include "outage/core/bundled.hpp"
#include "outage/core/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <set>

namespace outage {
namespace {

namespace fs = std::filesystem;

// severity.yaml sits beside the runbooks but defines the levels, not a scenario.
bool is_runbook_file(const fs::directory_entry& entry) {
    return entry.is_regular_file() && entry.path().extension() == ".yaml" &&
           entry.path().stem() != "severity";
}

std::string position(const fs::path& file, const YAML::Mark& mark) {
    // yaml-cpp counts from 0; editors count from 1.
    return fmt::format("{}:{}:{}", file.string(), mark.line + 1, mark.column + 1);
}

std::string required_string(const YAML::Node& root, const char* key, const fs::path& file) {
    const YAML::Node& node = root[key];
    if (!node)
        throw Error(Exit::invalid_content,
                    fmt::format("{}: missing required key '{}'", position(file, root.Mark()), key));
    if (!node.IsScalar())
        throw Error(Exit::invalid_content,
                    fmt::format("{}: '{}' must be a string", position(file, node.Mark()), key));
    return node.as<std::string>();
}

} // namespace

RunbookPath runbook_path(const fs::path& user_dir) {
    RunbookPath path;
    if (!user_dir.empty())
        path.dirs.push_back(user_dir);
    path.dirs.push_back(bundled_dir("runbooks"));
    return path;
}

std::vector<std::string> runbook_ids(const RunbookPath& path) {
    std::set<std::string> ids;
    for (const auto& dir : path.dirs) {
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(dir, ec))
            if (is_runbook_file(entry))
                ids.insert(entry.path().stem().string());
    }
    return {ids.begin(), ids.end()};
}

RunbookSummary load_runbook_summary(const RunbookPath& path, const std::string& id) {
    auto known = runbook_ids(path);
    if (std::find(known.begin(), known.end(), id) == known.end())
        throw Error(Exit::not_found,
                    fmt::format("unknown scenario '{}' (known: {})", id, fmt::join(known, ", ")));
    fs::path file;
    for (const auto& dir : path.dirs) {
        std::error_code ec;
        if (fs::is_regular_file(dir / (id + ".yaml"), ec)) {
            file = dir / (id + ".yaml");
            break;
        }
    }
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        throw Error(Exit::runtime, fmt::format("{}: cannot read the file", file.string()));
    } catch (const YAML::Exception& e) {
        throw Error(Exit::invalid_content, fmt::format("{}: {}", position(file, e.mark), e.msg));
    }
    if (!root.IsMap())
        throw Error(Exit::invalid_content,
                    fmt::format("{}: a runbook must be a mapping of keys to values",
                                position(file, root.Mark())));
    RunbookSummary summary;
    summary.file = file;
    summary.id = required_string(root, "id", file);
    summary.title = required_string(root, "title", file);
    summary.description = required_string(root, "description", file);
    if (summary.id != id)
        throw Error(Exit::invalid_content,
                    fmt::format("{}: id '{}' does not match the file name '{}.yaml'",
                                position(file, root["id"].Mark()), summary.id, id));
    return summary;
}

} // namespace outage
