#include "outage/io/bundled.hpp"

#include <system_error>

namespace outage {

std::filesystem::path bundled_dir(std::string_view kind) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        fs::path installed =
            exe.parent_path().parent_path() / OUTAGE_INSTALL_DATADIR / "outage" / kind;
        if (fs::is_directory(installed, ec))
            return installed;
    }
    return fs::path(OUTAGE_SOURCE_SHARE) / kind;
}

} // namespace outage
