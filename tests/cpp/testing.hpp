// The C++ tests' own check macros (the way Eigen tests itself) and a reader
// for the shared test vectors in tests/vectors (format: tests/vectors/README.md).
#pragma once

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace testing {

inline int& failures() {
    static int count = 0;
    return count;
}
inline int& checks() {
    static int count = 0;
    return count;
}

inline void report(bool ok, const char* expr, const char* file, int line, const std::string& detail = "") {
    ++checks();
    if (ok) return;
    ++failures();
    std::cerr << file << ":" << line << ": check failed: " << expr;
    if (!detail.empty()) std::cerr << " (" << detail << ")";
    std::cerr << "\n";
}

/// max |a − b| / max(1, |b|) over all entries.
template <class A, class B>
double relative_error(const A& a, const B& b) {
    if (a.size() != b.size()) return INFINITY;
    if (a.size() == 0) return 0.0;
    return ((a.array() - b.array()).abs() / b.array().abs().max(1.0)).maxCoeff();
}
inline double relative_error(double a, double b) { return std::abs(a - b) / std::max(1.0, std::abs(b)); }

/// Exit status for main(): prints "N passed, N failed" and returns non-zero on any failure.
inline int finish(const char* name) {
    std::cout << name << ": " << (checks() - failures()) << " passed, " << failures() << " failed\n";
    return failures() == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

}  // namespace testing

#define VERIFY(expr) ::testing::report(static_cast<bool>(expr), #expr, __FILE__, __LINE__)
/// Relative closeness: max |a − b| / max(1, |b|) ≤ tol, for scalars or Eigen objects.
#define VERIFY_CLOSE(a, b, tol)                                                                  \
    do {                                                                                         \
        const double verify_error_ = ::testing::relative_error((a), (b));                        \
        ::testing::report(verify_error_ <= (tol), #a " ≈ " #b, __FILE__, __LINE__,               \
                          "relative error " + std::to_string(verify_error_) + " > " #tol);       \
    } while (0)
/// The statement throws an exception of the given type.
#define VERIFY_THROWS(statement, exception)                                                      \
    do {                                                                                         \
        bool verify_threw_ = false;                                                              \
        try {                                                                                    \
            statement;                                                                           \
        } catch (const exception&) {                                                             \
            verify_threw_ = true;                                                                \
        }                                                                                        \
        ::testing::report(verify_threw_, #statement " throws " #exception, __FILE__, __LINE__);  \
    } while (0)

namespace testing {

/// One test vector: `key value value ...` per line.
class Vectors {
public:
    explicit Vectors(const std::filesystem::path& path) : path_(path) {
        std::ifstream in(path);
        if (!in) throw std::runtime_error("cannot open " + path.string());
        std::string line;
        while (std::getline(in, line)) {
            if (line.empty() || line[0] == '#') continue;
            std::istringstream words(line);
            std::string key, word;
            words >> key;
            std::vector<std::string>& values = entries_[key];
            while (words >> word) values.push_back(word);
        }
    }

    const std::filesystem::path& path() const { return path_; }
    bool has(const std::string& key) const { return entries_.count(key) != 0; }
    const std::string& text(const std::string& key) const { return at(key).at(0); }
    double number(const std::string& key) const { return std::strtod(text(key).c_str(), nullptr); }
    long integer(const std::string& key) const { return std::strtol(text(key).c_str(), nullptr, 10); }
    Eigen::VectorXd vector(const std::string& key) const {
        const auto& values = at(key);
        Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
        for (std::size_t i = 0; i < values.size(); ++i)
            v[static_cast<Eigen::Index>(i)] = std::strtod(values[i].c_str(), nullptr);
        return v;
    }
    /// A row-major rows×cols matrix stored under key.
    Eigen::MatrixXd matrix(const std::string& key, Eigen::Index rows, Eigen::Index cols) const {
        const Eigen::VectorXd v = vector(key);
        if (v.size() != rows * cols) throw std::runtime_error(path_.string() + ": bad size for " + key);
        Eigen::MatrixXd m(rows, cols);
        for (Eigen::Index i = 0; i < rows; ++i)
            for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = v[i * cols + j];
        return m;
    }

    /// Every *.txt vector file in the shared folder, sorted by name.
    static std::vector<Vectors> all() {
        std::vector<std::filesystem::path> paths;
        for (const auto& entry : std::filesystem::directory_iterator(DESCEND_VECTORS_DIR))
            if (entry.path().extension() == ".txt") paths.push_back(entry.path());
        std::sort(paths.begin(), paths.end());
        std::vector<Vectors> out;
        for (const auto& p : paths) out.emplace_back(p);
        return out;
    }

private:
    const std::vector<std::string>& at(const std::string& key) const {
        auto it = entries_.find(key);
        if (it == entries_.end() || it->second.empty())
            throw std::runtime_error(path_.string() + ": missing " + key);
        return it->second;
    }
    std::filesystem::path path_;
    std::map<std::string, std::vector<std::string>> entries_;
};

}  // namespace testing
