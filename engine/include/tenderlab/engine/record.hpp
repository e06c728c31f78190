#pragma once
// Records: structs that describe their own fields, in the order they are written. One table per
// struct writes it as JSON (canonical key order), reads it back with errors naming the JSON
// Pointer, and documents it (JSON type, unit, meaning). The event log's events are records
// (events.hpp), and so are the objects inside them.
//
//   struct Example {
//     std::string call;
//     std::optional<std::string> note;
//     static constexpr auto fields() {
//       return std::tuple{field("call", &Example::call, "id", "the call"),
//                         optional_field("note", &Example::note, "", "a remark")};
//     }
//   };
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab {

/// How a field appears in its JSON object.
enum class Presence {
  always,    ///< written every time
  optional,  ///< a std::optional member: left out when empty
  nullable,  ///< a std::optional member: written as null when empty
  inlined,   ///< a std::optional record: its own fields written in this one's place when present
};

template <class Owner, class T>
struct FieldInfo {
  std::string_view name;
  T Owner::*member;
  std::string_view unit;     ///< "bn KRW", "id", "date", ... ("" for none)
  std::string_view meaning;  ///< Markdown, for docs/event-log.md
  Presence presence = Presence::always;
};

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class T>
concept Record = requires {
  T::fields();
};

template <class Owner, class T>
constexpr FieldInfo<Owner, T> field(std::string_view name, T Owner::*member, std::string_view unit,
                                    std::string_view meaning) {
  static_assert(!is_optional<T>::value, "use optional_field or nullable_field");
  return {name, member, unit, meaning, Presence::always};
}
template <class Owner, class T>
constexpr FieldInfo<Owner, std::optional<T>> optional_field(std::string_view name,
                                                            std::optional<T> Owner::*member,
                                                            std::string_view unit,
                                                            std::string_view meaning) {
  return {name, member, unit, meaning, Presence::optional};
}
template <class Owner, class T>
constexpr FieldInfo<Owner, std::optional<T>> nullable_field(std::string_view name,
                                                            std::optional<T> Owner::*member,
                                                            std::string_view unit,
                                                            std::string_view meaning) {
  return {name, member, unit, meaning, Presence::nullable};
}
/// A group of fields present together (`when` says when, for the docs), written inline.
template <class Owner, Record T>
constexpr FieldInfo<Owner, std::optional<T>> inline_fields(std::optional<T> Owner::*member,
                                                           std::string_view when) {
  return {"", member, "", when, Presence::inlined};
}

namespace record_detail {

using Json = nlohmann::ordered_json;

[[noreturn]] inline void fail(const std::string& pointer, std::string expected, const Json& found) {
  throw InputError({InputProblem{"", pointer, std::move(expected),
                                 describe_json(nlohmann::json::parse(found.dump()))}});
}

}  // namespace record_detail

template <class T>
nlohmann::ordered_json encode(const T& value);

/// Writes the fields of `record` into `object`, in their order.
template <Record R>
void encode_fields(const R& record, nlohmann::ordered_json& object) {
  std::apply(
      [&](const auto&... info) {
        auto write = [&](const auto& f) {
          const auto& value = record.*(f.member);
          using T = std::decay_t<decltype(value)>;
          if constexpr (is_optional<T>::value) {
            if (f.presence == Presence::inlined) {
              if constexpr (Record<typename T::value_type>)
                if (value) encode_fields(*value, object);
            } else if (value) {
              object[std::string(f.name)] = encode(*value);
            } else if (f.presence == Presence::nullable) {
              object[std::string(f.name)] = nullptr;
            }
          } else {
            object[std::string(f.name)] = encode(value);
          }
        };
        (write(info), ...);
      },
      R::fields());
}

/// The JSON of a value: records as objects with their keys in order, vectors as arrays.
template <class T>
nlohmann::ordered_json encode(const T& value) {
  if constexpr (Record<T>) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    encode_fields(value, object);
    return object;
  } else if constexpr (is_vector<T>::value) {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const auto& element : value)
      array.push_back(encode(element));
    return array;
  } else {
    static_assert(std::is_arithmetic_v<T> || std::is_same_v<T, std::string>,
                  "a record field is a number, a boolean, a string, a record or a vector");
    return nlohmann::ordered_json(value);
  }
}

template <class T>
void decode(const nlohmann::ordered_json& json, T& out, const std::string& pointer);

/// Reads the fields of `record` from `object`; `seen` collects the keys it used.
template <Record R>
void decode_fields(const nlohmann::ordered_json& object, R& record, const std::string& pointer,
                   std::set<std::string>& seen) {
  std::apply(
      [&](const auto&... info) {
        auto read = [&](const auto& f) {
          auto& value = record.*(f.member);
          using T = std::decay_t<decltype(value)>;
          const std::string key(f.name);
          if constexpr (is_optional<T>::value) {
            if (f.presence == Presence::inlined) {
              if constexpr (Record<typename T::value_type>) {
                // Present when its first field is.
                const std::string first(std::get<0>(T::value_type::fields()).name);
                value.reset();
                if (object.contains(first)) decode_fields(object, value.emplace(), pointer, seen);
              }
              return;
            }
            seen.insert(key);
            value.reset();
            const auto it = object.find(key);
            if (it == object.end()) {
              if (f.presence == Presence::nullable)
                record_detail::fail(pointer_append(pointer, key), "a value or null",
                                    nlohmann::ordered_json("nothing (missing)"));
              return;
            }
            if (f.presence == Presence::nullable && it->is_null()) return;
            decode(*it, value.emplace(), pointer_append(pointer, key));
          } else {
            seen.insert(key);
            const auto it = object.find(key);
            if (it == object.end())
              throw InputError({InputProblem{"", pointer_append(pointer, key), "the field " + key,
                                             "nothing (missing)"}});
            decode(*it, value, pointer_append(pointer, key));
          }
        };
        (read(info), ...);
      },
      R::fields());
}

