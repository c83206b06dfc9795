// layers/vocabulary.h — one table per vocabulary: the names an enum's values have on the command
// line, in JSON configs, in study factors and in reports.
//
// A vocabulary is declared once, next to its enum:
//
//   enum class Gate { Sigmoid, HardSigmoid, Tanh, ReLU };
//   template <> struct Vocabulary<layers::Gate> {
//     static constexpr const char* what = "gate";
//     static constexpr std::pair<layers::Gate, const char*> names[] = {
//         {layers::Gate::Sigmoid, "sigmoid"}, {layers::Gate::HardSigmoid, "hard_sigmoid"}, ...};
//   };
//
// and every reader and writer goes through it: name_of(Gate::Tanh) is "tanh",
// parse_name<Gate>("tanh") is Gate::Tanh (an unknown name throws, listing the known ones),
// names_of<Gate>() is {"sigmoid", "hard_sigmoid", "tanh", "relu"} (what the CLI accepts and
// help texts list). A value may appear twice, under a second accepted spelling: the first name is
// the one written and listed. Leaves out: case folding.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace excite {

template <typename E>
struct Vocabulary;  // specialised next to each enum that has names

template <typename E>
concept Named = requires {
  Vocabulary<E>::what;
  Vocabulary<E>::names;
};

template <Named E>
std::string name_of(E value) {
  for (const auto& [v, name] : Vocabulary<E>::names)
    if (v == value) return name;
  EXCITE_FAIL(Vocabulary<E>::what << ": no name for value " << static_cast<int>(value));
}

// The names, one per value, in table order.
template <Named E>
std::vector<std::string> names_of() {
  std::vector<std::string> out;
  for (const auto& [v, name] : Vocabulary<E>::names)
    if (name_of(v) == name) out.push_back(name);
  return out;
}

// "a, b or c", for messages ("a,b,c" with both separators ",").
std::string join_names(const std::vector<std::string>& names, const char* last_separator = " or ",
                       const char* separator = ", ");

template <Named E>
E parse_name(const std::string& text) {
  for (const auto& [v, name] : Vocabulary<E>::names)
    if (text == name) return v;
  EXCITE_FAIL("unknown " << Vocabulary<E>::what << " '" << text << "' (expected " << join_names(names_of<E>()) << ")");
}

}  // namespace excite
