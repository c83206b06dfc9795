# scripts/toolchain-aarch64-linux-gnu.cmake — cross-compiling excite for 64-bit Arm with Debian's
# g++-aarch64-linux-gnu and the arm64 multiarch libraries (libopenblas-openmp-dev:arm64,
# libhwy-dev:arm64, zlib1g-dev:arm64 under /usr/lib/aarch64-linux-gnu). Binaries run under
# qemu-aarch64 (qemu-user), which CMake uses for catch_discover_tests and ctest.
# Used by scripts/cross-aarch64.sh:  cmake -DCMAKE_TOOLCHAIN_FILE=scripts/toolchain-aarch64-linux-gnu.cmake ...
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# The multiarch directory every find_library/find_package below looks in (the top-level
# CMakeLists.txt finds OpenBLAS under /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/openblas-openmp).
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# qemu-user with the cross toolchain's loader and libc; libraries in /usr/lib/aarch64-linux-gnu
# are found at their own paths (qemu tries the prefix first, then the path itself).
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
