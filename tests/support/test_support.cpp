// SPDX-License-Identifier: Apache-2.0
#include "support/test_support.hpp"

#include "certforge/errors.hpp"
#include "certforge/pem.hpp"
#include "certforge/profile_catalog.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace certforge::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
    std::random_device device;
    path_ =
        fs::temp_directory_path() / fmt::format("certforge-test-{:08x}{:08x}", device(), device());
    fs::create_directories(path_);
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
              const std::string& input) {
    TempDir io;
    const fs::path out_path = io / "stdout";
    const fs::path err_path = io / "stderr";
    const fs::path in_path = io / "stdin";
    write_text(in_path, input);

    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        const int in_fd = ::open(in_path.c_str(), O_RDONLY);
        const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in_fd < 0 || out_fd < 0 || err_fd < 0) {
            ::_exit(126);
        }
        ::dup2(in_fd, 0);
        ::dup2(out_fd, 1);
        ::dup2(err_fd, 2);
        for (const auto& [name, value] : env) {
            if (value.empty()) {
                ::unsetenv(name.c_str());
            } else {
                ::setenv(name.c_str(), value.c_str(), 1);
            }
        }
        std::vector<char*> args;
        for (const auto& arg : argv) {
            args.push_back(const_cast<char*>(arg.c_str()));
        }
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
    }
    RunResult result;
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.out = read_text(out_path);
    result.err = read_text(err_path);
    return result;
}

RunResult run_certforge(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env) {
    std::vector<std::string> argv{CERTFORGE_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    auto full_env = env;
    full_env.emplace("CERTFORGE_PROFILE_PATH", "");
    RunResult result = run(argv, full_env);
    if (std::find(args.begin(), args.end(), "--json") != args.end() && !result.out.empty()) {
        require_valid_json(result.out);
    }
    return result;
}

RunResult validate_json(const std::string& document) {
    require_tool("/usr/bin/python3", "python3");
    RunResult result =
        run({"/usr/bin/python3",
             std::string(CERTFORGE_SOURCE_DIR) + "/tests/support/validate_json.py", "-"},
            {}, document);
    if (result.err.find("python3-jsonschema is missing") != std::string::npos) {
        FAIL("python3-jsonschema is missing: apt-get install python3-jsonschema");
    }
    return result;
}

void require_valid_json(const std::string& document) {
    const RunResult result = validate_json(document);
    if (result.exit_code != 0) {
        FAIL("the JSON document does not fit its schema (tests/support/validate_json.py):\n"
             << result.out << result.err << "in:\n"
             << document);
    }
}

void require_tool(const std::string& tool, const std::string& package) {
    const auto result = run({"sh", "-c", "command -v \"$0\"", tool});
    if (result.exit_code != 0) {
        FAIL(fmt::format("'{}' is not installed: apt-get install {}", tool, package));
    }
}

void require_python_cryptography(const RunResult& result) {
    if (result.err.find("No module named 'cryptography'") != std::string::npos) {
        FAIL("python3-cryptography is missing: apt-get install python3-cryptography");
    }
}

void require_python_cryptography() {
    require_tool("/usr/bin/python3", "python3");
    require_python_cryptography(run({"/usr/bin/python3", "-c", "import cryptography"}));
}

fs::path fixture_key(const std::string& name) {
    const fs::path dir = CERTFORGE_TEST_FIXTURES_DIR;
    const fs::path key = dir / (name + ".pem");
    if (!fs::exists(key)) {
        require_tool("openssl", "openssl");
        const auto result =
            run({"bash", std::string(CERTFORGE_SOURCE_DIR) + "/tests/support/make_fixture_keys.sh",
                 dir.string()});
        REQUIRE(result.exit_code == 0);
    }
    REQUIRE(fs::exists(key));
    return key;
}

PrivateKey fixture_private_key(const std::string& name) {
    const fs::path path = fixture_key(name);
    return PrivateKey(pem_decode_secret(read_text(path), "PRIVATE KEY", path.string()));
}

fs::path shipped_profiles() {
    return fs::path(CERTFORGE_SOURCE_DIR) / "profiles";
}

Profile shipped_profile(const std::string& id) {
    return ProfileCatalog({shipped_profiles()}).load(id);
}

fs::path openssl_cert(const TempDir& dir, const std::string& name, const OpenSslCert& spec) {
    require_tool("openssl", "openssl");
    const fs::path config = dir / (name + ".cnf");
    std::string config_text = "[req]\ndistinguished_name = dn\n[dn]\n[ext]\n";
    for (const auto& line : spec.extensions) {
        config_text += line + "\n";
    }
    write_text(config, config_text);
    const fs::path cert = dir / (name + ".crt");
    const std::string key = fixture_key(spec.key).string();
    const std::string days = std::to_string(spec.days);
    const std::string hash = "-" + spec.hash;

    RunResult result;
    if (!spec.version1 && spec.ca_cert.empty()) {
        std::vector<std::string> argv{"openssl", "req",  "-x509", "-new",  "-config",
                                      config,    "-key", key,     "-subj", spec.subject,
                                      "-days",   days,   hash,    "-out",  cert};
        for (const auto& line : spec.extensions) {
            argv.push_back("-addext");
            argv.push_back(line);
        }
        if (!spec.serial.empty()) {
            argv.push_back("-set_serial");
            argv.push_back(spec.serial);
        }
        result = run(argv);
    } else {
        const fs::path csr = dir / (name + ".csr");
        result = run({"openssl", "req", "-new", "-config", config, "-key", key, "-subj",
                      spec.subject, "-out", csr});
        REQUIRE(result.exit_code == 0);
        std::vector<std::string> argv{"openssl", "x509", "-req", "-in",  csr,
                                      "-days",   days,   hash,   "-out", cert};
        if (spec.ca_cert.empty()) {
            argv.insert(argv.end(), {"-signkey", key});
        } else {
            argv.insert(argv.end(), {"-CA", spec.ca_cert.string(), "-CAkey",
                                     fixture_key(spec.ca_key).string()});
        }
        if (!spec.version1) {
            argv.insert(argv.end(), {"-extfile", config.string(), "-extensions", "ext"});
        }
        argv.insert(argv.end(), {"-set_serial", spec.serial.empty() ? "0x5a17c0ffee0123456789abcdef"
                                                                    : spec.serial});
        result = run(argv);
    }
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    return cert;
}

Bytes der_of(const fs::path& pem) {
    return pem_decode_all(read_text(pem), pem.string()).front().der;
}

std::string error_of(const std::function<void()>& action) {
    try {
        action();
    } catch (const InputError& e) {
        return std::string("InputError: ") + e.what();
    } catch (const UsageError& e) {
        return std::string("UsageError: ") + e.what();
    } catch (const std::exception& e) {
        return std::string("other exception: ") + e.what();
    }
    return "no error";
}

} // namespace certforge::test