/// Reads a value written by encode(); throws InputError (without a file name) naming the JSON
/// Pointer of the first value that does not fit, and any key the record does not have.
template <class T>
void decode(const nlohmann::ordered_json& json, T& out, const std::string& pointer) {
  using record_detail::fail;
  if constexpr (Record<T>) {
    if (!json.is_object()) fail(pointer, "an object", json);
    std::set<std::string> seen;
    decode_fields(json, out, pointer, seen);
    for (const auto& [key, value] : json.items())
      if (!seen.count(key))
        throw InputError(
            {InputProblem{"", pointer_append(pointer, key), "no such key", "the key " + key}});
  } else if constexpr (is_vector<T>::value) {
    if (!json.is_array()) fail(pointer, "an array", json);
    out.clear();
    for (std::size_t i = 0; i < json.size(); ++i)
      decode(json[i], out.emplace_back(), pointer_append(pointer, i));
  } else if constexpr (std::is_same_v<T, bool>) {
    if (!json.is_boolean()) fail(pointer, "a boolean", json);
    out = json.get<bool>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!json.is_number_integer()) fail(pointer, "an integer", json);
    if constexpr (std::is_unsigned_v<T>) {
      if (!json.is_number_unsigned() || json.get<std::uint64_t>() > std::numeric_limits<T>::max())
        fail(pointer, "an integer in [0, " + std::to_string(std::numeric_limits<T>::max()) + "]",
             json);
    } else {
      const bool fits = json.is_number_unsigned()
                            ? json.get<std::uint64_t>() <=
                                  static_cast<std::uint64_t>(std::numeric_limits<T>::max())
                            : json.get<std::int64_t>() >= std::numeric_limits<T>::min() &&
                                  json.get<std::int64_t>() <= std::numeric_limits<T>::max();
      if (!fits) fail(pointer, "an integer that fits", json);
    }
    out = json.get<T>();
  } else if constexpr (std::is_floating_point_v<T>) {
    if (!json.is_number()) fail(pointer, "a number", json);
    out = json.get<T>();
  } else {
    static_assert(std::is_same_v<T, std::string>);
    if (!json.is_string()) fail(pointer, "a string", json);
    out = json.get<std::string>();
  }
}

/// One row of a record's documentation table.
struct FieldDoc {
  std::string name;
  std::string json_type;
  std::string unit;
  std::string meaning;
};

template <class T>
std::string json_type_name() {
  if constexpr (Record<T>) {
    return "object";
  } else if constexpr (is_vector<T>::value) {
    using E = typename T::value_type;
    if constexpr (Record<E>)
      return "array of objects";
    else if constexpr (std::is_same_v<E, std::string>)
      return "array of strings";
    else if constexpr (std::is_same_v<E, bool>)
      return "array of booleans";
    else if constexpr (std::is_integral_v<E>)
      return "array of integers";
    else
      return "array of numbers";
  } else if constexpr (std::is_same_v<T, bool>) {
    return "boolean";
  } else if constexpr (std::is_integral_v<T>) {
    return "integer";
  } else if constexpr (std::is_floating_point_v<T>) {
    return "number";
  } else {
    return "string";
  }
}

/// The rows documenting a record's fields, in their order.
template <Record R>
std::vector<FieldDoc> describe_fields() {
  std::vector<FieldDoc> rows;
  std::apply(
      [&](const auto&... info) {
        auto row = [&](const auto& f) {
          using T = std::decay_t<decltype(std::declval<R&>().*(f.member))>;
          if constexpr (is_optional<T>::value) {
            using V = typename T::value_type;
            if (f.presence == Presence::inlined) {
              if constexpr (Record<V>)
                for (auto inner : describe_fields<V>()) {
                  inner.meaning = "*(" + std::string(f.meaning) + ")* " + inner.meaning;
                  rows.push_back(std::move(inner));
                }
              return;
            }
            const bool nullable = f.presence == Presence::nullable;
            rows.push_back({std::string(f.name), json_type_name<V>() + (nullable ? " or null" : ""),
                            std::string(f.unit),
                            (nullable ? "" : "*(optional)* ") + std::string(f.meaning)});
          } else {
            rows.push_back({std::string(f.name), json_type_name<T>(), std::string(f.unit),
                            std::string(f.meaning)});
          }
        };
        (row(info), ...);
      },
      R::fields());
  return rows;
}

}  // namespace tenderlab
