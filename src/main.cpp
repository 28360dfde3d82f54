#include "outage/cli/commands.hpp"

int main(int argc, char** argv) {
    return outage::cli::run(argc, argv);
}
