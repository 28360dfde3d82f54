#include "outage/io/trust.hpp"
#include "support.hpp"

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>
#include <sys/stat.h>

using namespace outage;

namespace {

constexpr uid_t me = 1000;
constexpr uid_t someone_else = 1001;
constexpr uid_t root = 0;

EntryFacts file(uid_t owner, mode_t permissions) {
    return {.path = "/srv/runbooks/power-loss.yaml", .owner = owner, .mode = S_IFREG | permissions};
}

EntryFacts folder(uid_t owner, mode_t permissions) {
    return {.path = "/srv/runbooks", .owner = owner, .mode = S_IFDIR | permissions};
}

std::string reason(const std::optional<Distrust>& found) {
    REQUIRE(found);
    return found->reason + " | " + found->fix;
}

} // namespace

TEST_CASE("io::distrust") {
    SECTION("owned by the user or root and writable by neither group nor others: trusted") {
        CHECK_FALSE(distrust(file(me, 0644), EntryRole::file, me, std::nullopt));
        CHECK_FALSE(distrust(file(root, 0444), EntryRole::file, me, std::nullopt));
        CHECK_FALSE(distrust(folder(root, 0755), EntryRole::above, me, me));
        CHECK_FALSE(distrust(folder(me, 0700), EntryRole::folder, me, std::nullopt));
    }
    SECTION("owned by someone else: refused, whatever the mode") {
        CHECK(reason(distrust(file(someone_else, 0644), EntryRole::file, me, std::nullopt)) ==
              "the file is owned by uid 1001, not by you (uid 1000) or root | keep it in a "
              "folder you own, or have root own /srv/runbooks/power-loss.yaml");
        CHECK(reason(distrust(folder(someone_else, 0755), EntryRole::above, me, me)) ==
              "the folder /srv/runbooks above it is owned by uid 1001, not by you (uid 1000) or "
              "root | keep it in a folder you own, or have root own /srv/runbooks");
        // A sticky folder of someone else's is no better: its owner may remove anything.
        CHECK(distrust(folder(someone_else, 01777), EntryRole::above, me, me));
    }
    SECTION("writable by group or others: refused, naming who and the mode") {
        CHECK(reason(distrust(file(me, 0664), EntryRole::file, me, std::nullopt)) ==
              "the file is writable by its group (mode 0664) | chmod go-w "
              "/srv/runbooks/power-loss.yaml");
        CHECK(reason(distrust(file(me, 0646), EntryRole::file, me, std::nullopt)) ==
              "the file is writable by others (mode 0646) | chmod go-w "
              "/srv/runbooks/power-loss.yaml");
        CHECK(reason(distrust(folder(root, 0777), EntryRole::folder, me, std::nullopt)) ==
              "the folder /srv/runbooks is writable by its group and others (mode 0777) | chmod "
              "go-w /srv/runbooks");
        CHECK(reason(distrust(folder(me, 0775), EntryRole::above, me, me)) ==
              "the folder /srv/runbooks above it is writable by its group (mode 0775) | chmod "
              "go-w /srv/runbooks");
    }
    SECTION("a sticky folder is fine above an entry the user or root owns") {
        CHECK_FALSE(distrust(folder(root, 01777), EntryRole::above, me, me));
        CHECK_FALSE(distrust(folder(root, 01777), EntryRole::above, me, root));
        CHECK_FALSE(distrust(folder(me, 01770), EntryRole::above, me, me));
        // ... not above someone else's entry, which they may rename away and replace,
        CHECK(reason(distrust(folder(root, 01777), EntryRole::above, me, someone_else)) ==
              "the folder /srv/runbooks above it is writable by its group and others (mode "
              "1777) | chmod go-w /srv/runbooks");
        // nor as the thing checked itself (an outbox others may add files to),
        CHECK(distrust(folder(root, 01777), EntryRole::folder, me, std::nullopt));
        // and the sticky bit means nothing on a file.
        CHECK(distrust(file(me, 01666), EntryRole::file, me, me));
    }
    SECTION("root is trusted like the user; for root, only root") {
        CHECK_FALSE(distrust(file(root, 0644), EntryRole::file, root, std::nullopt));
        CHECK(distrust(file(someone_else, 0644), EntryRole::file, root, std::nullopt));
    }
}

TEST_CASE("io::untrusted_input walks every folder above, symlinks resolved") {
    TempDir dir;
    namespace fs = std::filesystem;
    fs::path runbooks = dir.path / "runbooks";
    fs::create_directory(runbooks);
    fs::permissions(runbooks, fs::perms(0755));
    fs::path runbook = runbooks / "power-loss.yaml";
    { std::ofstream(runbook) << "version: 1\n"; }
    fs::permissions(runbook, fs::perms(0644));
    fs::permissions(dir.path, fs::perms(0755));

    SECTION("a file the user owns in folders only the user and root may write: fine") {
        CHECK_FALSE(untrusted_input(runbook));
    }
    SECTION("a missing file is the reader's to report") {
        CHECK_FALSE(untrusted_input(runbooks / "missing.yaml"));
    }
    SECTION("a group-writable folder two levels up") {
        fs::permissions(dir.path, fs::perms(0775));
        auto found = untrusted_input(runbook);
        REQUIRE(found);
        CHECK(*found == fmt::format("the folder {} above it is writable by its group (mode 0775), "
                                    "so someone else on this machine could change what outage "
                                    "does or says: chmod go-w {}",
                                    dir.path.string(), dir.path.string()));
    }
    SECTION("a sticky world-writable folder above a 0755 folder") {
        fs::permissions(dir.path, fs::perms(01777));
        CHECK_FALSE(untrusted_input(runbook));
    }
    SECTION("through a symlink: the target's folders are checked, not the link's") {
        fs::path elsewhere = dir.path / "shared";
        fs::create_directory(elsewhere);
        fs::permissions(elsewhere, fs::perms(0777));
        fs::path link = elsewhere / "link.yaml";
        fs::create_symlink(runbook, link);
        CHECK_FALSE(untrusted_input(link));
        fs::permissions(runbooks, fs::perms(0777));
        auto found = untrusted_input(link);
        REQUIRE(found);
        CHECK(found->starts_with(
            fmt::format("the folder {} above it is writable", runbooks.string())));
    }
}
