// Error reporting for the engine.
//
// The engine throws standard exception types only, so the binding layer can map them to
// Python without knowing the engine's internals:
//   std::invalid_argument -> ValueError     (bad shapes, bad arguments)
//   std::out_of_range     -> IndexError     (indices, axes)
//   std::bad_alloc        -> MemoryError
//   nncore::dtype_error   -> TypeError      (derives from std::bad_cast, which Cython maps)
// Every message starts with the op's name and names the shapes and dtypes involved.
#pragma once

#include <cstdarg>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <new>
#include <typeinfo>

namespace nncore {

class dtype_error : public std::bad_cast {
 public:
  explicit dtype_error(std::string msg) : msg_(std::move(msg)) {}
  const char* what() const noexcept override { return msg_.c_str(); }

 private:
  std::string msg_;
};

// printf-style formatting into a std::string (messages are short; 512 bytes is plenty,
// longer ones are truncated rather than overflowing).
inline std::string format_message(const char* fmt, ...) {
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  return std::string(buf);
}

// An allocation that failed; derives from std::bad_alloc (-> MemoryError) with a message
// naming what was being allocated.
class out_of_memory : public std::bad_alloc {
 public:
  explicit out_of_memory(std::string msg) : msg_(std::move(msg)) {}
  const char* what() const noexcept override { return msg_.c_str(); }

 private:
  std::string msg_;
};

}  // namespace nncore

// NNC_CHECK(cond, ExceptionType, "op: message %s", args...)
#define NNC_CHECK(cond, Type, ...)                                  \
  do {                                                              \
    if (!(cond)) throw Type(::nncore::format_message(__VA_ARGS__)); \
  } while (0)
