#include "outage/runbook/cache.hpp"
#include "outage/runbook/catalog.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

using namespace outage;
namespace fs = std::filesystem;

namespace {

const std::string data = OUTAGE_TEST_DATA;

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

mode_t mode_of(const fs::path& path) {
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

// A runbook folder of its own holding a copy of the bundled power-loss runbook, and a cache.
struct CacheFixture {
    TempDir dir;
    RunbookPath path;
    fs::path file;

    CacheFixture() {
        fs::create_directories(dir.path / "runbooks");
        ::chmod(dir.path.c_str(), 0700);
        file = dir.path / "runbooks" / "power-loss.yaml";
        fs::copy_file(runbook_file(runbook_path({}), "power-loss"), file);
        path = runbook_path(dir.path / "runbooks");
        path.cache = dir.path / "cache" / "runbooks";
    }

    fs::path entry() const { return path.cache / (runbook_cache_key(read_text(file)) + ".json"); }

    // Rewrites the stored entry's title, keeping its key: what a load returns then shows
    // whether it came from the cache.
    void tamper_with_entry(mode_t mode) const {
        auto document = nlohmann::json::parse(read_text(entry()));
        document["runbook"]["title"] = "From the cache";
        {
            std::ofstream out(entry(), std::ios::trunc);
            out << document.dump();
        }
        ::chmod(entry().c_str(), mode);
    }
};

} // namespace

TEST_CASE("runbook::cache keeps every field of every runbook") {
    std::vector<fs::path> files;
    for (const auto& id : runbook_ids(runbook_path({})))
        files.push_back(runbook_file(runbook_path({}), id));
    files.push_back(data + "/runbooks/good/lab-flood.yaml");
    files.push_back(data + "/runbooks/user/power-loss.yaml");
    for (const auto& file : files) {
        INFO(file.string());
        std::vector<Problem> problems;
        auto runbook = parse_runbook(file, {}, problems);
        REQUIRE(runbook);
        Runbook back = runbook_from_json(nlohmann::json::parse(runbook_to_json(*runbook).dump()));
        back.file = runbook->file;
        CHECK(back == *runbook);
    }
}

TEST_CASE("runbook::cache serves the same bytes, and only those") {
    CacheFixture f;
    Runbook parsed = load_runbook(f.path, "power-loss");
    SECTION("the first load leaves an owner-only entry") {
        REQUIRE(fs::exists(f.entry()));
        CHECK(mode_of(f.path.cache) == 0700);
        CHECK(mode_of(f.entry()) == 0600);
        CHECK(load_runbook(f.path, "power-loss") == parsed);
    }
    SECTION("a second load reads the entry") {
        f.tamper_with_entry(0600);
        Runbook cached = load_runbook(f.path, "power-loss");
        CHECK(cached.title == "From the cache");
        CHECK(cached.file == f.file);
    }
    SECTION("an edited file never meets the old entry") {
        f.tamper_with_entry(0600);
        std::ofstream(f.file, std::ios::app) << "\n# reviewed again\n";
        CHECK(load_runbook(f.path, "power-loss").title == parsed.title);
    }
    SECTION("an entry others could have written is ignored") {
        f.tamper_with_entry(0666);
        CHECK(load_runbook(f.path, "power-loss").title == parsed.title);
    }
    SECTION("a cache folder others could write is ignored") {
        f.tamper_with_entry(0600);
        ::chmod(f.path.cache.c_str(), 0777);
        CHECK(load_runbook(f.path, "power-loss").title == parsed.title);
    }
    SECTION("a broken entry is ignored") {
        std::ofstream(f.entry(), std::ios::trunc) << R"({"key": "x", "runbook": {"id": 3}})";
        CHECK(load_runbook(f.path, "power-loss") == parsed);
        std::ofstream(f.entry(), std::ios::trunc) << R"({"key": 3, "runbook": null})";
        CHECK(load_runbook(f.path, "power-loss") == parsed);
        std::ofstream(f.entry(), std::ios::trunc) << R"([1, 2])";
        CHECK(load_runbook(f.path, "power-loss") == parsed);
        std::ofstream(f.entry(), std::ios::trunc) << "{\"key\": \"" << f.entry().stem().string()
                                                  << "\", \"runbook\": {\"id\": \"power-loss\"}}";
        CHECK(load_runbook(f.path, "power-loss") == parsed);
    }
    SECTION("a runbook others could change is refused, cached or not") {
        ::chmod(f.file.c_str(), 0666);
        std::string message;
        CHECK(exit_of([&] { load_runbook(f.path, "power-loss"); }, message) ==
              Exit::invalid_content);
        CHECK(message.find("chmod go-w") != std::string::npos);
    }
}
