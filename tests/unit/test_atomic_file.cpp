#include "outage/io/atomic_file.hpp"
#include "outage/io/folders.hpp"
#include "outage/io/yaml_reader.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sys/stat.h>
#include <unistd.h>

using namespace outage;
namespace fs = std::filesystem;

namespace {

mode_t mode_of(const fs::path& path) {
    struct stat info {};
    REQUIRE(::lstat(path.c_str(), &info) == 0);
    return info.st_mode & 07777;
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

// Sets the umask for one test and puts the old one back.
struct Umask {
    mode_t old;
    explicit Umask(mode_t mask) : old(::umask(mask)) {}
    ~Umask() { ::umask(old); }
};

} // namespace

TEST_CASE("io::write_file_atomically") {
    TempDir dir;
    fs::path file = dir.path / "report.html";

    SECTION("the mode asked for, whatever the umask") {
        Umask everything_allowed(0);
        write_file_atomically(file, "private", 0600);
        CHECK(mode_of(file) == 0600);
        CHECK(*read_file(file) == "private");
        Umask nothing_allowed(0777);
        write_file_atomically(file, "public", 0644);
        CHECK(mode_of(file) == 0644);
        CHECK(*read_file(file) == "public");
        CHECK(names_in(dir.path) == std::vector<std::string>{"report.html"});
    }
    SECTION("the temporary name carries the pid and 64 random bits") {
        fs::path a = write_temp_file(file, "a", 0600, dir.path, Sync::none);
        fs::path b = write_temp_file(file, "b", 0600, dir.path, Sync::none);
        std::regex pattern(fmt::format(R"(\.report\.html\.{}\.[0-9a-f]{{16}}\.tmp)", ::getpid()));
        CHECK(std::regex_match(a.filename().string(), pattern));
        CHECK(std::regex_match(b.filename().string(), pattern));
        CHECK(a != b);
        rename_into_place(b, file);
        CHECK(*read_file(file) == "b");
        fs::remove(a);
    }
    SECTION("a symlink planted at the old predictable temporary name is not followed") {
        fs::path victim = dir.path / "victim";
        { std::ofstream(victim) << "keep me"; }
        fs::path planted = dir.path / fmt::format(".report.html.tmp{}", ::getpid());
        fs::create_symlink(victim, planted);
        write_file_atomically(file, "report", 0600);
        CHECK(*read_file(victim) == "keep me");
        CHECK(fs::is_symlink(planted));
        CHECK(*read_file(file) == "report");
    }
    SECTION("a symlink at the target is replaced, and what it points to left alone") {
        fs::path victim = dir.path / "victim";
        { std::ofstream(victim) << "keep me"; }
        fs::create_symlink(victim, file);
        write_file_atomically(file, "report", 0600);
        CHECK_FALSE(fs::is_symlink(file));
        CHECK(*read_file(file) == "report");
        CHECK(*read_file(victim) == "keep me");
    }
    SECTION("a failed write names the file and leaves nothing behind") {
        std::string message;
        CHECK(exit_of([&] { write_file_atomically(dir.path / "no" / "such", "x", 0600); },
                      message) == Exit::runtime);
        CHECK(message ==
              fmt::format("cannot write {}/no/such: No such file or directory", dir.path.string()));
        fs::create_directory(file);
        CHECK(exit_of([&] { write_file_atomically(file, "x", 0600); }, message) == Exit::runtime);
        CHECK(message == fmt::format("cannot write {}: Is a directory", file.string()));
        CHECK(names_in(dir.path) == std::vector<std::string>{"report.html"});
    }
    SECTION("a target name too long for a temporary name of its own still works") {
        fs::path long_name = dir.path / (std::string(250, 'n') + ".eml");
        write_file_atomically(long_name, "x", 0600);
        CHECK(*read_file(long_name) == "x");
    }
    SECTION("sync_folder and sync_file_system name what they could not open") {
        sync_folder(dir.path);
        sync_file_system(dir.path);
        std::string message;
        CHECK(exit_of([&] { sync_folder(dir.path / "gone"); }, message) == Exit::runtime);
        CHECK(message ==
              fmt::format("cannot write {}/gone: No such file or directory", dir.path.string()));
    }
}

TEST_CASE("io::remove_abandoned_temp_files") {
    TempDir dir;
    // A pid no process has: pid_max is at most 2^22.
    const std::string gone = "4194305";
    const std::string running = std::to_string(::getpid());
    std::vector<std::string> names = {
        ".a.eml." + gone + ".0123456789abcdef.tmp", // a killed writer's
        ".a.eml.tmp" + gone,                        // a killed earlier outage's
        ".a.eml." + running + ".0123456789abcdef.tmp",
        ".a.eml.tmp" + running,
        ".a.eml." + gone + ".0123456789ABCDEF.tmp", // not a name outage makes
        ".a.eml." + gone + ".tmp",
        "a.eml." + gone + ".0123456789abcdef.tmp",
        "message.eml",
    };
    for (const auto& name : names)
        std::ofstream(dir.path / name) << "x";
    remove_abandoned_temp_files(dir.path);
    std::vector<std::string> left(names.begin() + 2, names.end());
    std::sort(left.begin(), left.end());
    CHECK(names_in(dir.path) == left);
}

TEST_CASE("io::ensure_folder") {
    TempDir dir;
    Umask everything_allowed(0);
    SECTION("each folder it makes gets the mode asked for") {
        ensure_folder(dir.path / "site" / "api" / "v2", 0755);
        CHECK(mode_of(dir.path / "site") == 0755);
        CHECK(mode_of(dir.path / "site" / "api") == 0755);
        CHECK(mode_of(dir.path / "site" / "api" / "v2") == 0755);
        ensure_folder(dir.path / "cache" / "runbooks", 0700);
        CHECK(mode_of(dir.path / "cache") == 0700);
        CHECK(mode_of(dir.path / "cache" / "runbooks") == 0700);
    }
    SECTION("an existing folder is left as it is") {
        fs::create_directory(dir.path / "mine");
        fs::permissions(dir.path / "mine", fs::perms(0750));
        ensure_folder(dir.path / "mine", 0700);
        CHECK(mode_of(dir.path / "mine") == 0750);
    }
    SECTION("a file where the folder should be is refused") {
        std::ofstream(dir.path / "file") << "x";
        std::string message;
        CHECK(exit_of([&] { ensure_folder(dir.path / "file", 0700); }, message) == Exit::runtime);
        CHECK(message == fmt::format("{}/file is not a folder", dir.path.string()));
        CHECK(exit_of([&] { ensure_folder(dir.path / "file" / "sub", 0700); }, message) ==
              Exit::runtime);
        CHECK(message ==
              fmt::format("cannot create {}/file/sub: Not a directory", dir.path.string()));
    }
}

TEST_CASE("io::refuse_if_others_may_write") {
    TempDir dir;
    fs::permissions(dir.path, fs::perms(0755));
    fs::path outbox = dir.path / "outbox";
    fs::create_directory(outbox);
    std::string message;
    auto refused = [&](StickyFolder sticky) {
        return exit_of([&] { refuse_if_others_may_write(outbox, "the outbox", sticky); }, message);
    };
    SECTION("a folder only the user and root may write is fine") {
        fs::permissions(outbox, fs::perms(0700));
        CHECK(refused(StickyFolder::refused) == Exit::ok);
        fs::permissions(outbox, fs::perms(0755));
        CHECK(refused(StickyFolder::refused) == Exit::ok);
    }
    SECTION("a folder others may write is refused in one line") {
        fs::permissions(outbox, fs::perms(0777));
        CHECK(refused(StickyFolder::refused) == Exit::runtime);
        CHECK(message == fmt::format("cannot use {0} as the outbox: the folder {0} is writable by "
                                     "its group and others (mode 0777), so someone else on this "
                                     "machine could add, replace or remove files there: chmod "
                                     "go-w {0}",
                                     outbox.string()));
    }
    SECTION("so is one whose parent others may write") {
        fs::permissions(dir.path, fs::perms(0775));
        CHECK(refused(StickyFolder::refused) == Exit::runtime);
        CHECK(message.find(fmt::format("the folder {} above it is writable by its group",
                                       dir.path.string())) != std::string::npos);
    }
    SECTION("a sticky folder: fine for a file of our own, not as an outbox") {
        fs::permissions(outbox, fs::perms(01777));
        CHECK(refused(StickyFolder::refused) == Exit::runtime);
        CHECK(refused(StickyFolder::accepted) == Exit::ok);
    }
    SECTION("a folder still to be made is judged by the folder that will hold it") {
        outbox = dir.path / "outbox" / "new" / "newer";
        CHECK(refused(StickyFolder::refused) == Exit::ok);
        fs::permissions(dir.path / "outbox", fs::perms(01777));
        CHECK(refused(StickyFolder::refused) == Exit::ok);
        fs::permissions(dir.path / "outbox", fs::perms(0777));
        CHECK(refused(StickyFolder::refused) == Exit::runtime);
        CHECK(message.find(fmt::format("the folder {}/outbox above it is writable",
                                       dir.path.string())) != std::string::npos);
    }
}
