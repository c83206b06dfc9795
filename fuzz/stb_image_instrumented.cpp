// fuzz/stb_image_instrumented.cpp — stb_image's implementation from Debian's libstb-dev header,
// compiled with the fuzzer's instrumentation for fuzz_image only (see CMakeLists.txt). The
// options match Debian's libstb build: all defaults.
#define STB_IMAGE_IMPLEMENTATION
#include <stb/stb_image.h>
