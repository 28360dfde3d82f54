#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

// The loaders under test read files, as outage does; each fuzz input is written to a file in
// a folder of this process's own, on tmpfs when there is one.
inline std::filesystem::path fuzz_file(const std::string& name, const uint8_t* data, size_t size) {
    static const std::filesystem::path dir = [] {
        std::filesystem::path base = std::filesystem::exists("/dev/shm")
                                         ? "/dev/shm"
                                         : std::filesystem::temp_directory_path();
        auto path = base / ("outage-fuzz-" + std::to_string(::getpid()));
        std::filesystem::create_directories(path);
        return path;
    }();
    auto file = dir / name;
    std::ofstream(file, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    return file;
}
