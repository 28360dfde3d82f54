#pragma once

#include <filesystem>
#include <string_view>

namespace outage {

// The bundled content folder `kind` ("runbooks", "templates"): <prefix>/share/outage/<kind>
// next to an installed binary, else the source tree the binary was built from.
std::filesystem::path bundled_dir(std::string_view kind);

} // namespace outage
