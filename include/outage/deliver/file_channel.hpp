#pragma once

#include "outage/deliver/channel.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace outage {

// Writes each message as a file in `outbox`: "<stem>.eml" (an RFC 5322 message from `from`)
// for a recipient with an address, "<stem>.txt" otherwise.
std::unique_ptr<Channel> make_file_channel(const std::filesystem::path& outbox,
                                           const std::string& from);

} // namespace outage
