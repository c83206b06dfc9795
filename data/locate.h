// data/locate.h — where a dataset's files are looked for, and the error when they are not found.
//
// Order: the flag (a path the user gave, e.g. `--data DIR`), then the EXCITE_DATA environment
// variable (a folder holding datasets), then standard places (Debian's dataset packages under
// /usr/share/datasets, ../shared/datasets beside a clone, ./data). A flag or EXCITE_DATA may name
// the dataset folder itself or a parent of it: each candidate is tried with the dataset's usual
// sub-folder names appended. A dataset folder is recognised by its files being present. The
// error lists every place tried and says how to get the data.
// Leaves out: reading the files (the dataset classes).
#pragma once

#include <string>
#include <vector>

namespace excite::data {

struct DataSpec {
  std::string name = "";                              // "CIFAR-10", for messages
  std::vector<std::vector<std::string>> files = {};    // every group must have one existing file in it
  std::vector<std::string> subdirs = {};               // tried below a flag / EXCITE_DATA / a standard place
  std::vector<std::string> standard_places = {};       // absolute or relative to the working directory
  std::string how_to_get = "";                         // one or two sentences for the error message
};

// The folder holding spec's files. `flag` empty means "not given". Throws excite::Error listing
// the places tried when none holds the files.
std::string locate(const DataSpec& spec, const std::string& flag = "");
// True when every file group of spec has a member in dir.
bool holds_dataset(const DataSpec& spec, const std::string& dir);

const DataSpec& cifar10_spec();
const DataSpec& cifar100_spec();
const DataSpec& mnist_spec();
const DataSpec& fashion_mnist_spec();
const DataSpec& imagenet_spec();   // a folder with train/ and val/ image folders

inline std::string locate_cifar10(const std::string& flag = "") { return locate(cifar10_spec(), flag); }
inline std::string locate_cifar100(const std::string& flag = "") { return locate(cifar100_spec(), flag); }
inline std::string locate_mnist(const std::string& flag = "") { return locate(mnist_spec(), flag); }
inline std::string locate_fashion_mnist(const std::string& flag = "") { return locate(fashion_mnist_spec(), flag); }
inline std::string locate_imagenet(const std::string& flag = "") { return locate(imagenet_spec(), flag); }

}  // namespace excite::data