#include "certforge/backend_registry.hpp"

namespace certforge::test {

std::vector<std::string> backend_names() {
    std::vector<std::string> names;
    for (const auto name : built_backends()) {
        names.emplace_back(name);
    }
    return names;
}

} // namespace certforge::test

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>

namespace certforge::test {

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv,
                                     const std::filesystem::path& stderr_file) {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
        ::dup2(fds[1], 1);
        ::close(fds[0]);
        ::close(fds[1]);
        const int null = ::open("/dev/null", O_RDWR);
        ::dup2(null, 0);
        const int err = stderr_file.empty()
                            ? null
                            : ::open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(err, 2);
        std::vector<char*> args;
        for (const auto& arg : argv) {
            args.push_back(const_cast<char*>(arg.c_str()));
        }
        args.push_back(nullptr);
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    stdout_fd_ = fds[0];
}

BackgroundProcess::~BackgroundProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 50; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    if (stdout_fd_ >= 0) {
        ::close(stdout_fd_);
    }
}

void BackgroundProcess::kill_now() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
}

int BackgroundProcess::terminate() {
    if (pid_ <= 0) {
        return -1;
    }
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 500; ++i) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return status;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

int BackgroundProcess::wait_for_exit(int seconds) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (pid_ > 0 && std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

std::string BackgroundProcess::first_line() {
    std::string line;
    char c = 0;
    while (true) {
        pollfd pfd{stdout_fd_, POLLIN, 0};
        if (::poll(&pfd, 1, 10000) <= 0 || ::read(stdout_fd_, &c, 1) != 1 || c == '\n') {
            return line;
        }
        line += c;
    }
}

unsigned free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    ::close(fd);
    return ntohs(address.sin_port);
}

bool wait_for_port(unsigned port) {
    for (int i = 0; i < 200; ++i) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(static_cast<std::uint16_t>(port));
        const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        ::close(fd);
        if (ok) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

} // namespace certforge::test
