// data/image_guard.h — what image bytes must pass before they reach stb_image.
//
// Debian's compiled stb_image (2.27) misbehaves on some hostile files that fuzzing found
// (fuzz/fuzz_image.cpp), and we link the library rather than patch it, so image.cpp refuses
// those bytes first:
//   - only JPEG, PNG and BMP signatures go through (given anything, stb would also try GIF,
//     PSD, PIC, PNM, HDR and TGA decoders that excite never needs);
//   - JPEG Huffman tables (DHT) declaring more than 256 codes: stb writes past its tables;
//   - JPEG scans using Huffman or quantization tables never defined: stb reads them uninitialised;
//   - PNG IDAT chunks claiming more bytes than the file holds: stb allocates the claim first;
//   - a PNG whose first IDAT chunk is empty: stb passes a null pointer to memcpy;
//   - headers claiming more pixels than the file's bytes can encode: stb pads missing data with
//     zeros, so an 800-byte JPEG claiming 63776 x 224 pixels was decoded (seconds of CPU, 43 MB).
// Leaves out: decoding and the absolute pixel-count limit (image.cpp).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace excite::data {

// Empty when stb_image may be given `bytes`; otherwise the reason, for an error message.
// complete = false: for stb's header probe only (it reads no image data; `bytes` may be the
// first part of the file).
std::string image_bytes_problem(std::span<const uint8_t> bytes, bool complete = true);

// Empty when a file of `file_bytes` bytes starting with `head` can hold a `width` x `height`
// image; otherwise why not. The bounds hold for every complete file: a JPEG spends at least one
// bit per 8x8 block (512 pixels a byte), a PNG at least one bit per pixel behind deflate's
// 1032:1 (8256), an uncompressed BMP at least one bit per pixel (8).
std::string image_size_problem(std::span<const uint8_t> head, int64_t file_bytes, int64_t width, int64_t height);

}  // namespace excite::data
