#include "certforge/certificate_file.hpp"

#include "certforge/errors.hpp"
#include "certforge/output_set.hpp"
#include "certforge/pem.hpp"

#include <fmt/format.h>

namespace certforge {

std::vector<Bytes> read_certificate_file(const std::filesystem::path& path) {
    const std::string content = read_file(path);
    const std::string name = path.string();
    if (content.empty()) {
        throw InputError(fmt::format("{}: the file is empty", name));
    }
    std::vector<Bytes> out;
    if (contains_pem(content)) {
        for (auto& block : pem_decode_all(content, name)) {
            if (block.label == "CERTIFICATE") {
                out.push_back(std::move(block.der));
            }
        }
        if (out.empty()) {
            throw InputError(fmt::format("{}: no CERTIFICATE block in the PEM file", name));
        }
        return out;
    }
    if (static_cast<unsigned char>(content.front()) != 0x30) {
        throw InputError(fmt::format("{}: neither PEM nor DER (a DER certificate starts with "
                                     "0x30)",
                                     name));
    }
    out.emplace_back(content.begin(), content.end());
    return out;
}

} // namespace certforge
