// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the tests: temporary folders, running programs, fixture
// keys, certificates made by the openssl command line.
#pragma once

#include "certforge/backend.hpp"
#include "certforge/profile.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace certforge::test {

// A fresh folder under the system temp dir, removed with everything in it.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

struct RunResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs a program (searched in PATH) with arguments, no shell, optional
// environment additions and stdin text; collects stdout, stderr, exit code.
RunResult run(const std::vector<std::string>& argv,
              const std::map<std::string, std::string>& env = {}, const std::string& input = {});

// Runs the certforge binary under test. With --json among the arguments,
// a non-empty stdout must be a document valid against its schema in
// docs/schema/ (require_valid_json), whatever the exit code.
RunResult run_certforge(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env = {});

// What tests/support/validate_json.py says of a JSON document: exit 0 and
// nothing when it is valid against docs/schema/NAME.schema.json for its
// "schema" id, else exit 1 and one line per error. Fails the current test,
// naming the package, when python3-jsonschema is missing.
RunResult validate_json(const std::string& document);
// Fails the current test with the validator's message unless `document` is
// valid against its schema.
void require_valid_json(const std::string& document);

// Fails the current test, naming the Debian package, when `tool` is missing.
void require_tool(const std::string& tool, const std::string& package);

// Fails the current test when python3 or its cryptography module is missing
// (naming python3-cryptography): up front, or judged from a python3 run.
void require_python_cryptography();
void require_python_cryptography(const RunResult& result);

// Path of a fixture key made by the openssl CLI (PKCS#8 PEM): "rsa1024",
// "rsa2048", "rsa4096" or "ec256". Made on first use if the ctest fixture has
// not made it.
std::filesystem::path fixture_key(const std::string& name);
PrivateKey fixture_private_key(const std::string& name);

std::string read_text(const std::filesystem::path& path);
// Permission bits of a file (e.g. 0600).
unsigned mode_of(const std::filesystem::path& path);
// The names in a folder, sorted.
std::vector<std::string> listing(const std::filesystem::path& dir);
void write_text(const std::filesystem::path& path, const std::string& text);

// The shipped profiles folder of the source tree.
std::filesystem::path shipped_profiles();
Profile shipped_profile(const std::string& id);

// Makes a certificate with `openssl req -x509` (self-signed) or, with a CA,
// `openssl x509 -req`. `extensions` are -addext lines such as
// "subjectAltName=DNS:a". Returns the PEM file path.
struct OpenSslCert {
    std::string key = "rsa2048";
    std::string subject = "/CN=print.corp.local";
    std::string hash = "sha256";
    int days = 365;
    std::vector<std::string> extensions{
        "subjectAltName=DNS:print.corp.local", "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth", "basicConstraints=critical,CA:FALSE"};
    std::string serial; // empty: random
    bool version1 = false;
    std::filesystem::path ca_cert; // set: signed by this CA (with ca_key) instead of self-signed
    std::string ca_key;            // fixture key name of the CA
};
std::filesystem::path openssl_cert(const TempDir& dir, const std::string& name,
                                   const OpenSslCert& spec);

// DER of the first certificate in a PEM file.
Bytes der_of(const std::filesystem::path& pem);

// What `action` throws, to compare with the exact message: "InputError:
// MESSAGE", "UsageError: MESSAGE", "other exception: MESSAGE" for any other
// std::exception, or "no error" when it throws nothing.
std::string error_of(const std::function<void()>& action);

} // namespace certforge::test

namespace certforge::test {

// Names of the backends this build has, for GENERATE(from_range(...)).
std::vector<std::string> backend_names();

// A program running in the background for the length of a test, ended
// (SIGTERM, then SIGKILL) and reaped when the object goes.
class BackgroundProcess {
public:
    // Its stderr goes to `stderr_file`, or nowhere when that is empty.
    explicit BackgroundProcess(const std::vector<std::string>& argv,
                               const std::filesystem::path& stderr_file = {});
    ~BackgroundProcess();
    BackgroundProcess(const BackgroundProcess&) = delete;
    BackgroundProcess& operator=(const BackgroundProcess&) = delete;
    // The first line the program writes on stdout (waits up to 10 s).
    std::string first_line();
    // Kills the program with SIGKILL at once and reaps it.
    void kill_now();
    // Sends SIGTERM and waits (up to 10 s) for the end; its wait status,
    // -1 when it did not end.
    int terminate();
    // Waits (up to `seconds`) for the program to end by itself; its exit
    // code, -1 when it did not end or was killed by a signal.
    int wait_for_exit(int seconds = 60);

private:
    int pid_ = -1;
    int stdout_fd_ = -1;
};

// A loopback TCP port that nothing listens on right now.
unsigned free_port();
// Waits (up to 10 s) until 127.0.0.1:port accepts connections.
bool wait_for_port(unsigned port);

} // namespace certforge::test
