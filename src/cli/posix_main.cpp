// SPDX-License-Identifier: Apache-2.0
// The entry point on POSIX: arguments are bytes, passed on as they are.
#include "cli_support.hpp"

int main(int argc, char** argv) {
    return certforge::cli::run(argc, argv);
}
